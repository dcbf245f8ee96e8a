"""build_facts: one fund, one date, one window -> a frozen FundFacts."""

from __future__ import annotations

import math
import re
from datetime import date

import numpy as np
import pandas as pd

from .. import calendar, reference
from ..config import Rules
from ..errors import UsageError
from ..sources.base import Source
from .guards import input_flags
from .panel import WINDOW_SESSIONS, Panel, panel_for
from .schedule import _iso, dates_facts
from .series import chart_series
from .models import (
    BaseRate, Component, Config, Fact, Flow, FundFacts, History, Identity, Peer, Price, QualityFlag,
    Window,
)

# fund-info fields that describe the fund rather than its state on a date: usable whenever fetched
_IDENTITY_FIELDS = ("longName", "shortName", "category", "fundFamily", "fetchedAt")
_CASH_NAME = re.compile(r"\b(cash|treasury sl agency|money market|futures?|fut\b|usd cash)", re.I)


def window_start(as_of: pd.Timestamp, window: Window) -> pd.Timestamp:
    """The session the window is measured from (its close is the starting point)."""
    if window == "1d":
        all_sessions = calendar.sessions()
        return all_sessions[all_sessions.searchsorted(as_of, side="left") - 1]
    if window == "1w":
        return calendar.session_on_or_before(as_of - pd.Timedelta(days=7))
    if window == "1m":
        return calendar.session_on_or_before(as_of - pd.DateOffset(months=1))
    if window == "ytd":
        return calendar.session_on_or_before(pd.Timestamp(as_of.year - 1, 12, 31))
    raise UsageError(f"unknown window {window!r}; expected one of 1d, 1w, 1m, ytd")


class _FactMaker:
    """Stamps every fact with ticker, as-of and source so provenance is never forgotten."""

    def __init__(self, ticker: str, as_of: date):
        self.ticker = ticker
        self.as_of = as_of

    def __call__(self, value, kind, source, *, ticker=..., inputs=(), change=False, basis=None, as_of=None):
        if value is None:
            return None
        if isinstance(value, (float, np.floating)):
            if not math.isfinite(float(value)):
                return None
            value = float(value)
        elif isinstance(value, (np.integer,)):
            value = int(value)
        return Fact(value=value, kind=kind, ticker=self.ticker if ticker is ... else ticker, source=source,
                    as_of=as_of or self.as_of, inputs=tuple(inputs), change=change, basis=basis)


def _flag(F, code: str, text: str, touches: bool = False, **values) -> QualityFlag:
    """A quality flag whose message numbers and dates are facts too, so the checker can trace them."""
    facts, shown = [], {}
    for key, (value, kind) in values.items():
        if kind == "date":
            d = pd.Timestamp(value).date()
            shown[key] = f"{d:%B} {d.day}, {d.year}"
            facts.append(F(d.isoformat(), "date", "derived"))
        else:  # a count, or a multiple such as a guard's threshold ("more than 5 times")
            shown[key] = f"{int(value):,}" if kind != "ratio" or float(value).is_integer() else f"{value:,.1f}"
            facts.append(F(int(value), "count", "derived") if kind != "ratio" else F(float(value), "ratio", "config"))
    return QualityFlag(code=code, message=text.format(**shown), touches_numbers=touches, facts=tuple(facts),
                       template=text, names=tuple(values))


