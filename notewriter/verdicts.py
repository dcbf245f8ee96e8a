"""Rules: facts -> verdicts. Decide what matters and how strongly, before any wording is chosen.

Every comparison a document's wording depends on is made here, with its threshold from `Rules`, so the
templates only choose words for verdicts they are given.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from .config import Rules
from .facts.models import DigestFacts, Fact, Frozen, FundFacts


def _n(fact: Fact | None) -> float | None:
    return fact.num if fact is not None else None


class FundVerdicts(Frozen):
    direction: Literal["inflow", "outflow", "flat", "unknown"]
    size: Literal["record", "unusual", "elevated", "ordinary", "unknown"]
    liquidity: Literal["small", "meaningful", "large", "unknown"]
    stress: Literal["near", "watch", "far", "none"]
    trend: Literal["up", "down", "flat", "unknown"]
    flow_vs_price: Literal["confirming", "diverging", "unknown"]
    base_rate: Literal["contrarian", "confirming", "mixed", "none"]
    adv_material: bool = False
    large_fund: bool = False
    units_unchanged: bool = False
    split_only: bool = False
    units_changed: bool = False
    vendor_partial: bool = False
    past_stress: bool = False
    below_high: bool = False
    run: bool = False
    ytd_agree: bool | None = None
    quarter_end_separate: bool = False
    holdings_dated: bool = False
    holdings_undated: bool = False
    total_return_differs: bool = False
    category_flow: Literal["in", "out", "flat", "unknown"] = "unknown"
    stance: Literal["follow", "fade", "wait"] = "wait"  # the one trade decision every section follows
    asset_class: Literal["equity", "fixed income", "commodity", "digital assets"] = "equity"
    ytd_series: str = "flows estimated from share counts"  # the series a partial "year to date" sum comes from
    ytd_basis: str = "estimated from share counts"
    ytd_other_basis: str = "vendor-reported"
    quarters_driver: str = "earnings and the rate path"

    @property
    def outflow(self) -> bool:
        return self.direction == "outflow"

    @property
    def inflow(self) -> bool:
        return self.direction == "inflow"

    @property
    def moving(self) -> bool:
        return self.direction in ("inflow", "outflow")


# Asset class from the fund's category (Morningstar-style names); the first pattern that matches wins.
ASSET_CLASSES = (
    (re.compile(r"Precious Metals|Natural Resources|Energy", re.I), "equity"),
    (re.compile(r"Commodit", re.I), "commodity"),
    (re.compile(r"Digital Assets|Bitcoin|Crypto", re.I), "digital assets"),
    (re.compile(r"Bond|Government|Treasur|Muni|Inflation-Protected|Ultrashort|Money Market|Leveraged Debt|"
                r"Preferred", re.I), "fixed income"),
)
# What decides a quarter for each asset class (the words a note uses for it).
QUARTER_DRIVERS = {"equity": "earnings and the rate path", "fixed income": "the rate path and credit spreads",
                   "commodity": "the dollar, real rates and supply", "digital assets": "risk appetite and regulation"}
# Government bond funds carry no credit risk to speak of: rates and the curve decide their quarter.
_GOVERNMENT = re.compile(r"Government|Treasur", re.I)


def asset_class(category: str | None) -> str:
    """equity, fixed income, commodity or digital assets, read from a fund's category (equity when unknown)."""
    for rx, cls in ASSET_CLASSES:
        if category and rx.search(category):
            return cls
    return "equity"


