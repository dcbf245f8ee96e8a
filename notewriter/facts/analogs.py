"""Universe views: leaderboards, rotation pairs and their historical analogs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..config import Rules
from . import arrays
from .arrays import round_down_125
from .build import _FactMaker, _iso, config_facts, window_start
from .models import Analog, AnalogSide, ForwardReturn, LeaderRow, Rotation, RotationSide
from .panel import Panel, Snapshot


def leaderboard(panel: Panel, snap: Snapshot, size: int) -> tuple[tuple[LeaderRow, ...], tuple[LeaderRow, ...]]:
    """Top inflows and top outflows over the snapshot's window, each ranked from 1."""
    table = panel.window_table(snap)
    table = table[table["net_usd"].notna()]
    as_of = snap.as_of.date()

    def rows(frame, ascending):
        out = []
        for rank, r in enumerate(frame.sort_values(["net_usd", "ticker"], ascending=[ascending, True])
                                 .head(size).itertuples(), start=1):
            F = _FactMaker(r.ticker, as_of)
            out.append(LeaderRow(ticker=r.ticker, name=r.name, category=r.category or None,
                                 rank=F(rank, "count", "derived"),
                                 net_usd=F(float(r.net_usd), "usd", r.source, change=True)))
        return tuple(out)

    return rows(table[table["net_usd"] > 0], False), rows(table[table["net_usd"] < 0], True)


def window_sums(panel: Panel, ticker: str, n: int, upto: int) -> np.ndarray:
    """The fund's flow summed over every n-session window ending at rows 0..upto (NaN when not covered)."""
    j = panel.fcol[ticker]
    est = bool(panel.sh_first[j] < len(panel.sessions)) and (panel.sh_first[j] <= upto)
    series = panel.est_series[:upto + 1, j] if est else panel.vendor_series[:upto + 1, j]
    first_cov = panel.sh_first[j] + 1 if est else panel.v_first[j]
    ends = np.arange(upto + 1)[:, None]
    return arrays.window_sums(arrays.cumulative(series[:, None]), np.array([first_cov]), ends, n)[:, 0]


def forward_return(panel: Panel, ticker: str, from_row: int, to_row: int) -> float | None:
    """Split-adjusted price return from one session's close to another's."""
    j = panel.tcol[ticker]
    a, b = panel.adj_ffill[from_row, j], panel.adj_ffill[to_row, j]
    if not (math.isfinite(a) and math.isfinite(b)) or a <= 0:
        return None
    return float(b / a - 1)


def find_analog(panel: Panel, inflow: str, outflow: str, flow_in: float, flow_out: float, as_of_row: int,
                n: int) -> Analog | None:
    """The most recent earlier window (ending before this one starts) with flow(A) >= thr_a and flow(B) <= -thr_b.

    Thresholds are |flow_in| and |flow_out| rounded down on the 1-2-5 scale. Forward returns run from the
    analog's close to the close at the end of its year (only when that year has ended by `as_of_row`), and
    1 and 3 calendar months later (only when that date has passed).
    """
    thr_a, thr_b = round_down_125(flow_in), round_down_125(flow_out)
    if thr_a <= 0 or thr_b <= 0:
        return None
    last = as_of_row - n  # windows ending here or earlier do not overlap the current one
    if last < 0:
        return None
    a = window_sums(panel, inflow, n, last)
    b = window_sums(panel, outflow, n, last)
    hits = np.flatnonzero((a >= thr_a) & (b <= -thr_b))
    if not len(hits):
        return None
    r = int(hits[-1])
    d = panel.sessions[r]
    as_of = panel.sessions[as_of_row]
    targets = []
    year_end = panel.sessions[panel.sessions.year == d.year][-1] if (panel.sessions.year == d.year).any() else None
    from .. import calendar

    cal_year_end = calendar.session_on_or_before(pd.Timestamp(d.year, 12, 31))
    if year_end is not None and cal_year_end <= as_of and year_end == cal_year_end:
        targets.append(("year_end", cal_year_end))
    for key, months in (("1m", 1), ("3m", 3)):
        t = calendar.session_on_or_before(d + pd.DateOffset(months=months))
        if t <= as_of:
            targets.append((key, t))

    def side(ticker, flow, thr):
        F = _FactMaker(ticker, as_of.date())
        rets = []
        for key, t in targets:
            value = forward_return(panel, ticker, r, panel.row_of(t))
            if value is not None:
                rets.append(ForwardReturn(horizon=key, end=F(_iso(t), "date", "calendar XNYS", ticker=None),
                                          ret=F(value, "pct", panel.source.path_of("prices", ticker), change=True,
                                                inputs=("Close",))))
        return AnalogSide(ticker=ticker, threshold_usd=F(thr, "usd", "derived", inputs=("flow.net_usd",)),
                          flow_usd=F(float(flow), "usd", "derived", change=True), returns=tuple(rets))

    F0 = _FactMaker(None, as_of.date())
    return Analog(date=F0(_iso(d), "date", "derived", ticker=None), inflow=side(inflow, a[r], thr_a),
                  outflow=side(outflow, b[r], thr_b))


def rotations(panel: Panel, snap: Snapshot, inflows, outflows, pairs: int = 3) -> tuple[Rotation, ...]:
    """The largest inflows paired with the largest outflows, headline first, each with its analog."""
    out = []
    as_of = snap.as_of.date()
    for k in range(min(pairs, len(inflows), len(outflows))):
        a, b = inflows[k], outflows[k]

        def side(row):
            F = _FactMaker(row.ticker, as_of)
            T = snap.trow(panel, row.ticker)
            R = snap.frow(panel, row.ticker)
            ytd = T["ytd_return"]
            return RotationSide(
                ticker=row.ticker, name=row.name, net_usd=row.net_usd,
                ytd_return=F(float(ytd) if math.isfinite(ytd) else None, "pct",
                             panel.source.path_of("prices", row.ticker), change=True, inputs=("Close",)),
                ytd_flows_usd=F(float(R["ytd_usd"]) if math.isfinite(R["ytd_usd"]) and R["ytd_full"] else None,
                                "usd", "derived",
                                change=True))

        F0 = _FactMaker(None, as_of)
        analog = find_analog(panel, a.ticker, b.ticker, a.net_usd.num, b.net_usd.num, snap.i, snap.n)
        firsts = []
        for t in (a.ticker, b.ticker):
            jj = panel.fcol[t]
            firsts.append(min(panel.sh_first[jj] + 1, panel.v_first[jj]))
        start = panel.sessions[min(max(firsts), len(panel.sessions) - 1)]
        out.append(Rotation(inflow=side(a), outflow=side(b),
                            threshold_in=F0(round_down_125(a.net_usd.num), "usd", "derived", ticker=a.ticker),
                            threshold_out=F0(round_down_125(b.net_usd.num), "usd", "derived", ticker=b.ticker),
                            analog=analog, searched_from=F0(_iso(start), "date", "derived")))
    return tuple(out)


__all__ = ["Rules", "config_facts", "find_analog", "forward_return", "leaderboard", "rotations", "window_start",
           "window_sums"]