def build_facts(ticker: str, as_of: date | str | None, window: Window, source: Source,
                settings: Rules | None = None, peers: pd.DataFrame | None = None,
                panel: Panel | None = None) -> FundFacts:
    """Every fact a note about `ticker` over `window` ending `as_of` may state.

    The numbers come from the universe panel (built once per source, see `facts.panel`); `peers` is the
    universe's flow table for the same window and is computed from the panel when not given.
    """
    settings = settings or Rules()
    ticker = ticker.upper()
    if window not in WINDOW_SESSIONS:
        raise UsageError(f"unknown window {window!r}; expected one of 1d, 1w, 1m, ytd")
    panel = panel or panel_for(source)
    panel.check_ticker(ticker)
    j = panel.tcol[ticker]
    first_row = int(panel.first_row[j])
    if first_row >= len(panel.sessions):
        raise UsageError(f"{source.path_of('prices', ticker)} has no price rows for {ticker}")
    requested = pd.Timestamp(as_of) if as_of is not None else panel.sessions[int(panel.lp[-1, j])]
    asof_ts = calendar.session_on_or_before(requested)
    i_req = panel.row_of(asof_ts)
    if i_req < 0 or panel.lp[min(i_req, len(panel.sessions) - 1), j] < 0:
        raise UsageError(f"{ticker} has no prices on or before {requested.date()} "
                         f"(its prices start {panel.sessions[first_row].date()})")
    last_ts = panel.sessions[int(panel.lp[min(i_req, len(panel.sessions) - 1), j])]
    as_of_d = last_ts.date()
    start_ts = window_start(last_ts, window)
    snap = panel.snapshot(last_ts, window, start_ts, settings)
    T = snap.trow(panel, ticker)
    F = _FactMaker(ticker, as_of_d)
    p_src = source.path_of("prices", ticker)
    s_src = source.path_of("shares")
    v_src = source.path_of("flows")
    i_src = source.path_of("funds", ticker)
    quality: list[QualityFlag] = []
    if last_ts < asof_ts:
        quality.append(_flag(F, "price_stale", f"prices for {ticker} end {{end}}, before {{asked}}", True,
                             end=(last_ts, "date"), asked=(asof_ts, "date")))
    if panel.price_duplicates.get(ticker):
        quality.append(_flag(F, "duplicate_dates", f"{p_src} repeats {{n}} date(s); the last row of each was used",
                             n=(panel.price_duplicates[ticker], "count")))
    if panel.price_off_session.get(ticker):
        quality.append(_flag(F, "price_non_trading_days", f"{p_src} has {{n}} row(s) on days the exchange was "
                             "closed; they were left out", n=(panel.price_off_session[ticker], "count")))

    info = panel.info.get(ticker) or {}
    fetched_d = _fetched(info)
    if fetched_d is not None and (fetched_d - as_of_d).days > settings.info_grace_days:
        # a snapshot taken after the note's date: its identity may be used, its weights and assets may not
        quality.append(_flag(F, "fund_info_later", f"{i_src} was fetched on {{d}}, well after this note's date, so its "
                             "holdings, sector weights and assets are not used", d=(fetched_d, "date")))
        info = {k: info[k] for k in _IDENTITY_FIELDS if k in info}
    identity = Identity(
        ticker=ticker,
        name=str(info.get("longName") or info.get("shortName") or ticker).strip(),
        category=info.get("category") or None,
        family=info.get("fundFamily") or None,
        expense_ratio=F(info.get("expenseRatio") / 100 if isinstance(info.get("expenseRatio"), (int, float))
                        else None, "pct", i_src),
    )
    price = _price_facts(F, T, last_ts, p_src)
    all_sessions = calendar.sessions()
    sess = all_sessions[(all_sessions > start_ts) & (all_sessions <= last_ts)]

    # ---- flows ---------------------------------------------------------------------------
    flow_kwargs: dict = {}
    R = snap.frow(panel, ticker) if ticker in panel.fcol else None
    shares_ok = bool(R is not None and R["shares_ok"])
    if R is not None:
        if panel.shares_duplicates.get(ticker):
            quality.append(_flag(F, "duplicate_dates", f"{s_src} repeats {{n}} date(s) for {ticker}; the last row "
                                 "of each was used", n=(panel.shares_duplicates[ticker], "count")))
        if panel.vendor_duplicates.get(ticker):
            quality.append(_flag(F, "duplicate_dates", f"{v_src} repeats {{n}} date(s) for {ticker}; the last row "
                                 "of each was used", n=(panel.vendor_duplicates[ticker], "count")))
        if panel.shares_off_session.get(ticker):
            quality.append(_flag(F, "shares_non_trading_days", f"{s_src} dates {{n}} share count(s) for {ticker} on "
                                 "days the exchange was closed; each counts for the session before",
                                 n=(panel.shares_off_session[ticker], "count")))
        off = panel.vendor_off[(panel.vendor_off["ticker"] == ticker) & (panel.vendor_off["date"] <= last_ts)]
        if len(off):
            nonzero = int(off["nonzero"].sum())
            quality.append(_flag(
                F, "vendor_non_trading_days", f"{v_src} has {{n}} row(s) for {ticker} on non-trading days"
                + (", {nz} of them non-zero and left out" if nonzero else ", all zero and left out"), nonzero > 0,
                n=(len(off), "count"), nz=(nonzero, "count")))
    for g in panel.guard_flags.get(ticker, ()):
        quality.append(_flag(F, g.code, g.text, g.touches, **g.values))
    if shares_ok:
        start_obs = panel.sessions[int(R["start_obs"])]
        end_obs = panel.sessions[int(R["last_obs"])]
        s_start, s_end = int(R["shares_start"]), int(R["shares_end"])
        factor = float(R["window_factor"])
        bases = [b for b, on in (("close", R["moved_close"]), ("nav", R["moved_nav"])) if on]
        if not bases:
            bases = ["nav" if R["end_price_nav"] else "close"]
        basis = "nav and close" if len(bases) > 1 else bases[0]
        inputs = (s_src, "nav" if basis != "close" else p_src)
        flow_kwargs = dict(
            method="shares x nav",
            net_usd=F(float(R["est_net"]), "usd", s_src, inputs=inputs, change=True, basis=basis),
            price_basis=basis,
            shares_start=F(s_start, "shares", s_src, as_of=start_obs.date()),
            shares_end=F(s_end, "shares", s_src, as_of=end_obs.date()),
            shares_change=F(s_end - round(s_start * factor), "shares", s_src, change=True),
            shares_change_pct=F(s_end / (s_start * factor) - 1 if s_start else None, "pct", s_src, change=True),
            split_ratio=(F(int(round(factor)) if abs(factor - round(factor)) < 1e-9 else factor,
                           "count" if abs(factor - round(factor)) < 1e-9 else "ratio", p_src)
                         if factor != 1.0 else None),
            aum_usd=F(float(R["aum_est"]), "usd", s_src, inputs=inputs),
            flow_days=F(int(R["flow_days"]), "count", s_src),
        )
        if end_obs < last_ts:
            behind = len(all_sessions[(all_sessions > end_obs) & (all_sessions <= last_ts)])
            quality.append(_flag(
                F, "issuer_lag" if behind == 1 else "shares_end_early",
                f"the latest share count for {ticker} is as of {{obs}}, {{n}} session{'s' if behind != 1 else ''} "
                "before {end}", True, obs=(end_obs, "date"), n=(behind, "count"), end=(last_ts, "date")))
        if R["split_days"]:
            seg = slice(max(snap.s0 + 1, 0), snap.i + 1)
            jf = panel.fcol[ticker]
            for r in np.flatnonzero(panel.split_obs[seg, jf]) + seg.start:
                quality.append(_flag(F, "split", f"the {ticker} share count jump on {{d}} matches a split and is "
                                     "not counted as a flow", True, d=(panel.sessions[r], "date")))
        if R["nav_fallback_days"]:
            quality.append(_flag(F, "nav_fallback", f"no NAV for {ticker} on {{n}} day(s) with share changes, so the closing price "
                                 "was used instead", True, n=(int(R["nav_fallback_days"]), "count")))
        if R["stale_sessions"] >= settings.stale_after_sessions:
            quality.append(_flag(F, "stale_shares", f"the {ticker} share count has not changed for {{n}} sessions, "
                                 "so the issuer may not be updating it", True, n=(int(R["stale_sessions"]), "count")))
    elif R is not None and R["last_obs"] >= 0 and R["last_obs"] <= snap.s0:
        quality.append(_flag(F, "shares_end_early", f"share counts for {ticker} end {{d}}, before this window "
                             "starts", d=(panel.sessions[int(R["last_obs"])], "date")))
    elif R is not None and R["last_obs"] >= 0:
        quality.append(_flag(F, "shares_short", f"share counts for {ticker} begin {{d}}, after the window starts on "
                             "{s}", d=(panel.sessions[int(panel.sh_first[panel.fcol[ticker]])], "date"),
                             s=(start_ts, "date")))

    if R is not None and R["vendor_days"] > 0:
        v_net = float(R["vendor_net"])
        flow_kwargs["vendor_net_usd"] = F(v_net, "usd", v_src, change=True)
        flow_kwargs["vendor_days"] = F(int(R["vendor_days"]), "count", v_src)
        if not shares_ok:
            flow_kwargs.update(method="vendor", net_usd=F(v_net, "usd", v_src, change=True))
            if int(R["vendor_days"]) < len(sess):
                quality.append(_flag(F, "vendor_partial", f"vendor flows for {ticker} cover {{n}} of the window's "
                                     "{m} sessions, so the window's figure is partial", True,
                                     n=(int(R["vendor_days"]), "count"), m=(len(sess), "count")))
    if "method" not in flow_kwargs:
        flow_kwargs["method"] = "unavailable"
        quality.append(_flag(F, "no_flow_data", "no share counts or vendor flows cover {s} to {e}", True,
                             s=(start_ts, "date"), e=(last_ts, "date")))
    if "aum_usd" not in flow_kwargs and isinstance(info.get("totalAssets"), (int, float)) and info["totalAssets"] > 0:
        # a vendor snapshot of total assets is a fact about its fetch date: usable for notes up to a
        # week after it, never for a note dated before it was fetched
        if fetched_d is None or -settings.info_grace_days <= (as_of_d - fetched_d).days <= 7:
            flow_kwargs["aum_usd"] = F(float(info["totalAssets"]), "usd", i_src, as_of=fetched_d)
    net_fact = flow_kwargs.get("net_usd")
    aum_fact = flow_kwargs.get("aum_usd")
    if net_fact is not None and aum_fact is not None and aum_fact.num > 0 \
            and abs(net_fact.num) > settings.max_flow_share * aum_fact.num:
        # a flow this large against the fund's assets is a data error far more often than a real flow
        quality.append(_flag(F, "implausible_flow", f"the flow for {ticker} over this window comes to {{n}}% of its "
                             "assets, beyond the {lim}% this note treats as plausible, so no flow figure is "
                             "published", True, n=(round(abs(net_fact.num) / aum_fact.num * 100), "count"),
                             lim=(round(settings.max_flow_share * 100), "count")))
        flow_kwargs = {"method": "unavailable", "aum_usd": aum_fact}
        net_fact = None
    if net_fact is not None and aum_fact is not None and aum_fact.num > 0:
        flow_kwargs["pct_of_aum"] = F(net_fact.num / aum_fact.num, "pct", "derived", change=True,
                                      inputs=("flow.net_usd", "flow.aum_usd"))
    if net_fact is not None and price.adv_usd is not None and price.adv_usd.num > 0:
        flow_kwargs["adv_days"] = F(abs(net_fact.num) / price.adv_usd.num, "ratio", "derived",
                                    inputs=("flow.net_usd", "price.adv_usd"))
    flow = Flow(window=window, start=F(_iso(start_ts), "date", "calendar XNYS"),
                end=F(_iso(last_ts), "date", "calendar XNYS"), sessions=F(len(sess), "count", "calendar XNYS"),
                **flow_kwargs)

    # ---- history ---------------------------------------------------------------------------
    history = History()
    if R is not None and flow.net_usd is not None:
        hist_src = s_src if R["series_est"] else v_src
        history = _history(F, R, T, hist_src, flow, settings, window, panel.sessions[:snap.i + 1], s_src, v_src)

    components, holdings_as_of, holdings_undated = _components(F, source, panel, snap, ticker, info, settings, quality)
    sectors = tuple(sorted(((str(k), F(float(v), "pct", i_src)) for k, v in
                            (info.get("sectorWeightings") or {}).items() if isinstance(v, (int, float)) and v > 0),
                           key=lambda kv: -kv[1].num))[:3]
    cfg = config_facts(F, settings)
    if flow.net_usd is not None:
        components = tuple(
            comp.model_copy(update={"flow_usd": F(comp.weight.num * flow.net_usd.num, "usd", "derived",
                                                  ticker=comp.ticker, change=True, inputs=("flow.net_usd", "weight"))})
            if comp.weight is not None else comp for comp in components)
    if peers is None:
        by_cat = snap.extra.get("by_category")
        if by_cat is None:  # once per snapshot: the universe's flows grouped by category
            table = panel.window_table(snap)
            table = table[table["net_usd"].notna() & (table["net_usd"].abs() >= 5e5)]
            by_cat = snap.extra["by_category"] = {k: g for k, g in table.groupby("category")}
        peers = by_cat.get(identity.category) if identity.category else None
        if peers is None:
            peers = panel.window_table(snap).iloc[:0]
    index_of = reference.same_index()
    peer_facts = _peers(F, ticker, identity.category, flow, peers, index_of)
    quality += [_flag(_FactMaker(g.about, as_of_d) if g.about else F, g.code, g.text, g.touches, **g.values)
                for g in input_flags(panel, ticker, identity.category if flow.net_usd is not None else None,
                                     [c.ticker for c in components], last_ts, settings.range_weeks)]
    cat_net = cat_n = None
    if identity.category and flow.net_usd is not None:
        totals = snap.extra.get("category_totals")
        if totals is None:  # once per snapshot: every fund with a figure, however small
            table = panel.window_table(snap)
            table = table[table["net_usd"].notna()]
            totals = snap.extra["category_totals"] = {
                k: (float(g["net_usd"].sum()), len(g)) for k, g in table.groupby("category")}
        if identity.category in totals:
            net, n = totals[identity.category]
            cat_net = F(net, "usd", "derived", ticker=None, change=True, inputs=("flow.net_usd", "peers"))
            cat_n = F(n, "count", "derived", ticker=None)
    return FundFacts(ticker=ticker, as_of=as_of_d, window=window, identity=identity, flow=flow, price=price,
                     history=history, components=components, sectors=sectors, peers=peer_facts,
                     quality=tuple(quality), config=cfg, dates=dates_facts(F, last_ts, settings), data_label=source.label,
                     synthetic=source.synthetic,
                     holdings_as_of=F(holdings_as_of.isoformat(), "date", "holdings") if holdings_as_of else None,
                     holdings_undated=bool(holdings_undated), tracks=index_of.get(ticker),
                     category_net_usd=cat_net, category_funds=cat_n,
                     charts=chart_series(panel, ticker, snap.i, settings.range_weeks, p_src, s_src, v_src))


