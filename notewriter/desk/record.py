"""The track record beside a fund note on the desk: its fund's calls scored as of the note's date.

Shown when the desk's store file also holds a track record (written by `track build --store` into the same
file) with calls on the note's fund; the prices come from the data directory the record was built from.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..errors import NotewriterError


def track_panel(track_path: str | Path, document: dict) -> dict | None:
    """Rows (call type, horizon, calls, hits, hit rate, interval, mean signed return) for the note's fund, or None
    when the file holds no record for it."""
    from ..pipeline import open_source
    from ..track.prices import PriceBook
    from ..track.score import outcomes, table
    from ..track.store import TrackStore, has_track

    ticker = document.get("ticker")
    if document.get("kind") != "fund" or not ticker or not has_track(track_path):
        return None
    as_of = date.fromisoformat(str(document.get("as_of")))
    try:
        with TrackStore(track_path, create=False) as store:
            calls = [c for c in store.calls(until=as_of, ticker=ticker) if c.as_of < as_of]
            data = store.meta("data")
        if not calls or not data or not Path(data).is_dir():
            return None
        items, pending = outcomes(calls, PriceBook(open_source(data), as_of), as_of)
    except NotewriterError:
        return None
    rows = [r for r in table(items, ("call_type",)) if r["independent"]]
    if not rows:
        return None
    return {"ticker": ticker, "as_of": as_of.isoformat(), "calls": len(calls), "pending": pending, "rows": rows}
