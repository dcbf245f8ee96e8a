"""The public pipeline: open a source, build facts (with peers), compose a checked note."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from . import calendar
from .facts import Rules, build_facts
from .facts.models import FundFacts, Window
from .facts.panel import panel_for
from .note import LLMHook, Note, compose
from .resources import samples_dir
from .sources.base import Source
from .sources.local import DataDirSource


def open_source(data: str | Path | None = None) -> Source:
    """A data directory, or the bundled samples when `data` is None."""
    return DataDirSource(data if data is not None else samples_dir())


def resolve_as_of(source: Source, ticker: str, as_of: date | str | None) -> pd.Timestamp:
    """The requested date (or the last date with prices), moved back to a session."""
    requested = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp(source.last_date(ticker.upper()))
    return calendar.session_on_or_before(requested)


def fund_facts(ticker: str, as_of: date | str | None = None, window: Window = "1w", source: Source | None = None,
               settings: Rules | None = None, peers: pd.DataFrame | None = None) -> FundFacts:
    """Facts for one fund, with peers computed from the same source unless given."""
    source = source or open_source()
    panel = panel_for(source)
    panel.check_ticker(ticker.upper())
    end = resolve_as_of(source, ticker, as_of)
    return build_facts(ticker, end, window, source, settings=settings, peers=peers, panel=panel)


def write_note(ticker: str, as_of: date | str | None = None, window: Window = "1w", source: Source | None = None,
               template_dir: str | Path | None = None, llm: LLMHook | None = None,
               settings: Rules | None = None, peers: pd.DataFrame | None = None) -> Note:
    """A complete, checked note for one fund."""
    facts = fund_facts(ticker, as_of, window, source, settings, peers)
    return compose(facts, template_dir=template_dir, llm=llm)
