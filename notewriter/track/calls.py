"""A note's calls as the track record keeps them: with the benchmark and the price each is measured from."""

from __future__ import annotations

from typing import Literal

from ..calls import BANDS, CALL_TYPES, HORIZONS, NoteCall

__all__ = ["BANDS", "CALL_TYPES", "HORIZONS", "Call", "recorded"]


class Call(NoteCall):
    """A recorded call. `entry` says where its return is measured from: `next_open` (the next session's open,
    when the data has opens) or `close` (the as-of close); `benchmark` is a fund's ticker or `category`."""

    benchmark: str
    entry: Literal["next_open", "close"]


def recorded(doc, benchmark: str, entry: str) -> list[Call]:
    """The calls a composed document states, to be recorded with their benchmark and entry price."""
    return [Call(**c.model_dump(), benchmark=benchmark, entry=entry) for c in doc.calls]