def config_facts(F, settings: Rules) -> Config:
    """The thresholds and horizons the rules use, as facts a note may state."""
    return Config(
        range_weeks=F(settings.range_weeks, "count", "config", ticker=None),
        adv_sessions=F(settings.adv_sessions, "count", "config", ticker=None),
        history_sessions=F(settings.history_sessions, "count", "config", ticker=None),
        stress_pct=F(settings.stress_pct, "pct", "config", ticker=None),
        stress_sessions=F(settings.stress_sessions, "count", "config", ticker=None),
        reversal_min_weeks=F(settings.reversal_min_weeks, "count", "config", ticker=None),
        reversal_max_weeks=F(settings.reversal_max_weeks, "count", "config", ticker=None),
        stale_after_sessions=F(settings.stale_after_sessions, "count", "config", ticker=None),
        leaderboard_size=F(settings.leaderboard_size, "count", "config", ticker=None),
    )


def _peer_arrays(peers: pd.DataFrame) -> dict:
    """The peer table as plain arrays, built once per table (it is shared by every fund of a category)."""
    arrays = peers.attrs.get("_arrays")
    if arrays is None:
        net = peers["net_usd"].to_numpy(dtype=float)
        arrays = peers.attrs["_arrays"] = {
            "ticker": peers["ticker"].to_numpy(dtype=object), "name": peers["name"].to_numpy(dtype=object),
            "source": peers["source"].to_numpy(dtype=object), "category": peers["category"].to_numpy(dtype=object),
            "net": net, "order": np.arange(len(net)),
            "vendor_days": peers["vendor_days"].to_numpy(dtype=int) if "vendor_days" in peers else np.zeros(len(net), int)}
    return arrays


