"""The public pipeline: open a source, build facts (with peers), compose a checked document."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from . import calendar
from .compose import LLMHook, compose
from .config import Rules
from .document import Document
from .facts import build_facts
from .facts.digest import digest_facts
from .facts.models import FundFacts, Window
from .facts.panel import Panel, panel_for
from .resources import samples_dir
from .sources.base import Source
from .sources.local import DataDirSource


def open_source(data: str | Path | None = None) -> Source:
    """A data directory, or the bundled samples when `data` is None."""
    return DataDirSource(data if data is not None else samples_dir())


def resolve_as_of(source: Source, ticker: str, as_of: date | str | None) -> pd.Timestamp:
    """The requested date (or the fund's last date with prices), moved back to a session."""
    if as_of is not None:
        return calendar.session_on_or_before(pd.Timestamp(as_of))
    full = panel_for(source)
    full.check_ticker(ticker.upper())
    j = full.tcol[ticker.upper()]
    return full.sessions[max(int(full.lp[-1, j]), 0)]


def fund_facts(ticker: str, as_of: date | str | None = None, window: Window = "1w", source: Source | None = None,
               settings: Rules | None = None, peers: pd.DataFrame | None = None,
               track_store: str | Path | None = None) -> FundFacts:
    """Facts for one fund as known at its date (nothing dated later is read), with peers from the same source;
    with `track_store`, the fund's scored record as of that date too."""
    source = source or open_source()
    end = resolve_as_of(source, ticker, as_of)
    panel = panel_for(source, end)
    panel.check_ticker(ticker.upper())
    facts = build_facts(ticker, end, window, source, settings=settings, peers=peers, panel=panel)
    if track_store is None:
        return facts
    from .track.record import with_track_record

    return with_track_record(facts, track_store, source, settings)


def write_note(ticker: str, as_of: date | str | None = None, window: Window = "1w", source: Source | None = None,
               template_dir: str | Path | None = None, llm: LLMHook | None = None,
               settings: Rules | None = None, peers: pd.DataFrame | None = None,
               track_store: str | Path | None = None) -> Document:
    """A complete, checked note for one fund (citing its track record when `track_store` has one)."""
    facts = fund_facts(ticker, as_of, window, source, settings, peers, track_store)
    return compose(facts, "fund", template_dir=template_dir, llm=llm, rules=settings)


def write_digest(source: Source, as_of: date | str | None, window: Window = "1d", template_dir=None,
                 settings: Rules | None = None, panel: Panel | None = None, llm: LLMHook | None = None) -> Document:
    """A complete, checked digest of every fund in the source for one date and window."""
    facts = digest_facts(source, as_of, window, settings, panel)
    return compose(facts, "digest", template_dir=template_dir, llm=llm, rules=settings)
