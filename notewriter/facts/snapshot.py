"""One as-of session and one window over a whole panel: every statistic a fund's facts need, as arrays."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import UsageError
from .arrays import cumulative, lastrow, round_down_125_array, take, window_sums

WINDOW_SESSIONS = {"1d": 1, "1w": 5, "1m": 21, "ytd": None}


@dataclass
class Snapshot:
    """Per-fund (and per-ticker) statistics for one as-of session and one window, as arrays."""

    as_of: pd.Timestamp
    window: str
    i: int                      # row of as_of in the panel
    start: pd.Timestamp         # window start session (its close is the starting point)
    s0: int                     # row of start (may be -1 when the data begins later)
    n: int                      # sessions in the window
    t: dict[str, np.ndarray]    # per ticker (price statistics), aligned to panel.tickers
    f: dict[str, np.ndarray]    # per fund (flow statistics), aligned to panel.funds
    extra: dict = field(default_factory=dict)

    def trow(self, panel, ticker: str) -> dict:
        j = panel.tcol[ticker]
        return {k: v[j] for k, v in self.t.items()}

    def frow(self, panel, ticker: str) -> dict:
        j = panel.fcol[ticker]
        return {k: v[j] for k, v in self.f.items()}


def compute_snapshot(panel, as_of: pd.Timestamp, window: str, start: pd.Timestamp, st)  -> Snapshot:
    """Every per-ticker and per-fund statistic for one as-of session and window, over the whole panel."""
    S, T = panel.close.shape
    i = panel.row_of(as_of)
    if i < 0:
        raise UsageError(f"no data on or before {as_of.date()}")
    s0 = panel.row_of(start) if start >= panel.sessions[0] else -1
    n = WINDOW_SESSIONS[window] or max(i - s0, 1)
    tt: dict[str, np.ndarray] = {}
    lp = panel.lp[i]                                   # last price row per ticker
    tt["last_row"] = lp
    tt["last"] = take(panel.close, lp)
    adj = panel.adj_ffill
    a_last = take(adj, lp)
    prev_row = np.where(lp > 0, panel.lp[np.clip(lp - 1, 0, None), np.arange(T)], -1)
    with np.errstate(invalid="ignore", divide="ignore"):
        tt["day_change"] = a_last / take(adj, prev_row) - 1
        start_row = panel.lp[s0] if s0 >= 0 else np.full(T, -1)
        tt["window_change"] = a_last / take(adj, start_row) - 1
        y0 = int(panel.sessions.searchsorted(pd.Timestamp(as_of.year, 1, 1))) - 1
        ye_row = panel.lp[y0] if y0 >= 0 else np.full(T, -1)
        tt["ytd_return"] = a_last / take(adj, ye_row) - 1
        # total return from adjusted closes on the same two sessions, where the file has them
        tt["ytd_total_return"] = take(panel.adjclose, lp) / take(panel.adjclose, ye_row) - 1
        lo = int(panel.sessions.searchsorted(as_of - pd.Timedelta(weeks=st.range_weeks), side="right"))
        # intraday range in today's share basis: prices before a split scale by the split ratio
        basis = panel.cumsplit[lo:i + 1] / panel.cumsplit[i]
        tt["low_52w"] = np.nanmin(np.where(panel.valid[lo:i + 1], panel.low[lo:i + 1] * basis, np.inf), axis=0)
        tt["high_52w"] = np.nanmax(np.where(panel.valid[lo:i + 1], panel.high[lo:i + 1] * basis, -np.inf), axis=0)
        tt["low_52w"][~np.isfinite(tt["low_52w"])] = np.nan
        tt["high_52w"][~np.isfinite(tt["high_52w"])] = np.nan
        k = st.adv_sessions
        if i + 1 >= k:
            dollar = panel.close[i + 1 - k:i + 1] * panel.volume[i + 1 - k:i + 1]
            tt["adv_usd"] = np.where(np.isfinite(dollar).all(axis=0), dollar.mean(axis=0), np.nan)
        else:
            tt["adv_usd"] = np.full(T, np.nan)
        if i >= 21:
            seg = adj[i - 21:i + 1]
            rets = np.diff(np.log(seg), axis=0)
            ok = np.isfinite(rets).all(axis=0) & (panel.first_row <= i - 21)
            tt["realized_vol"] = np.where(ok, np.std(rets, axis=0, ddof=1) * math.sqrt(252), np.nan)
        else:
            tt["realized_vol"] = np.full(T, np.nan)
        for name, kk in (("momentum_1m", 21), ("momentum_3m", 63)):
            if i >= kk:
                ok = panel.first_row <= i - kk
                tt[name] = np.where(ok, adj[i] / adj[i - kk] - 1, np.nan)
            else:
                tt[name] = np.full(T, np.nan)
        tt["off_high_pct"] = tt["last"] / tt["high_52w"] - 1

    ff = _flow_stats(panel, i, s0, n, window, st)
    return Snapshot(as_of=panel.sessions[i], window=window, i=i, start=start, s0=s0, n=n, t=tt, f=ff)

def _flow_stats(panel, i: int, s0: int, n: int, window: str, st) -> dict[str, np.ndarray]:
    """Flow statistics of every fund: window net, history, streak, YTD, stress horizon, base rate."""
    S, F = panel.shares.shape
    fc = np.arange(F)
    out: dict[str, np.ndarray] = {}
    last_obs = panel.sh_lp[i]
    start_obs = panel.sh_lp[s0] if s0 >= 0 else np.full(F, -1)
    shares_ok = (start_obs >= 0) & (last_obs > s0)
    out["shares_ok"] = shares_ok
    out["start_obs"], out["last_obs"] = start_obs, last_obs
    out["shares_start"] = take(panel.shares, start_obs)
    out["shares_end"] = take(panel.shares, last_obs)
    lo = max(s0 + 1, 0)
    seg = slice(lo, i + 1)
    out["est_net"] = np.nansum(panel.est_flow[seg], axis=0)
    out["window_factor"] = np.prod(panel.factor[seg], axis=0)
    moved = panel.moved[seg]
    out["flow_days"] = (moved & (panel.est_flow[seg] != 0)).sum(axis=0)
    out["moved_nav"] = (moved & panel.nav_ok[seg]).any(axis=0)
    out["moved_close"] = (moved & ~panel.nav_ok[seg]).any(axis=0)
    out["nav_fallback_days"] = (moved & ~panel.nav_ok[seg]).sum(axis=0)
    out["split_days"] = panel.split_obs[seg].sum(axis=0)
    out["end_price"] = take(panel.price_used, last_obs)
    out["end_price_nav"] = take(panel.nav_ok.astype(float), last_obs) == 1
    # how many sessions the share count has been flat, up to its last observation
    last_change = np.where(last_obs >= 0, panel.change_lp[np.clip(last_obs, 0, None), fc], -1)
    since = np.where(last_change >= 0, last_change, panel.sh_first)
    out["stale_sessions"] = np.where(last_obs >= 0, np.clip(last_obs - since, 0, None), 0)
    v_seg = panel.vendor[seg]
    out["vendor_days"] = np.isfinite(v_seg).sum(axis=0)
    out["vendor_net"] = np.where(out["vendor_days"] > 0, np.nansum(v_seg, axis=0), np.nan)
    vendor_ok = ~shares_ok & (out["vendor_days"] > 0)
    out["vendor_ok"] = vendor_ok
    out["net"] = np.where(shares_ok, out["est_net"], np.where(vendor_ok, out["vendor_net"], np.nan))
    out["aum_est"] = np.where(shares_ok, out["shares_end"] * out["end_price"], np.nan)

    # ---- history: the fund's own series (estimated when its share counts cover the window) ------
    use_est = shares_ok | (~vendor_ok & (panel.sh_first <= i))
    series = np.where(use_est[None, :], panel.est_series[:i + 1], panel.vendor_series[:i + 1])
    first_cov = np.where(use_est, panel.sh_first + 1, panel.v_first)  # first row a window may start from
    out["series_est"] = use_est
    has_series = first_cov <= i
    cs = cumulative(series)  # cs[r + 1] = sum of rows <= r

    def wsum(end_rows: np.ndarray, length: int) -> np.ndarray:
        return window_sums(cs, first_cov, end_rows, length)

    x = out["net"]
    K = st.history_sessions // n if window != "ytd" else 0
    if K:
        ends = i - n * np.arange(1, K + 1)[:, None] + np.zeros((1, F), dtype=np.int64)
        hist = wsum(ends, n)
        count = np.isfinite(hist).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(hist, axis=0)
            sd = np.nanstd(hist, axis=0, ddof=1) if K > 1 else np.full(F, np.nan)
            ok = (count >= 12) & (sd > 0) & np.isfinite(x)
            out["zscore"] = np.where(ok, (x - mean) / sd, np.nan)
            le = np.where(np.isfinite(hist), hist <= x[None, :], False).sum(axis=0)
            out["percentile"] = np.where(ok, np.round(100 * le / np.maximum(count, 1)), np.nan)
            out["lookback_windows"] = np.where(ok, count, 0)
            hmin = np.nanmin(np.where(np.isfinite(hist), hist, np.inf), axis=0)
            hmax = np.nanmax(np.where(np.isfinite(hist), hist, -np.inf), axis=0)
            out["largest_same_sign"] = ok & (((x < 0) & (x < hmin)) | ((x > 0) & (x > hmax)))
    else:
        for k in ("zscore", "percentile"):
            out[k] = np.full(F, np.nan)
        out["lookback_windows"] = np.zeros(F, dtype=int)
        out["largest_same_sign"] = np.zeros(F, dtype=bool)

    # streak: consecutive sessions of same-sign flow ending at the series' last session with data; a
    # session with no figure (a blank vendor row, no share count) or a zero flow ends it
    raw = np.where(use_est[None, :], panel.est_flow[:i + 1], panel.vendor[:i + 1])
    has = np.isfinite(raw)
    last_data = lastrow(has)
    sgn = np.sign(np.where(has, raw, 0.0))
    last_sign = np.where(last_data >= 0, sgn[np.clip(last_data, 0, None), fc], 0)
    rows = np.arange(i + 1)[:, None]
    breaks = (sgn != last_sign[None, :]) & (rows <= last_data[None, :])
    run = last_data - lastrow(breaks)
    out["streak_days"] = np.where(has_series & (last_sign != 0), run * last_sign, np.nan)
    out["streak_end"] = last_data

    # year to date: from the year's first session, from whichever series covers it; else since the
    # series begins (and the facts say where that is)
    y0 = int(panel.sessions.searchsorted(pd.Timestamp(panel.sessions[i].year, 1, 1)))
    y0 = min(max(y0, 0), i + 1)
    est_cs = cumulative(panel.est_series[:i + 1])
    ven_cs = cumulative(panel.vendor_series[:i + 1])
    est_cov, ven_cov = panel.sh_first + 1, panel.v_first
    est_ytd = np.where(est_cov <= y0, est_cs[i + 1] - est_cs[y0], np.nan)
    ven_ytd = np.where(ven_cov <= y0, ven_cs[i + 1] - ven_cs[y0], np.nan)
    own_full = first_cov <= y0
    other_full = np.where(use_est, ven_cov <= y0, est_cov <= y0)
    other_ytd = np.where(use_est, ven_ytd, est_ytd)
    partial_start = np.clip(first_cov, y0, None)
    out["ytd_usd"] = np.where(~has_series, np.nan, np.where(
        own_full, cs[i + 1] - cs[y0], np.where(other_full, other_ytd, cs[i + 1] - cs[np.clip(partial_start, 0, i + 1), fc])))
    out["ytd_est"] = np.where(own_full | ~other_full, use_est, ~use_est)
    out["ytd_start"] = np.where(own_full | other_full, y0, partial_start)
    out["ytd_full"] = own_full | other_full
    out["ytd_est_usd"], out["ytd_vendor_usd"] = est_ytd, ven_ytd
    for key, months in (("m1_usd", 1), ("m3_usd", 3)):
        since = panel.sessions[i] - pd.DateOffset(months=months)
        r = int(panel.sessions.searchsorted(since, side="right")) - 1  # last session on or before `since`
        out[key] = np.where(has_series & (first_cov <= r + 1) & (r >= 0), cs[i + 1] - cs[max(r, -1) + 1], np.nan)

    # cumulative flow over the stress horizon, as a share of units outstanding (or of assets)
    k = st.stress_sessions
    r10 = i - k
    if r10 >= 0:
        units = np.nansum(np.where(panel.sh_valid[r10 + 1:i + 1], panel.units[r10 + 1:i + 1], 0), axis=0)
        base_obs = panel.sh_lp[r10]
        base = take(panel.shares, base_obs)
        with np.errstate(invalid="ignore", divide="ignore"):
            by_shares = np.where(use_est & (base > 0), units / base, np.nan)
        dollars = wsum(np.full((1, F), i), k)[0]
        out["cum_10d_usd"] = dollars
        out["cum_10d_units"] = np.where(use_est, units, np.nan)
        out["cum_10d_base_shares"] = np.where(use_est, base, np.nan)
        out["cum_10d_pct_shares"] = np.where(np.isfinite(dollars), by_shares, np.nan)
    else:
        for key in ("cum_10d_usd", "cum_10d_units", "cum_10d_base_shares", "cum_10d_pct_shares"):
            out[key] = np.full(F, np.nan)

    # base rate: earlier windows on the same non-overlapping grid with a same-sign flow >= 1-2-5 threshold
    fwd_min, fwd_max = 5 * st.reversal_min_weeks, 5 * st.reversal_max_weeks
    thr = round_down_125_array(x)
    out["br_threshold"] = thr
    kmin = -(-fwd_max // n)
    kmax = i // n
    if window != "ytd" and kmax >= kmin:
        ks = np.arange(kmin, kmax + 1)
        ends = (i - n * ks)[:, None] + np.zeros((1, F), dtype=np.int64)
        sums = wsum(ends, n)
        hit = np.isfinite(sums) & (np.sign(sums) == np.sign(x)[None, :]) & (np.abs(sums) >= thr[None, :]) & (
            thr[None, :] > 0)
        adj_f = panel.adj_ffill[:, panel.fund_t]
        e = np.clip(ends, 0, None)
        with np.errstate(invalid="ignore", divide="ignore"):
            f2 = adj_f[e + fwd_min, fc] / adj_f[e, fc] - 1
            f6 = adj_f[e + fwd_max, fc] / adj_f[e, fc] - 1
        hit &= np.isfinite(f2) & np.isfinite(f6)
        # one event per episode: a hit whose forward horizon overlaps an earlier counted one is the
        # same episode (nine days in a row of one selloff are one precedent, not nine)
        for j in np.flatnonzero(hit.sum(axis=0) > 1):
            rows = np.flatnonzero(hit[:, j])
            order = rows[np.argsort(ends[rows, j])]
            last_end = None
            for r in order:
                if last_end is not None and ends[r, j] - last_end < fwd_max:
                    hit[r, j] = False
                else:
                    last_end = ends[r, j]
        events = hit.sum(axis=0)
        rev = (hit & (np.sign(f6) == -np.sign(x)[None, :])).sum(axis=0)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            med2 = np.nanmedian(np.where(hit, f2, np.nan), axis=0) if len(ks) else np.full(F, np.nan)
            med6 = np.nanmedian(np.where(hit, f6, np.nan), axis=0) if len(ks) else np.full(F, np.nan)
        out["br_events"], out["br_reversals"] = events, rev
        out["br_med2"], out["br_med6"] = med2, med6
    else:
        out["br_events"] = np.zeros(F, dtype=int)
        out["br_reversals"] = np.zeros(F, dtype=int)
        out["br_med2"] = out["br_med6"] = np.full(F, np.nan)
    return out
