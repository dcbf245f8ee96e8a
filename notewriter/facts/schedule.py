"""Calendar facts of a note: the next session, month- and quarter-end, and the scheduled events ahead."""

from __future__ import annotations

import pandas as pd

from .. import calendar, reference
from ..config import Rules
from .models import Dates, Event


def _iso(ts) -> str:
    return pd.Timestamp(ts).date().isoformat()


def dates_facts(F, last_ts: pd.Timestamp, settings: Rules) -> Dates:
    all_sessions = calendar.sessions()
    nxt = all_sessions[all_sessions.searchsorted(last_ts, side="right")]
    month_end = calendar.session_on_or_before(nxt + pd.offsets.MonthEnd(0))
    quarter_end = calendar.session_on_or_before(nxt + pd.offsets.QuarterEnd(0))
    horizon = last_ts + pd.Timedelta(days=settings.catalyst_days)
    events = tuple(Event(kind=kind, date=F(_iso(day), "date", "reference events", ticker=None))
                   for day, kind in reference.scheduled_events(nxt, horizon))
    return Dates(next_session=F(_iso(nxt), "date", "calendar XNYS", ticker=None),
                 month_end=F(_iso(month_end), "date", "calendar XNYS", ticker=None),
                 quarter_end=F(_iso(quarter_end), "date", "calendar XNYS", ticker=None),
                 events=events)
