"""The digest's facts: the leaderboard, the headline rotation with its analog, and the pair's fund facts."""

from __future__ import annotations

from datetime import date

import pandas as pd

from .. import calendar
from ..config import Rules
from ..errors import UsageError
from ..sources.base import Source
from .analogs import leaderboard, rotations
from .build import _FactMaker, _flag, _iso, build_facts, config_facts, window_start
from .models import DigestFacts, Window
from .panel import Panel, latest_date, panel_for
from .schedule import dates_facts


def digest_facts(source: Source, as_of: date | str | None, window: Window = "1d", settings: Rules | None = None,
                 panel: Panel | None = None) -> DigestFacts:
    """Leaderboard, rotations with analogs, and the headline pair's fund facts for one date and window."""
    if window not in ("1d", "1w", "1m"):
        raise UsageError(f"the digest covers 1d, 1w or 1m windows, not {window!r}")
    settings = settings or Rules()
    last = latest_date(source) if panel is None else (panel.sessions[-1] if len(panel.sessions) else None)
    if last is None:
        raise UsageError("the data directory has no prices")
    requested = pd.Timestamp(as_of) if as_of is not None else last
    end = min(calendar.session_on_or_before(requested), calendar.session_on_or_before(last))
    panel = panel or panel_for(source, end)
    if not len(panel.sessions):
        raise UsageError("the data directory has no prices")
    if end > panel.sessions[-1]:
        end = panel.sessions[-1]
    start = window_start(end, window)
    snap = panel.snapshot(end, window, start, settings)
    inflows, outflows = leaderboard(panel, snap, settings.leaderboard_size)
    rots = rotations(panel, snap, inflows, outflows)
    F = _FactMaker(None, end.date())
    quality = []
    known = int(pd.Series(snap.f["net"]).notna().sum())
    if panel.errors:
        quality.append(_flag(F, "unreadable_funds", "{n} fund(s) in the data directory could not be read and are "
                             "left out", n=(len(panel.errors), "count")))
    notes = []
    if rots:
        for t in (rots[0].inflow.ticker, rots[0].outflow.ticker):
            notes.append(build_facts(t, end, window, source, settings=settings, panel=panel))
    return DigestFacts(
        as_of=end.date(), window=window, start=F(_iso(start), "date", "calendar XNYS"),
        end=F(_iso(end), "date", "calendar XNYS"), funds=F(len(panel.funds), "count", "derived"),
        funds_with_flows=F(known, "count", "derived"), inflows=inflows, outflows=outflows,
        rotation=rots[0] if rots else None, rotations=rots, notes=tuple(notes), quality=tuple(quality),
        config=config_facts(F, settings), dates=dates_facts(F, end, settings), data_label=source.label, synthetic=source.synthetic)