def _peers(F, ticker: str, category: str | None, flow: Flow, peers: pd.DataFrame,
           index_of: dict[str, str]) -> tuple[Peer, ...]:
    """Funds in the same category with flows over the same window: opposite flows first, then by size."""
    if not category or flow.net_usd is None or peers.empty:
        return ()
    a = _peer_arrays(peers)
    net = a["net"]
    keep = (a["category"] == category) & (a["ticker"] != ticker) & np.isfinite(net) & (np.abs(net) >= 5e5)
    idx = np.flatnonzero(keep)
    opposite = np.sign(net[idx]) == -np.sign(flow.net_usd.num)
    # primary: opposite sign first; then the largest flow; ties keep table order
    top = idx[np.lexsort((a["order"][idx], -np.abs(net[idx]), ~opposite))][:3]
    return tuple(Peer(ticker=str(a["ticker"][i]), name=str(a["name"][i]),
                      opposite=bool(np.sign(net[i]) == -np.sign(flow.net_usd.num)),
                      same_index=ticker in index_of and index_of.get(str(a["ticker"][i])) == index_of[ticker],
                      net_usd=F(float(net[i]), "usd", str(a["source"][i]), ticker=str(a["ticker"][i]), change=True),
                      vendor_days=(F(int(a["vendor_days"][i]), "count", str(a["source"][i]), ticker=str(a["ticker"][i]))
                                   if a["vendor_days"][i] > 0 else None))
                 for i in top)


