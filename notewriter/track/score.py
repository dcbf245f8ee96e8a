"""Scoring: every call whose horizon ended by a date, against the prices known at that date.

A call's return runs from its entry price (the next session's open, or the as-of close) to the close of the
h-th session after its date. Its `signed` return is the return in the call's direction (down calls gain when
the price falls); `excess` is the same over the benchmark's return across the same sessions (a pair call is
its own benchmark; with the `category` benchmark, the equal-weighted return of the other funds of its category
that made calls; a call on the benchmark fund itself has none). A directional call is a hit when its signed
return is above zero; neutral calls are not hits or misses, they are counted and read in the sentiment
calibration.

Calls on one fund whose horizons overlap share most of their return, so they are not independent evidence:
for each fund, call type, direction, window and horizon, only calls made on or after the end of the last
counted call's horizon are counted (`independent`); every statistic is computed on those, and the rest are
reported as overlapping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Iterable

from . import stats
from .calls import BANDS, Call
from .prices import PriceBook, horizon_end

GROUP_KEYS = ("call_type", "category", "ticker", "window", "direction", "label")
CATEGORY = "category"  # a benchmark: the equal-weighted return of the other funds of the call's category


@dataclass(frozen=True)
class Outcome:
    """One call at one horizon, scored."""

    call: Call
    horizon: int
    end: date
    ret: float | None = None       # the fund's return from entry to the end close (a pair: fund minus other)
    bench: float | None = None     # the benchmark's return over the same sessions
    independent: bool = False

    @property
    def priced(self) -> bool:
        return self.ret is not None

    @property
    def sign(self) -> int:
        return {"up": 1, "down": -1, "neutral": 0}[self.call.direction]

    @property
    def signed(self) -> float | None:
        return None if self.ret is None or not self.sign else self.sign * self.ret

    @property
    def excess(self) -> float | None:
        if self.ret is None or not self.sign:
            return None
        if self.call.against is not None:
            return self.signed
        return None if self.bench is None else self.sign * (self.ret - self.bench)

    @property
    def hit(self) -> bool | None:
        return None if self.signed is None else self.signed > 0


def outcomes(calls: Iterable[Call], book: PriceBook, as_of: date, horizons: tuple[int, ...] | None = None
             ) -> tuple[list[Outcome], int]:
    """The outcomes of every call whose horizon ended on or before `as_of`, and the number still pending."""
    out: list[Outcome] = []
    pending = 0
    calls = list(calls)
    members: dict[str, set[str]] = {}
    for call in calls:
        if call.category:
            members.setdefault(call.category, set()).add(call.ticker)
    for call in calls:
        for h in horizons or call.horizons:
            if h not in call.horizons:
                continue
            end = horizon_end(call.as_of, h)
            if end > as_of:
                pending += 1
                continue
            ret = book.forward(call.ticker, call.as_of, call.entry, end)
            bench = None
            if ret is not None and call.against is not None:
                other = book.forward(call.against, call.as_of, call.entry, end)
                ret = None if other is None else ret - other
            elif ret is not None and call.benchmark == CATEGORY:
                peers = [book.forward(t, call.as_of, call.entry, end)
                         for t in sorted(members.get(call.category or "", set()) - {call.ticker})]
                peers = [r for r in peers if r is not None]
                bench = sum(peers) / len(peers) if peers else None
            elif ret is not None and call.benchmark != call.ticker:  # the benchmark itself has no excess return
                bench = book.forward(call.benchmark, call.as_of, call.entry, end)
            out.append(Outcome(call=call, horizon=h, end=end, ret=ret, bench=bench))
    return _mark_independent(out), pending


def _mark_independent(items: list[Outcome]) -> list[Outcome]:
    """Per fund, call type, direction, window and horizon: a priced call counts when it was made on or after
    the end of the last counted call's horizon. (A call the other way is another signal; the citation in a
    note counts the calls in its own direction the same way, so the two always agree.)"""
    key = lambda o: (o.call.ticker, o.call.call_type, o.call.direction, o.call.window, o.horizon)  # noqa: E731
    marked: list[Outcome] = []
    for _, group in groupby(sorted(items, key=lambda o: (*key(o), o.call.as_of)), key=key):
        last_end = None
        for o in group:
            ok = o.priced and (last_end is None or o.call.as_of >= last_end)
            if ok:
                last_end = o.end
            marked.append(Outcome(o.call, o.horizon, o.end, o.ret, o.bench, ok))
    return marked


def summary(items: list[Outcome]) -> dict:
    """Counts, hit rate (Wilson 95% interval, binomial test against one half), mean and median signed and
    excess returns with the excess return's t-statistic, over the independent calls."""
    counted = [o for o in items if o.independent]
    directional = [o for o in counted if o.sign]
    hits = sum(1 for o in directional if o.hit)
    n = len(directional)
    signed = [o.signed for o in directional]
    excess = [o.excess for o in directional if o.excess is not None]
    ci = stats.wilson(hits, n)
    return {
        "calls": len(items), "priced": sum(1 for o in items if o.priced), "independent": len(counted),
        "overlapping": sum(1 for o in items if o.priced and not o.independent),
        "directional": n, "neutral": len(counted) - n, "hits": hits,
        "hit_rate": hits / n if n else None, "wilson_low": ci[0] if ci else None,
        "wilson_high": ci[1] if ci else None, "p_value": stats.binom_p(hits, n),
        "mean_return": stats.mean(signed), "median_return": stats.median(signed),
        "mean_excess": stats.mean(excess), "median_excess": stats.median(excess),
        "t_excess": stats.t_stat(excess), "excess_n": len(excess),
    }


