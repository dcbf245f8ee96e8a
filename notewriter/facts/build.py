"""build_facts: one fund, one date, one window -> a frozen FundFacts."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from .. import calendar
from ..errors import UsageError
from ..sources.base import Source
from .flows import estimate_daily_flows, on_sessions, split_factors, stale_sessions
from .models import (
    BaseRate, Component, Config, Dates, Fact, Flow, FundFacts, History, Identity, Peer, Price, QualityFlag,
    Window,
)

WINDOW_SESSIONS = {"1d": 1, "1w": 5, "1m": 21, "ytd": None}
_CASH_NAME = re.compile(r"\b(cash|treasury sl agency|money market|futures?|fut\b|usd cash)", re.I)


@dataclass(frozen=True)
class Settings:
    """Rule thresholds; each becomes a Config fact so notes may state it."""

    range_weeks: int = 52
    adv_sessions: int = 20
    history_sessions: int = 252
    stress_pct: float = 0.02
    stress_sessions: int = 10
    reversal_min_weeks: int = 2
    reversal_max_weeks: int = 6
    stale_after_sessions: int = 20
    max_components: int = 5


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


def round_down_125(x: float) -> float:
    """The largest 1, 2 or 5 x 10^k not above |x| ($623M -> $500M, $1.48B -> $1B)."""
    x = abs(x)
    if x <= 0 or not math.isfinite(x):
        return 0.0
    exp = math.floor(math.log10(x))
    for m in (5, 2, 1):
        if m * 10**exp <= x * (1 + 1e-12):
            return float(m * 10**exp)
    return float(10 ** (exp - 1) * 5)


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
        else:
            shown[key] = f"{int(value):,}"
            facts.append(F(int(value), "count", "derived"))
    return QualityFlag(code=code, message=text.format(**shown), touches_numbers=touches, facts=tuple(facts))


def _iso(ts) -> str:
    return pd.Timestamp(ts).date().isoformat()


def _returns_frame(prices: pd.DataFrame) -> pd.Series:
    """Close adjusted for splits only (price return, no dividends)."""
    cum = split_factors(prices)
    return prices["Close"] * cum / cum.iloc[-1]


def build_facts(ticker: str, as_of: date | str | None, window: Window, source: Source,
                settings: Settings | None = None, peers: pd.DataFrame | None = None) -> FundFacts:
    """Every fact a note about `ticker` over `window` ending `as_of` may state.

    `peers` is the universe's flow table for the same window (see `facts.universe.window_flows`).
    """
    settings = settings or Settings()
    ticker = ticker.upper()
    if window not in WINDOW_SESSIONS:
        raise UsageError(f"unknown window {window!r}; expected one of 1d, 1w, 1m, ytd")
    prices = source.prices(ticker)
    if prices.empty:
        raise UsageError(f"{source.path_of('prices', ticker)} has no price rows for {ticker}")
    requested = pd.Timestamp(as_of) if as_of is not None else prices.index[-1]
    asof_ts = calendar.session_on_or_before(requested)
    prices_upto = prices[prices.index <= asof_ts]
    if prices_upto.empty:
        raise UsageError(f"{ticker} has no prices on or before {requested.date()} "
                         f"(its prices start {prices.index[0].date()})")
    last_ts = prices_upto.index[-1]
    as_of_d = last_ts.date()
    start_ts = window_start(last_ts, window)
    F = _FactMaker(ticker, as_of_d)
    p_src = source.path_of("prices", ticker)
    s_src = source.path_of("shares")
    v_src = source.path_of("flows")
    i_src = source.path_of("funds", ticker)
    quality: list[QualityFlag] = []
    if last_ts < asof_ts:
        quality.append(_flag(F, "price_stale", f"prices for {ticker} end {{end}}, before {{asked}}", True,
                             end=(last_ts, "date"), asked=(asof_ts, "date")))
    if prices.attrs.get("duplicates"):
        quality.append(_flag(F, "duplicate_dates", f"{p_src} repeats {{n}} date(s); the last row of each was used",
                             n=(prices.attrs["duplicates"], "count")))

    info = source.fund_info(ticker) or {}
    identity = Identity(
        ticker=ticker,
        name=str(info.get("longName") or info.get("shortName") or ticker).strip(),
        category=info.get("category") or None,
        family=info.get("fundFamily") or None,
        expense_ratio=F(info.get("expenseRatio") / 100 if info.get("expenseRatio") is not None else None,
                        "pct", i_src),
    )

    price = _price_facts(F, prices_upto, start_ts, settings, p_src)
    all_sessions = calendar.sessions()
    sess = all_sessions[(all_sessions > start_ts) & (all_sessions <= last_ts)]

    # ---- flows ---------------------------------------------------------------------------
    shares = source.shares(ticker)
    if shares.attrs.get("duplicates"):
        quality.append(_flag(F, "duplicate_dates", f"{s_src} repeats {{n}} date(s) for {ticker}; the last row of "
                             "each was used", n=(shares.attrs["duplicates"], "count")))
    shares = shares[shares.index <= last_ts]
    daily = estimate_daily_flows(shares, prices)
    vendor = source.vendor_flows(ticker)
    vendor = vendor[vendor.index <= last_ts]
    off_session = vendor[~vendor.index.isin(all_sessions) & vendor["flow_usd"].notna()]
    if len(off_session):
        nonzero = int((off_session["flow_usd"] != 0).sum())
        quality.append(_flag(
            F, "vendor_non_trading_days", f"{v_src} has {{n}} row(s) for {ticker} on non-trading days"
            + (", {nz} of them non-zero and left out" if nonzero else ", all zero and left out"), nonzero > 0,
            n=(len(off_session), "count"), nz=(nonzero, "count")))

    flow_kwargs: dict = {}
    shares_ok = False
    if not shares.empty and (shares.index <= start_ts).any() and shares.index[-1] > start_ts:
        start_obs = shares.index[shares.index <= start_ts][-1]
        end_obs = shares.index[-1]
        s_start = int(shares.loc[start_obs, "shares_outstanding"])
        s_end = int(shares.loc[end_obs, "shares_outstanding"])
        in_window = daily.frame[(daily.frame.index > start_ts) & (daily.frame.index <= last_ts)]
        factor = float(in_window["split_factor"].prod()) if len(in_window) else 1.0
        net = float(in_window["flow"].sum())
        moved = in_window[in_window["shares"] != in_window["prev_shares"] * in_window["split_factor"]]
        bases = sorted(set(moved["basis"])) or [str(daily.frame["basis"].iloc[-1]) if not daily.empty else "close"]
        basis = "nav and close" if len(bases) > 1 else bases[0]
        end_price = float(daily.frame["price"].iloc[-1]) if not daily.empty else float(price.last.num)
        aum = s_end * end_price
        shares_ok = True
        inputs = (s_src, "nav" if basis != "close" else p_src)
        flow_kwargs = dict(
            method="shares x nav",
            net_usd=F(net, "usd", s_src, inputs=inputs, change=True, basis=basis),
            price_basis=basis,
            shares_start=F(s_start, "shares", s_src, as_of=start_obs.date()),
            shares_end=F(s_end, "shares", s_src, as_of=end_obs.date()),
            shares_change=F(s_end - round(s_start * factor), "shares", s_src, change=True),
            shares_change_pct=F(s_end / (s_start * factor) - 1 if s_start else None, "pct", s_src, change=True),
            aum_usd=F(aum, "usd", s_src, inputs=(s_src, "nav" if basis != "close" else p_src)),
            flow_days=F(int((moved["flow"] != 0).sum()), "count", s_src),
        )
        if end_obs < last_ts:
            behind = len(all_sessions[(all_sessions > end_obs) & (all_sessions <= last_ts)])
            quality.append(_flag(
                F, "issuer_lag" if behind == 1 else "shares_end_early",
                f"the latest share count for {ticker} is as of {{obs}}, {{n}} session{'s' if behind != 1 else ''} "
                "before {end}", True, obs=(end_obs, "date"), n=(behind, "count"), end=(last_ts, "date")))
        for d in daily.split_dates:
            if start_ts < d <= last_ts:
                quality.append(_flag(F, "split", f"the {ticker} share count jump on {{d}} matches a split and is not "
                                     "counted as a flow", True, d=(d, "date")))
        fallback = [d for d in daily.nav_fallback_dates if start_ts < d <= last_ts]
        if fallback:
            quality.append(_flag(F, "nav_fallback", "no NAV on {n} day(s) with share changes, so the closing price "
                                 "was used instead", True, n=(len(fallback), "count")))
        stale = stale_sessions(shares, all_sessions)
        if stale >= settings.stale_after_sessions:
            quality.append(_flag(F, "stale_shares", f"the {ticker} share count has not changed for {{n}} sessions, "
                                 "so the issuer may not be updating it", True, n=(stale, "count")))
    elif not shares.empty and shares.index[-1] <= start_ts:
        quality.append(_flag(F, "shares_end_early", f"share counts for {ticker} end {{d}}, before this window "
                             "starts", d=(shares.index[-1], "date")))
    elif not shares.empty:
        quality.append(_flag(F, "shares_short", f"share counts for {ticker} begin {{d}}, after the window starts on "
                             "{s}", d=(shares.index[0], "date"), s=(start_ts, "date")))

    v_window = vendor[(vendor.index > start_ts) & (vendor.index <= last_ts) & vendor.index.isin(all_sessions)]
    v_known = v_window["flow_usd"].dropna()
    if len(v_known):
        v_net = float(v_known.sum())
        flow_kwargs["vendor_net_usd"] = F(v_net, "usd", v_src, change=True)
        flow_kwargs["vendor_days"] = F(int(len(v_known)), "count", v_src)
        if not shares_ok:
            flow_kwargs.update(method="vendor", net_usd=F(v_net, "usd", v_src, change=True))
    if "method" not in flow_kwargs:
        flow_kwargs["method"] = "unavailable"
        quality.append(_flag(F, "no_flow_data", "no share counts or vendor flows cover {s} to {e}", True,
                             s=(start_ts, "date"), e=(last_ts, "date")))
    if "aum_usd" not in flow_kwargs and info.get("totalAssets"):
        fetched = str(info.get("fetchedAt") or "")[:10] or None
        flow_kwargs["aum_usd"] = F(float(info["totalAssets"]), "usd", i_src,
                                   as_of=date.fromisoformat(fetched) if fetched else None)
    net_fact = flow_kwargs.get("net_usd")
    aum_fact = flow_kwargs.get("aum_usd")
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
    if shares_ok:
        daily_series, hist_src = daily.frame["flow"], s_src
    elif len(vendor.dropna()):
        daily_series, hist_src = vendor["flow_usd"].dropna(), v_src
    else:
        daily_series, hist_src = None, None
    history = _history(F, daily_series, hist_src, prices_upto, flow, settings, all_sessions, last_ts)

    components = _components(F, source, ticker, info, last_ts, start_ts, settings, quality)
    sectors = tuple(sorted(((str(k), F(float(v), "pct", i_src)) for k, v in
                            (info.get("sectorWeightings") or {}).items() if isinstance(v, (int, float)) and v > 0),
                           key=lambda kv: -kv[1].num))[:3]

    cfg = Config(
        range_weeks=F(settings.range_weeks, "count", "config", ticker=None),
        adv_sessions=F(settings.adv_sessions, "count", "config", ticker=None),
        history_sessions=F(settings.history_sessions, "count", "config", ticker=None),
        stress_pct=F(settings.stress_pct, "pct", "config", ticker=None),
        stress_sessions=F(settings.stress_sessions, "count", "config", ticker=None),
        reversal_min_weeks=F(settings.reversal_min_weeks, "count", "config", ticker=None),
        reversal_max_weeks=F(settings.reversal_max_weeks, "count", "config", ticker=None),
    )
    if flow.net_usd is not None:
        components = tuple(
            comp.model_copy(update={"flow_usd": F(comp.weight.num * flow.net_usd.num, "usd", "derived", ticker=comp.ticker,
                                                  change=True, inputs=("flow.net_usd", "weight"))})
            if comp.weight is not None else comp for comp in components)
    peer_facts = _peers(F, ticker, identity.category, flow, peers) if peers is not None else ()
    return FundFacts(ticker=ticker, as_of=as_of_d, window=window, identity=identity, flow=flow, price=price,
                     history=history, components=components, sectors=sectors, peers=peer_facts,
                     quality=tuple(quality), config=cfg, dates=_dates(F, last_ts), data_label=source.label,
                     synthetic=source.synthetic)


def _dates(F, last_ts: pd.Timestamp) -> Dates:
    all_sessions = calendar.sessions()
    nxt = all_sessions[all_sessions.searchsorted(last_ts, side="right")]
    month_end = calendar.session_on_or_before(nxt + pd.offsets.MonthEnd(0))
    quarter_end = calendar.session_on_or_before(nxt + pd.offsets.QuarterEnd(0))
    return Dates(next_session=F(_iso(nxt), "date", "calendar XNYS", ticker=None),
                 month_end=F(_iso(month_end), "date", "calendar XNYS", ticker=None),
                 quarter_end=F(_iso(quarter_end), "date", "calendar XNYS", ticker=None))


def _peers(F, ticker: str, category: str | None, flow: Flow, peers: pd.DataFrame) -> tuple[Peer, ...]:
    """Funds in the same category with flows over the same window, largest first."""
    if not category or flow.net_usd is None or peers.empty:
        return ()
    same = peers[(peers["category"] == category) & (peers["ticker"] != ticker) & peers["net_usd"].notna()
                 & (peers["net_usd"].abs() >= 5e5)]
    sign = np.sign(flow.net_usd.num)
    same = same.assign(opposite=np.sign(same["net_usd"]) == -sign).sort_values(
        ["opposite", "net_usd"], ascending=[False, False], key=lambda col: col.abs() if col.name == "net_usd" else col)
    return tuple(Peer(ticker=r.ticker, name=r.name, opposite=bool(r.opposite),
                      net_usd=F(float(r.net_usd), "usd", str(r.source), ticker=r.ticker, change=True))
                 for r in same.head(3).itertuples())


def _price_facts(F, prices: pd.DataFrame, start_ts, settings: Settings, src: str) -> Price:
    last_ts = prices.index[-1]
    close = _returns_frame(prices)
    last = float(prices["Close"].iloc[-1])
    year_ago = last_ts - pd.Timedelta(weeks=settings.range_weeks)
    rng = prices[prices.index > year_ago]
    low, high = float(rng["Low"].min()), float(rng["High"].max())
    prev_year = close[close.index.year < last_ts.year]
    ytd = float(close.iloc[-1] / prev_year.iloc[-1] - 1) if len(prev_year) else None
    day = float(close.iloc[-1] / close.iloc[-2] - 1) if len(close) > 1 else None
    at_start = close[close.index <= start_ts]
    win = float(close.iloc[-1] / at_start.iloc[-1] - 1) if len(at_start) else None
    tail = prices.iloc[-settings.adv_sessions:]
    dollar = (tail["Close"] * tail["Volume"]).dropna()
    adv = float(dollar.mean()) if len(dollar) == len(tail) and len(tail) == settings.adv_sessions else None
    return Price(
        last=F(last, "price", src),
        last_date=F(_iso(last_ts), "date", src),
        day_change=F(day, "pct", src, change=True),
        window_change=F(win, "pct", src, change=True),
        low_52w=F(low, "price", src, inputs=("Low",)),
        high_52w=F(high, "price", src, inputs=("High",)),
        ytd_return=F(ytd, "pct", src, change=True, inputs=("Close",)),
        adv_usd=F(adv, "usd", src, inputs=("Close", "Volume")),
        off_high_pct=F(last / high - 1 if high > 0 else None, "pct", src, change=True),
    )


def _history(F, daily: pd.Series | None, src, prices, flow: Flow, settings: Settings, all_sessions, last_ts
             ) -> History:
    if daily is None or flow.net_usd is None:
        return History()
    first = daily.index[0] if len(daily) else last_ts
    sess = all_sessions[(all_sessions >= first) & (all_sessions <= last_ts)]
    series = on_sessions(daily, sess)
    x = flow.net_usd.num
    kw: dict = {}
    n = WINDOW_SESSIONS[flow.window]
    if n is not None and len(series) > n + 60:
        sums = series.rolling(n).sum().dropna()
        hist = sums.iloc[:-1].iloc[-settings.history_sessions:]
        if n > 1:
            hist = hist.iloc[::-1].iloc[::n].iloc[::-1]  # non-overlapping windows
        if len(hist) >= 12 and hist.std() > 0:
            kw["zscore"] = F((x - hist.mean()) / hist.std(), "zscore", "derived", inputs=(src,))
            kw["percentile"] = F(round(100 * float((hist <= x).mean())), "count", "derived", inputs=(src,))
            kw["lookback_windows"] = F(len(hist), "count", "derived", inputs=(src,))
            kw["largest_same_sign"] = bool((x < 0 and x < hist.min()) or (x > 0 and x > hist.max()))
    aum = flow.aum_usd.num if flow.aum_usd is not None else None
    if aum:
        c10 = float(series.iloc[-settings.stress_sessions:].sum()) / aum
        kw["cum_10d_pct"] = F(c10, "pct", "derived", change=True, inputs=(src, "flow.aum_usd"))
        if c10 < 0:
            kw["stress_gap_pct"] = F(settings.stress_pct - abs(c10), "pct", "derived",
                                     inputs=("history.cum_10d_pct", "config.stress_pct"))
    nz = series[series != 0]
    if len(nz):
        signs = np.sign(nz.to_numpy())[::-1]
        run = int(np.argmax(signs != signs[0])) if (signs != signs[0]).any() else len(signs)
        kw["streak_days"] = F(run * int(signs[0]), "count", "derived", change=True, inputs=(src,))
    year_start = pd.Timestamp(last_ts.year, 1, 1)
    kw["ytd_usd"] = F(float(series[series.index >= year_start].sum()), "usd", "derived", change=True, inputs=(src,))
    for key, months in (("m1_usd", 1), ("m3_usd", 3)):
        since = last_ts - pd.DateOffset(months=months)
        if series.index[0] <= since:
            kw[key] = F(float(series[series.index > since].sum()), "usd", "derived", change=True, inputs=(src,))

    close = _returns_frame(prices)
    rets = np.log(close).diff().dropna()
    if len(rets) >= 21:
        kw["realized_vol"] = F(float(rets.iloc[-21:].std() * math.sqrt(252)), "pct", "derived", inputs=("Close",))
    for key, k in (("momentum_1m", 21), ("momentum_3m", 63)):
        if len(close) > k:
            kw[key] = F(float(close.iloc[-1] / close.iloc[-1 - k] - 1), "pct", "derived", change=True,
                        inputs=("Close",))
    if n is not None:
        kw["base_rate"] = _base_rate(F, series, close, x, n, settings, src)
    return History(**kw)


def _base_rate(F, series: pd.Series, close: pd.Series, x: float, n: int, settings: Settings, src) -> BaseRate | None:
    """Earlier windows with a same-sign flow at least the 1-2-5 threshold: how often did price go the other way."""
    threshold = round_down_125(x)
    if threshold <= 0:
        return None
    sums = series.rolling(n).sum()
    fwd_min, fwd_max = 5 * settings.reversal_min_weeks, 5 * settings.reversal_max_weeks
    px = close.reindex(series.index).ffill()
    candidates = sums.iloc[:-fwd_max] if len(sums) > fwd_max else sums.iloc[:0]
    hits = candidates[(np.sign(candidates) == np.sign(x)) & (candidates.abs() >= threshold)]
    events, last = [], None
    positions = series.index.get_indexer(hits.index)
    for pos in positions:  # non-overlapping events only
        if last is None or pos - last >= n:
            events.append(pos)
            last = pos
    if len(events) < 3:
        return None
    base = px.to_numpy()
    f2 = np.array([base[p + fwd_min] / base[p] - 1 for p in events])
    f6 = np.array([base[p + fwd_max] / base[p] - 1 for p in events])
    reversals = int((np.sign(f6) == -np.sign(x)).sum())
    return BaseRate(
        events=F(len(events), "count", "derived", inputs=(src,)),
        reversals=F(reversals, "count", "derived", inputs=(src, "Close")),
        reversal_share=F(reversals / len(events), "pct", "derived"),
        median_fwd_2w=F(float(np.median(f2)), "pct", "derived", change=True),
        median_fwd_6w=F(float(np.median(f6)), "pct", "derived", change=True),
        threshold_usd=F(threshold, "usd", "derived", inputs=("flow.net_usd",)),
    )


def _display_name(name: str) -> str:
    """Issuer files shout ("JACKSON FINANCIAL INC"); notes use title case, keeping short acronyms."""
    name = name.strip()
    if not name.isupper():
        return name
    return " ".join(w if (len(w) <= 3 and w not in {"INC", "CO", "THE", "AND", "OF"}) or not w.isalpha()
                    else w.title() for w in name.split())


def _components(F, source: Source, ticker, info, last_ts, start_ts, settings: Settings, quality) -> tuple:
    rows: list[tuple[str, str, float | None, str]] = []
    holdings = source.holdings(ticker)
    h_src = source.path_of("holdings", ticker)
    if holdings is not None and len(holdings):
        eq = holdings
        if "asset_class" in eq.columns:
            eq = eq[eq["asset_class"].astype(str).str.lower().str.startswith("equity")]
        eq = eq.sort_values("weight", ascending=False)
        for _, r in eq.iterrows():
            rows.append((str(r["ticker"]).strip().upper(), _display_name(str(r["name"])), float(r["weight"]), h_src))
    else:
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
        if source.has_prices(sym):
            cp = source.prices(sym)
            cp = cp[cp.index <= last_ts]
            if len(cp) > 1 and cp.index[-1] == last_ts:
                cc = _returns_frame(cp)
                kw["last"] = F(float(cp["Close"].iloc[-1]), "price", source.path_of("prices", sym), ticker=sym)
                kw["day_change"] = F(float(cc.iloc[-1] / cc.iloc[-2] - 1), "pct", source.path_of("prices", sym),
                                     ticker=sym, change=True)
                at_start = cc[cc.index <= start_ts]
                if len(at_start):
                    kw["window_change"] = F(float(cc.iloc[-1] / at_start.iloc[-1] - 1), "pct",
                                            source.path_of("prices", sym), ticker=sym, change=True)
        out.append(Component(ticker=sym, name=name, weight=F(weight, "pct", src, ticker=sym), **kw))
        if len(out) >= settings.max_components:
            break
    return tuple(out)
