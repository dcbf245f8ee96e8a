"""A composed fund note -> the calls it makes: flow signal, contrarian verdict, sentiment band, trade ideas.

Every call comes from the same verdicts and the same template context the note's sections were written
from (`kinds.fund.fund_context`), and the sentiment band from the note's own sentiment, so the record
scores what the note said, not a second reading of the facts.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from ..facts.models import Frozen

CallType = Literal["flow_signal", "contrarian", "sentiment", "trade_direct", "trade_pair"]
CALL_TYPES: tuple[str, ...] = ("flow_signal", "contrarian", "sentiment", "trade_direct", "trade_pair")
Direction = Literal["up", "down", "neutral"]
# Forward horizons every call is scored at, in sessions: a week, two weeks, a month, six weeks.
HORIZONS: tuple[int, ...] = (5, 10, 21, 30)
# The sentiment bands in order, most bearish first (the calibration table reads them in this order).
BANDS: tuple[str, ...] = ("Bearish", "Somewhat-Bearish", "Neutral", "Somewhat-Bullish", "Bullish")
_BAND_DIRECTION = {"Bearish": "down", "Somewhat-Bearish": "down", "Neutral": "neutral",
                   "Somewhat-Bullish": "up", "Bullish": "up"}
_LARGE = ("elevated", "unusual", "record")


class Call(Frozen):
    """One call a note made: about `ticker`, as of `as_of`, that the price goes `direction`.

    `entry` says where the call's return is measured from: `next_open` (the next session's open, when the
    data has opens) or `close` (the as-of close). A pair call is on `ticker` against `against`: its return is
    the fund's minus the other fund's, `up` when the note is long the fund.
    """

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
    benchmark: str
    entry: Literal["next_open", "close"]


def calls_of(doc, context: dict, benchmark: str, entry: str) -> list[Call]:
    """The calls of a composed fund note `doc`, read from its template context `context` (verdicts `c`,
    the peers `opposite`) and its sentiment."""
    f, c = doc.facts, context["c"]
    common = dict(ticker=f.ticker, category=f.identity.category, as_of=f.as_of, window=f.window,
                  benchmark=benchmark, entry=entry)
    flow = f.flow.net_usd.num if f.flow.net_usd is not None else None
    with_flow = "up" if c.inflow else "down"
    against = "down" if c.inflow else "up"
    out = [Call(call_type="sentiment", direction=_BAND_DIRECTION[doc.sentiment.label], label=doc.sentiment.label,
                flow_usd=flow, **common)]
    if not c.moving:
        return out
    if c.size in _LARGE:  # the lede calls this flow larger than usual: read as a signal in its own direction
        out.append(Call(call_type="flow_signal", direction=with_flow, label=f"{c.direction} ({c.size})",
                        flow_usd=flow, **common))
    if f.history.base_rate is not None and c.base_rate != "none":  # the contrarian section's verdict
        direction = {"contrarian": against, "confirming": with_flow, "mixed": "neutral"}[c.base_rate]
        out.append(Call(call_type="contrarian", direction=direction, label=c.base_rate, flow_usd=flow, **common))
    # the direct trade idea: follow or fade the flow; "wait" says the flow alone justifies no position
    direct = {"follow": with_flow, "fade": against, "wait": "neutral"}[c.stance]
    out.append(Call(call_type="trade_direct", direction=direct, label=c.stance, flow_usd=flow, **common))
    opposite = context.get("opposite") or []
    if opposite and c.stance == "follow":  # the pair idea: long the fund money goes to, short the one it leaves
        other = opposite[0].ticker
        label = f"long {other} / short {f.ticker}" if c.outflow else f"long {f.ticker} / short {other}"
        out.append(Call(call_type="trade_pair", direction=with_flow, label=label, flow_usd=flow, against=other,
                        **common))
    return out