def table(items: list[Outcome], by: tuple[str, ...]) -> list[dict]:
    """One summary row per group of `by` (call attributes) and horizon, sorted."""
    for k in by:
        if k not in GROUP_KEYS:
            raise ValueError(k)
    key = lambda o: tuple(str(getattr(o.call, k) or "") for k in by) + (o.horizon,)  # noqa: E731
    rows = []
    for values, group in groupby(sorted(items, key=key), key=key):
        rows.append({**dict(zip(by, values[:-1])), "horizon": values[-1], **summary(list(group))})
    return rows


def calibration(items: list[Outcome]) -> list[dict]:
    """Sentiment bands, most bearish first, at each horizon: independent calls, the mean and median raw
    return (not signed), the share that rose, and the mean return over the benchmark."""
    rows = []
    sent = [o for o in items if o.call.call_type == "sentiment" and o.independent]
    for h in sorted({o.horizon for o in sent}):
        for band in BANDS:
            group = [o for o in sent if o.horizon == h and o.call.label == band]
            if not group:
                continue
            rets = [o.ret for o in group]
            over = [o.ret - o.bench for o in group if o.bench is not None]
            up = sum(1 for r in rets if r > 0)
            rows.append({"horizon": h, "band": band, "calls": len(group), "mean_return": stats.mean(rets),
                         "median_return": stats.median(rets), "rose": up, "rose_share": up / len(group),
                         "mean_over_benchmark": stats.mean(over)})
    return rows


def ordered(calib: list[dict]) -> dict[int, bool]:
    """Per horizon: whether the mean return rises band by band from Bearish to Bullish (bands with calls)."""
    out = {}
    for h in sorted({r["horizon"] for r in calib}):
        means = [r["mean_return"] for r in calib if r["horizon"] == h]
        out[h] = len(means) > 1 and all(a < b for a, b in zip(means, means[1:]))
    return out


def score_store(store, book: PriceBook, as_of: date, by: tuple[str, ...] = ("call_type",)) -> dict:
    """Every call of `store` due by `as_of`, scored against `book` (prices cut at `as_of`)."""
    calls = store.calls(until=as_of)
    items, pending = outcomes(calls, book, as_of)
    calib = calibration(items)
    return {"as_of": as_of, "by": list(by), "benchmark": store.meta("benchmark") or "the benchmark",
            "recorded": len(calls), "pending": pending, "rows": table(items, by), "calibration": calib,
            "ordered": ordered(calib)}
