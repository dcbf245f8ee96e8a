"""The calls a fund note makes: flow signal, contrarian verdict, sentiment band, trade ideas.

Every call comes from the same verdicts and the same template context the note's sections were written
from, and the sentiment band from the note's own sentiment, so a document's calls are what it says, not a
second reading of the facts. The track record (`notewriter/track`) records these calls and scores them.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args

from .facts.models import Frozen

CallType = Literal["flow_signal", "contrarian", "sentiment", "trade_direct", "trade_pair"]
CALL_TYPES: tuple[str, ...] = get_args(CallType)
Direction = Literal["up", "down", "neutral"]
# Forward horizons every call is read at, in sessions: a week, two weeks, a month, six weeks.
HORIZONS: tuple[int, ...] = (5, 10, 21, 30)
# The sentiment bands in order, most bearish first (the calibration table reads them in this order).
BANDS: tuple[str, ...] = ("Bearish", "Somewhat-Bearish", "Neutral", "Somewhat-Bullish", "Bullish")
_BAND_DIRECTION = {"Bearish": "down", "Somewhat-Bearish": "down", "Neutral": "neutral",
                   "Somewhat-Bullish": "up", "Bullish": "up"}
_LARGE = ("elevated", "unusual", "record")


class NoteCall(Frozen):
    """One call a note makes: that the price of `ticker` goes `direction` over `horizons` sessions after
    `as_of`. A pair call is on `ticker` against `against`: its return is the fund's minus the other fund's,
    `up` when the note is long the fund."""

    ticker: str
    category: str | None = None
    as_of: date
    window: str
    call_type: CallType
    direction: Direction
    label: str
    against: str | None = None
    flow_usd: float | None = None
    horizons: tuple[int, ...] = HORIZONS


def fund_calls(f, context: dict, sentiment) -> tuple[NoteCall, ...]:
    """The calls of a fund note with facts `f`, template context `context` (the verdicts `c`, the peers
    `opposite`) and sentiment `sentiment`."""
    c = context["c"]
    common = dict(ticker=f.ticker, category=f.identity.category, as_of=f.as_of, window=f.window)
    flow = f.flow.net_usd.num if f.flow.net_usd is not None else None
    with_flow = "up" if c.inflow else "down"
    against = "down" if c.inflow else "up"
    out = [NoteCall(call_type="sentiment", direction=_BAND_DIRECTION[sentiment.label], label=sentiment.label,
                    flow_usd=flow, **common)]
    if not c.moving:
        return tuple(out)
    if c.size in _LARGE:  # the lede calls this flow larger than usual: read as a signal in its own direction
        out.append(NoteCall(call_type="flow_signal", direction=with_flow, label=f"{c.direction} ({c.size})",
                            flow_usd=flow, **common))
    if f.history.base_rate is not None and c.base_rate != "none":  # the contrarian section's verdict
        direction = {"contrarian": against, "confirming": with_flow, "mixed": "neutral"}[c.base_rate]
        out.append(NoteCall(call_type="contrarian", direction=direction, label=c.base_rate, flow_usd=flow,
                            **common))
    # the direct trade idea: follow or fade the flow; "wait" says the flow alone justifies no position
    direct = {"follow": with_flow, "fade": against, "wait": "neutral"}[c.stance]
    out.append(NoteCall(call_type="trade_direct", direction=direct, label=c.stance, flow_usd=flow, **common))
    opposite = context.get("opposite") or []
    if opposite and c.stance == "follow":  # the pair idea: long the fund money goes to, short the one it leaves
        other = opposite[0].ticker
        label = f"long {other} / short {f.ticker}" if c.outflow else f"long {f.ticker} / short {other}"
        out.append(NoteCall(call_type="trade_pair", direction=with_flow, label=label, flow_usd=flow, against=other,
                            **common))
    return tuple(out)
