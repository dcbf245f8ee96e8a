"""Rules: facts -> claims. Decide what matters and how strongly, before any wording is chosen."""

from __future__ import annotations

from typing import Literal

from .facts.models import Frozen, FundFacts

Stance = Literal["bullish", "bearish", "neutral"]


class Claim(Frozen):
    kind: str
    subject: str
    refs: tuple[str, ...]
    stance: Stance
    strength: float


class Claims(Frozen):
    direction: Literal["inflow", "outflow", "flat", "unknown"]
    size: Literal["record", "unusual", "elevated", "ordinary", "unknown"]
    liquidity: Literal["small", "meaningful", "large", "unknown"]
    stress: Literal["near", "watch", "far", "none"]
    trend: Literal["up", "down", "flat", "unknown"]
    flow_vs_price: Literal["confirming", "diverging", "unknown"]
    base_rate: Literal["contrarian", "confirming", "mixed", "none"]
    items: tuple[Claim, ...]

    @property
    def outflow(self) -> bool:
        return self.direction == "outflow"

    @property
    def inflow(self) -> bool:
        return self.direction == "inflow"


def _stance(sign: float) -> Stance:
    return "bullish" if sign > 0 else "bearish" if sign < 0 else "neutral"


def make_claims(f: FundFacts) -> Claims:
    items: list[Claim] = []
    net = f.flow.net_usd.num if f.flow.net_usd is not None else None
    no_unit_change = f.flow.shares_change is not None and f.flow.shares_change.num == 0
    tiny = f.flow.pct_of_aum is not None and abs(f.flow.pct_of_aum.num) < 0.00005
    if net is None:
        direction = "unknown"
    elif round(abs(net) / 1e5) == 0 or no_unit_change or tiny:
        direction = "flat"  # under half a basis point of assets, or units back where they started
    else:
        direction = "inflow" if net > 0 else "outflow"

    z = f.history.zscore.num if f.history.zscore is not None else None
    if direction in ("unknown", "flat"):
        size = "unknown" if direction == "unknown" else "ordinary"
    elif f.history.largest_same_sign:
        size = "record"
    elif z is not None:
        size = "unusual" if abs(z) >= 2 else "elevated" if abs(z) >= 1 else "ordinary"
        pctile = f.history.percentile.num if f.history.percentile is not None else 50
        if size == "ordinary" and (pctile <= 5 or pctile >= 95):
            size = "elevated"  # a tail percentile with a small z-score: fat-tailed history, still not routine
    elif f.flow.pct_of_aum is not None:
        a = abs(f.flow.pct_of_aum.num)
        size = "unusual" if a >= 0.02 else "elevated" if a >= 0.005 else "ordinary"
    else:
        size = "unknown"
    if net is not None and direction in ("inflow", "outflow"):
        strength = {"record": 1.0, "unusual": 0.8, "elevated": 0.5, "ordinary": 0.2, "unknown": 0.3}[size]
        items.append(Claim(kind="flow_size", subject=f.ticker, refs=("flow.net_usd", "history.zscore"),
                           stance=_stance(net), strength=strength))

    if f.flow.adv_days is None:
        liquidity = "unknown"
    else:
        d = f.flow.adv_days.num
        liquidity = "small" if d < 0.25 else "meaningful" if d < 1 else "large"

    c10 = f.history.cum_10d_pct.num if f.history.cum_10d_pct is not None else None
    if c10 is None or c10 >= 0:
        stress = "none"
    else:
        share = abs(c10) / f.config.stress_pct.num
        stress = "near" if share >= 0.75 else "watch" if share >= 0.25 else "far"
    if stress in ("near", "watch"):
        items.append(Claim(kind="stress", subject=f.ticker, refs=("history.cum_10d_pct", "config.stress_pct"),
                           stance="bearish", strength=0.9 if stress == "near" else 0.5))

    mom = f.history.momentum_1m.num if f.history.momentum_1m is not None else (
        f.price.window_change.num if f.price.window_change is not None else None)
    if mom is None:
        trend = "unknown"
    else:
        trend = "up" if mom > 0.01 else "down" if mom < -0.01 else "flat"
    if trend in ("up", "down"):
        items.append(Claim(kind="momentum", subject=f.ticker, refs=("history.momentum_1m",),
                           stance=_stance(mom), strength=min(1.0, abs(mom) / 0.05)))

    # the same move the notes print next to the verdict: one-month momentum, else the window's change
    if direction in ("inflow", "outflow") and mom is not None and abs(mom) > 0.0005:
        flow_vs_price = "confirming" if (mom > 0) == (direction == "inflow") else "diverging"
    else:
        flow_vs_price = "unknown"

    br = f.history.base_rate
    if br is None:
        base_rate = "none"
    else:
        share = br.reversal_share.num
        base_rate = "contrarian" if share >= 0.6 else "confirming" if share <= 0.4 else "mixed"
        items.append(Claim(kind="base_rate", subject=f.ticker, refs=("history.base_rate.reversal_share",),
                           stance="neutral", strength=abs(share - 0.5) * 2))

    for c in f.components:
        if c.day_change is not None and abs(c.day_change.num) >= 0.01:
            items.append(Claim(kind="component_move", subject=c.ticker, refs=(f"components.{c.ticker}.day_change",),
                               stance=_stance(c.day_change.num), strength=min(1.0, abs(c.day_change.num) / 0.05)))
    return Claims(direction=direction, size=size, liquidity=liquidity, stress=stress, trend=trend,
                  flow_vs_price=flow_vs_price, base_rate=base_rate, items=tuple(items))