def _v(x):
    """A finite float or None."""
    return x if math.isfinite(x := float(x)) else None


def _price_facts(F, T: dict, last_ts, src: str) -> Price:
    last = float(T["last"])
    return Price(
        last=F(last, "price", src),
        last_date=F(_iso(last_ts), "date", src),
        day_change=F(_v(T["day_change"]), "pct", src, change=True),
        window_change=F(_v(T["window_change"]), "pct", src, change=True),
        low_52w=F(_v(T["low_52w"]), "price", src, inputs=("Low",)),
        high_52w=F(_v(T["high_52w"]), "price", src, inputs=("High",)),
        ytd_return=F(_v(T["ytd_return"]), "pct", src, change=True, inputs=("Close",)),
        ytd_total_return=F(_v(T["ytd_total_return"]), "pct", src, change=True, inputs=("AdjClose",)),
        adv_usd=F(_v(T["adv_usd"]), "usd", src, inputs=("Close", "Volume")),
        off_high_pct=F(_v(T["off_high_pct"]), "pct", src, change=True),
    )


def _history(F, R: dict, T: dict, src: str, flow: Flow, settings: Rules, window: str, sessions: pd.DatetimeIndex,
             s_src: str, v_src: str) -> History:
    kw: dict = {}
    if math.isfinite(R["zscore"]):
        kw["zscore"] = F(float(R["zscore"]), "zscore", "derived", change=True, inputs=(src,))
        kw["percentile"] = F(int(R["percentile"]), "count", "derived", inputs=(src,))
        kw["lookback_windows"] = F(int(R["lookback_windows"]), "count", "derived", inputs=(src,))
        kw["largest_same_sign"] = bool(R["largest_same_sign"])
    if math.isfinite(R["cum_10d_usd"]):
        kw["cum_10d_usd"] = F(float(R["cum_10d_usd"]), "usd", "derived", change=True, inputs=(src,))
        c10 = _v(R["cum_10d_pct_shares"])
        basis = "shares"
        if c10 is None and flow.aum_usd is not None and flow.aum_usd.num > 0:
            c10, basis = float(R["cum_10d_usd"]) / flow.aum_usd.num, "aum"
        if c10 is not None:
            kw["cum_10d_pct"] = F(c10, "pct", "derived", change=True, basis=basis,
                                  inputs=(src, "shares_outstanding" if basis == "shares" else "flow.aum_usd"))
            # distance to the stress level (redemptions of stress_pct): positive = short of it
            kw["stress_gap_pct"] = F(c10 + settings.stress_pct, "pct", "derived",
                                     inputs=("history.cum_10d_pct", "config.stress_pct"))
    if math.isfinite(R["streak_days"]) and R["streak_days"] != 0:
        kw["streak_days"] = F(int(R["streak_days"]), "count", "derived", change=True, inputs=(src,),
                              as_of=sessions[int(R["streak_end"])].date())
    if math.isfinite(R["ytd_usd"]):
        y_src = s_src if R["ytd_est"] else v_src
        kw["ytd_usd"] = F(float(R["ytd_usd"]), "usd", "derived", change=True, inputs=(y_src,),
                          basis="estimated" if R["ytd_est"] else "vendor")
        if not R["ytd_full"]:
            kw["ytd_since"] = F(_iso(sessions[int(R["ytd_start"])]), "date", y_src)
        est, ven = R["ytd_est_usd"], R["ytd_vendor_usd"]
        if math.isfinite(est) and math.isfinite(ven):
            gap = abs(est - ven) / max(abs(est), abs(ven), 1.0)
            if gap > settings.ytd_disagree or (est > 0) != (ven > 0):
                other = ven if R["ytd_est"] else est
                kw["ytd_other_usd"] = F(float(other), "usd", "derived", change=True,
                                        inputs=(v_src if R["ytd_est"] else s_src,),
                                        basis="vendor" if R["ytd_est"] else "estimated")
    for key, col in (("m1_usd", "m1_usd"), ("m3_usd", "m3_usd")):
        if math.isfinite(R[col]):
            kw[key] = F(float(R[col]), "usd", "derived", change=True, inputs=(src,))
    kw["realized_vol"] = F(_v(T["realized_vol"]), "pct", "derived", inputs=("Close",))
    for key in ("momentum_1m", "momentum_3m"):
        kw[key] = F(_v(T[key]), "pct", "derived", change=True, inputs=("Close",))
    big_enough = (flow.pct_of_aum is None or abs(flow.pct_of_aum.num) >= settings.base_rate_min_share) \
        and R["br_threshold"] >= settings.base_rate_min_usd
    if window != "ytd" and R["br_events"] >= settings.base_rate_min_events and big_enough:
        events, rev = int(R["br_events"]), int(R["br_reversals"])
        kw["base_rate"] = BaseRate(
            threshold_usd=F(float(R["br_threshold"]), "usd", "derived", inputs=("flow.net_usd",)),
            events=F(events, "count", "derived", inputs=(src,)),
            reversals=F(rev, "count", "derived", inputs=(src, "Close")),
            reversal_share=F(rev / events, "pct", "derived"),
            median_fwd_2w=F(_v(R["br_med2"]), "pct", "derived", change=True),
            median_fwd_6w=F(_v(R["br_med6"]), "pct", "derived", change=True),
        )
    return History(**kw)