def fund_verdicts(f: FundFacts, rules: Rules) -> FundVerdicts:
    fl, h, p = f.flow, f.history, f.price
    net = _n(fl.net_usd)
    no_unit_change = fl.shares_change is not None and fl.shares_change.num == 0
    tiny = fl.pct_of_aum is not None and abs(fl.pct_of_aum.num) < rules.flat_pct_of_aum
    if net is None:
        direction = "unknown"
    elif round(abs(net) / rules.flat_usd) == 0 or no_unit_change or tiny:
        direction = "flat"  # under half a basis point of assets, or units back where they started
    else:
        direction = "inflow" if net > 0 else "outflow"

    z = _n(h.zscore)
    if direction in ("unknown", "flat"):
        size = "unknown" if direction == "unknown" else "ordinary"
    elif h.largest_same_sign:
        size = "record"
    elif z is not None:
        by_z = 2 if abs(z) >= rules.z_unusual else 1 if abs(z) >= rules.z_elevated else 0
        by_pct = 0
        if h.percentile is not None:
            # how far into its own direction's tail the flow sits: 95 = larger than 95% of earlier windows
            tail = h.percentile.num if direction == "inflow" else 100 - h.percentile.num
            by_pct = 2 if tail >= rules.percentile_unusual else 1 if tail >= rules.percentile_elevated else 0
        size = ("ordinary", "elevated", "unusual")[max(by_z, by_pct)]
    elif fl.pct_of_aum is not None:
        a = abs(fl.pct_of_aum.num)
        size = "unusual" if a >= rules.pct_unusual else "elevated" if a >= rules.pct_elevated else "ordinary"
    else:
        size = "unknown"

    d = _n(fl.adv_days)
    liquidity = ("unknown" if d is None else "small" if d < rules.adv_meaningful
                 else "meaningful" if d < rules.adv_large else "large")

    c10 = _n(h.cum_10d_pct)
    if c10 is None or c10 >= 0:
        stress = "none"
    else:
        share = abs(c10) / f.config.stress_pct.num
        stress = "near" if share >= rules.stress_near else "watch" if share >= rules.stress_watch else "far"

    mom = _n(h.momentum_1m) if h.momentum_1m is not None else _n(p.window_change)
    trend = ("unknown" if mom is None else "up" if mom > rules.momentum_trend
             else "down" if mom < -rules.momentum_trend else "flat")
    # the same move the notes print next to the verdict: one-month momentum, else the window's change
    if direction in ("inflow", "outflow") and mom is not None and abs(mom) > rules.momentum_flat:
        flow_vs_price = "confirming" if (mom > 0) == (direction == "inflow") else "diverging"
    else:
        flow_vs_price = "unknown"

    br = h.base_rate
    if br is None:
        base_rate = "none"
    else:
        share = br.reversal_share.num
        base_rate = ("contrarian" if share >= rules.base_rate_contrarian
                     else "confirming" if share <= rules.base_rate_confirming else "mixed")

    big = direction in ("inflow", "outflow") and size in ("record", "unusual", "elevated")
    stance = ("fade" if big and base_rate == "contrarian" else
              "follow" if big and flow_vs_price != "diverging" and base_rate != "contrarian" else "wait")
    return FundVerdicts(
        stance=stance,
        direction=direction, size=size, liquidity=liquidity, stress=stress, trend=trend,
        flow_vs_price=flow_vs_price, base_rate=base_rate,
        adv_material=d is not None and d >= rules.adv_material,
        large_fund=fl.aum_usd is not None and fl.aum_usd.num >= rules.large_fund_usd,
        units_unchanged=(fl.shares_start is not None and fl.shares_end is not None
                         and fl.shares_start.num == fl.shares_end.num),
        split_only=fl.split_ratio is not None and no_unit_change,
        units_changed=fl.shares_change is not None and fl.shares_change.num != 0,
        vendor_partial=(fl.vendor_days is not None and fl.sessions is not None
                        and fl.vendor_days.num < fl.sessions.num),
        past_stress=h.stress_gap_pct is not None and h.stress_gap_pct.num <= 0,
        below_high=p.off_high_pct is not None and p.off_high_pct.num < -rules.at_high_tolerance,
        run=h.streak_days is not None and abs(h.streak_days.num) >= rules.min_streak,
        ytd_agree=((h.ytd_usd.num >= 0) == (p.ytd_return.num >= 0)
                   if h.ytd_usd is not None and h.ytd_since is None and p.ytd_return is not None else None),
        quarter_end_separate=f.dates.quarter_end.value != f.dates.month_end.value,
        asset_class=(cls := asset_class(f.identity.category)),
        quarters_driver=("the rate path and the shape of the yield curve"
                         if cls == "fixed income" and _GOVERNMENT.search(f.identity.category or "")
                         else QUARTER_DRIVERS[cls]),
        ytd_series=("flows estimated from share counts" if h.ytd_usd is None or h.ytd_usd.basis != "vendor"
                    else "vendor flows"),
        ytd_basis=("estimated from share counts" if h.ytd_usd is None or h.ytd_usd.basis != "vendor"
                   else "as reported by the vendor"),
        ytd_other_basis=("vendor-reported" if h.ytd_usd is None or h.ytd_usd.basis != "vendor"
                         else "share-count estimate"),
        holdings_undated=f.holdings_undated,
        category_flow=("unknown" if f.category_net_usd is None or f.category_funds is None or f.category_funds.num < 2
                       else "flat" if round(abs(f.category_net_usd.num) / rules.flat_usd) == 0
                       or (fl.aum_usd is not None and abs(f.category_net_usd.num) < rules.flat_pct_of_aum * fl.aum_usd.num)
                       else "in" if f.category_net_usd.num > 0 else "out"),
        total_return_differs=(p.ytd_total_return is not None and p.ytd_return is not None
                              and abs(p.ytd_total_return.num - p.ytd_return.num) >= rules.total_return_gap),
        holdings_dated=(f.holdings_as_of is not None
                        and (f.as_of - date.fromisoformat(f.holdings_as_of.value)).days > rules.holdings_current_days),
    )


class DigestVerdicts(Frozen):
    no_flows: bool
    quarter_end_separate: bool
    flat: bool = False                    # funds have flow data, but none took in or lost money
    against_year: bool = False
    # the inflow fund against the outflow fund over the year: "laggard", "leader" or "even" (gap too small)
    year_leader: str = "even"
    # does each fund's flow go the way of its own one-month momentum: "follow", "against" or "mixed"
    momentum: str = "mixed"
    inflow_follows: bool = False
    outflow_follows: bool = False
    same_category: bool = False
    same_index: bool = False
    both_categories: bool = False
    strain_in: bool = False               # the inflow is large against its fund's dollar volume
    strain_out: bool = False
    inflow_year_outflows: bool = False
    year_end_leader: str | None = None    # None when the analog's year-end returns are too close to call


def digest_verdicts(d: DigestFacts, rules: Rules) -> DigestVerdicts:
    v: dict = {"no_flows": d.funds_with_flows.num == 0,
               "flat": d.funds_with_flows.num > 0 and not d.inflows and not d.outflows,
               "quarter_end_separate": d.dates.quarter_end.value != d.dates.month_end.value}
    r = d.rotation
    if r is not None:
        a, b = r.inflow, r.outflow
        if a.ytd_flows_usd is not None and b.ytd_flows_usd is not None:
            v["against_year"] = a.ytd_flows_usd.num < 0 < b.ytd_flows_usd.num
        v["inflow_year_outflows"] = a.ytd_flows_usd is not None and a.ytd_flows_usd.num < 0
        if a.ytd_return is not None and b.ytd_return is not None:
            gap = a.ytd_return.num - b.ytd_return.num
            v["year_leader"] = ("even" if abs(gap) < rules.leader_gap else "laggard" if gap < 0 else "leader")
        an = r.analog
        if an is not None:
            ya, yb = an.inflow.ret("year_end"), an.outflow.ret("year_end")
            if ya is not None and yb is not None and abs(ya.ret.num - yb.ret.num) >= rules.leader_gap:
                v["year_end_leader"] = an.inflow.ticker if ya.ret.num > yb.ret.num else an.outflow.ticker
    if len(d.notes) == 2:
        fi, fo = d.notes
        ci, co = fi.identity.category, fo.identity.category
        v["same_category"] = bool(ci) and ci == co
        v["both_categories"] = bool(ci) and bool(co)
        v["same_index"] = fi.tracks is not None and fi.tracks == fo.tracks
        if fi.history.momentum_1m is not None and fo.history.momentum_1m is not None:
            v["inflow_follows"] = fi.history.momentum_1m.num > 0
            v["outflow_follows"] = fo.history.momentum_1m.num < 0
            v["momentum"] = ("follow" if v["inflow_follows"] and v["outflow_follows"] else
                             "against" if not v["inflow_follows"] and not v["outflow_follows"] else "mixed")
        v["strain_in"] = fi.flow.adv_days is not None and fi.flow.adv_days.num >= rules.adv_large
        v["strain_out"] = fo.flow.adv_days is not None and fo.flow.adv_days.num >= rules.adv_large
    return DigestVerdicts(**v)