def _display_name(name: str) -> str:
    """Issuer files shout ("JACKSON FINANCIAL INC"); notes use title case, keeping short acronyms."""
    name = name.strip()
    if not name.isupper():
        return name
    return " ".join(w if (len(w) <= 3 and w not in {"INC", "CO", "THE", "AND", "OF"}) or not w.isalpha()
                    else w.title() for w in name.split())


def _fetched(info: dict) -> date | None:
    """The date a fund-info snapshot was fetched (None when it does not say)."""
    try:
        return date.fromisoformat(str(info.get("fetchedAt") or "")[:10])
    except ValueError:
        return None


def _components(F, source: Source, panel: Panel, snap, ticker, info, settings: Rules,
                quality: list) -> tuple[tuple, date | None, bool]:
    """The fund's largest holdings, the date they are as of, and whether they come from an undated file."""
    rows: list[tuple[str, str, float | None, str]] = []
    holdings = source.holdings(ticker)
    h_src = source.path_of("holdings", ticker)
    if holdings is not None and holdings.attrs.get("encoding_note"):  # a fallback encoding, said (braces doubled)
        quality.append(_flag(F, "file_encoding", holdings.attrs["encoding_note"]))
    as_of = snap.as_of.date()
    dated = holdings.attrs.get("as_of") if holdings is not None else None
    if dated is not None and dated > as_of:
        quality.append(_flag(F, "holdings_later", f"{h_src} is as of {{d}}, after this note's date, so it is not used",
                             d=(dated, "date")))
        holdings, dated = None, None
    if holdings is not None and len(holdings):
        eq = holdings
        if "asset_class" in eq.columns:
            eq = eq[eq["asset_class"].astype(str).str.lower().str.startswith("equity")]
        eq = eq.sort_values("weight", ascending=False).head(4 * settings.max_components)
        for sym, name, weight in zip(eq["ticker"], eq["name"], eq["weight"]):
            rows.append((str(sym).strip().upper(), _display_name(str(name)), float(weight), h_src))
    else:
        dated = _fetched(info) if info.get("topHoldings") else None
        for h in info.get("topHoldings") or []:
            if not isinstance(h, dict) or not h.get("symbol"):
                continue
            w = h.get("weight")
            rows.append((str(h["symbol"]).strip().upper(), str(h.get("name") or h["symbol"]).strip(),
                         float(w) if isinstance(w, (int, float)) else None, source.path_of("funds", ticker)))
    out = []
    for sym, name, weight, src in rows:
        if _CASH_NAME.search(name) or not re.fullmatch(r"[A-Z][A-Z0-9.\-]{0,9}", sym) or sym == ticker:
            continue
        kw: dict = {}
        if sym in panel.tcol and sym not in panel.errors:
            C = snap.trow(panel, sym)
            # only a component that traded on the note's date gets price facts
            if C["last_row"] == snap.i and math.isfinite(C["day_change"]):
                c_src = source.path_of("prices", sym)
                kw["last"] = F(float(C["last"]), "price", c_src, ticker=sym)
                kw["day_change"] = F(float(C["day_change"]), "pct", c_src, ticker=sym, change=True)
                kw["window_change"] = F(_v(C["window_change"]), "pct", c_src, ticker=sym, change=True)
        out.append(Component(ticker=sym, name=name, weight=F(weight, "pct", src, ticker=sym), **kw))
        if len(out) >= settings.max_components:
            break
    undated = bool(out) and holdings is not None and len(holdings) and dated is None
    return tuple(out), (dated if out else None), undated
