"""Wide frames (sessions x tickers) for a whole universe, and every per-fund statistic in vectorized passes.

A `Panel` is built once per source; `Panel.snapshot(as_of, window)` computes the numbers every fund's
facts need for one date and window as arrays over all funds at once, so a universe of notes costs a
few array passes plus a small, constant amount of work per fund.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import calendar
from ..errors import NotewriterError, UsageError
from ..sources.base import Source
from ..sources.tables import Tables

# share-count ratios that look like a split or reverse split
SPLIT_RATIOS = np.array([2, 3, 4, 5, 8, 10, 20, 1 / 2, 1 / 3, 1 / 4, 1 / 5, 1 / 8, 1 / 10, 1 / 20])
WINDOW_SESSIONS = {"1d": 1, "1w": 5, "1m": 21, "ytd": None}


def lastpos(valid: np.ndarray) -> np.ndarray:
    """For each row and column, the index of the last True row at or above it (-1 if none)."""
    idx = np.where(valid, np.arange(valid.shape[0])[:, None], -1)
    return np.maximum.accumulate(idx, axis=0)


def _ffill(arr: np.ndarray) -> np.ndarray:
    """Each column's last non-NaN value carried down over NaN rows (NaN before the first one)."""
    pos = lastpos(~np.isnan(arr))
    out = arr[np.clip(pos, 0, None), np.arange(arr.shape[1])]
    out[pos < 0] = np.nan
    return out


def lastrow(valid: np.ndarray) -> np.ndarray:
    """For each column, the index of its last True row (-1 if none); `lastpos(valid)[-1]` without the S x N pass."""
    if not len(valid):
        return np.full(valid.shape[1], -1)
    back = np.argmax(valid[::-1], axis=0)
    return np.where(valid.any(axis=0), valid.shape[0] - 1 - back, -1)


def take(arr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """arr[rows[j], j] for every column j; NaN where rows[j] < 0."""
    rows = np.asarray(rows)
    cols = np.arange(arr.shape[1])
    out = arr[np.clip(rows, 0, None), cols].astype(float)
    out[rows < 0] = np.nan
    return out


def round_down_125_array(x: np.ndarray) -> np.ndarray:
    """Vectorized 1-2-5 rounding down of |x| (0 for 0 or NaN)."""
    a = np.abs(np.asarray(x, dtype=float))
    out = np.zeros_like(a)
    ok = np.isfinite(a) & (a > 0)
    exp = np.floor(np.log10(a[ok]))
    base = 10.0 ** exp
    m = a[ok] / base * (1 + 1e-12)
    out[ok] = np.where(m >= 5, 5, np.where(m >= 2, 2, 1)) * base
    return out


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

    def trow(self, panel: "Panel", ticker: str) -> dict:
        j = panel.tcol[ticker]
        return {k: v[j] for k, v in self.t.items()}

    def frow(self, panel: "Panel", ticker: str) -> dict:
        j = panel.fcol[ticker]
        return {k: v[j] for k, v in self.f.items()}


class Panel:
    """A universe as aligned arrays; errors of single funds are kept, not raised, until that fund is asked for."""

    def __init__(self, source: Source, tables: Tables | None = None, stale_after_sessions: int = 20):
        self.source = source
        tb = tables if tables is not None else source.tables()
        self.errors = dict(tb.errors)
        self.info = tb.info
        self.price_duplicates = tb.price_duplicates
        self.cache_hits, self.parsed = tb.cache_hits, tb.parsed
        all_sessions = calendar.sessions()
        pr = tb.price_rows
        self.tickers = sorted({t for t, n in zip(pr.tickers, pr.counts) if n > 0})
        self.tcol = {t: j for j, t in enumerate(self.tickers)}
        self.listed_funds = list(tb.funds)  # every fund the source lists, readable or not
        self.funds = [t for t in tb.funds if t in self.tcol and t not in self.errors]
        self.fcol = {t: j for j, t in enumerate(self.funds)}
        dates = pr.date.view(np.int64)
        sh_rows, fl_rows = tb.share_rows, tb.flow_rows
        spans = [(d.min(), d.max()) for d in (dates, sh_rows.date.view(np.int64), fl_rows.date.view(np.int64))
                 if len(d)]
        lo = pd.Timestamp(min(x for x, _ in spans)) if spans else all_sessions[0]
        hi = pd.Timestamp(max(y for _, y in spans)) if spans else all_sessions[0]
        self.sessions = all_sessions[(all_sessions >= calendar.session_on_or_before(lo)) & (all_sessions <= hi)]
        S, T = len(self.sessions), len(self.tickers)
        sess = self.sessions.to_numpy(dtype="datetime64[ns]").view(np.int64)

        def on_session(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            """(is a session, its row) for int64 nanosecond dates."""
            pos = np.searchsorted(sess, d)
            hit = pos < S
            hit[hit] = sess[pos[hit]] == d[hit]
            return hit, pos

        def counts(codes: np.ndarray, names: list[str]) -> dict[str, int]:
            n = np.bincount(codes, minlength=len(names)) if len(codes) else np.zeros(len(names), dtype=np.int64)
            return {names[k]: int(n[k]) for k in np.flatnonzero(n)}

        # ---- prices: rows on sessions; rows on other days are counted and left out -------------
        block_col = np.array([self.tcol.get(t, -1) for t in pr.tickers], dtype=np.int64)
        c = np.repeat(block_col, pr.counts)
        on, r = on_session(dates)
        self.price_off_session = counts(c[~on], self.tickers)
        r, c = r[on], c[on]

        def wide(col, fill=np.nan):
            out = np.full((S, T), fill)
            out[r, c] = pr.cols[col][on]
            return out

        self.close = wide("Close")
        self.high = wide("High")
        self.low = wide("Low")
        self.volume = wide("Volume")
        splits = wide("Splits", 0.0)
        splits[~(np.isfinite(splits) & (splits > 0))] = 1.0
        self.cumsplit = np.cumprod(splits, axis=0)
        del splits
        self.valid = np.isfinite(self.close)
        self.lp = lastpos(self.valid)
        adj = self.close * self.cumsplit
        self.adj_ffill = _ffill(adj)  # split-adjusted close, carried over gaps
        del adj
        self.close_ffill = _ffill(self.close)
        self.first_row = np.where(self.valid.any(axis=0), self.valid.argmax(axis=0), S)

        # ---- share counts on sessions (an observation on a closed day counts for the session before) --
        F = len(self.funds)
        fund_t = np.array([self.tcol[t] for t in self.funds], dtype=np.int64)
        fmap = np.array([self.fcol.get(t, -1) for t in sh_rows.tickers] + [-1], dtype=np.int64)
        fc = fmap[sh_rows.codes]
        keep = fc >= 0
        fc = fc[keep]
        sd = sh_rows.date.view(np.int64)[keep]
        sh_on, _ = on_session(sd)
        self.shares_off_session = counts(fc[~sh_on], self.funds)
        rows = np.clip(np.searchsorted(sess, sd, side="right") - 1, 0, None)
        inside = sd >= sess[0] if S else np.zeros(len(sd), bool)
        idx = np.flatnonzero(inside)
        fc, sd, rows = fc[idx], sd[idx], rows[idx]
        # file order breaks ties, so "last" is the later row of the file
        ordered = bool(np.all((fc[1:] > fc[:-1]) | ((fc[1:] == fc[:-1]) & (sd[1:] > sd[:-1]))))
        srt = np.arange(len(fc)) if ordered else np.lexsort((sd, fc))
        fs, ds = fc[srt], sd[srt]
        dup = np.zeros(len(fs), dtype=bool)
        dup[:-1] = (fs[1:] == fs[:-1]) & (ds[1:] == ds[:-1])
        self.shares_duplicates = counts(fs[dup], self.funds)
        # one observation per fund and session: the latest date, then the later row of the file
        srt = srt if ordered else np.lexsort((sd, rows, fc))
        fs, rs = fc[srt], rows[srt]
        last = np.ones(len(fs), dtype=bool)
        last[:-1] = (fs[1:] != fs[:-1]) | (rs[1:] != rs[:-1])
        pick = idx[srt[last]]
        sr, sc = rs[last], fs[last]
        shares = np.full((S, F), np.nan)
        shares[sr, sc] = sh_rows.cols["shares_outstanding"][keep][pick]
        nav = np.full((S, F), np.nan)
        nav[sr, sc] = sh_rows.cols["nav"][keep][pick]
        del fc, sd, rows, idx, srt, fs, ds, rs, dup, last, pick
        self.shares = shares
        self.sh_valid = np.isfinite(shares)
        self.sh_lp = lastpos(self.sh_valid)
        prev_pos = np.vstack([np.full((1, F), -1), self.sh_lp[:-1]])
        prev_pos[~self.sh_valid] = -1
        fcols = np.arange(F)
        pp = np.clip(prev_pos, 0, None)
        has_prev = prev_pos >= 0
        del prev_pos
        prev = shares[pp, fcols]
        prev[~has_prev] = np.nan
        cum_f = self.cumsplit[:, fund_t] if F else np.ones((S, 0))
        factor = cum_f / cum_f[pp, fcols]
        factor[~has_prev] = 1.0
        del cum_f
        close_f = self.close_ffill[:, fund_t] if F else np.ones((S, 0))
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = shares / prev
            # only a count that at least ~doubled or ~halved can sit within 5% of a split ratio
            cand = np.flatnonzero((ratio > 1.5) | (ratio < 0.7))
            r_c = ratio.ravel()[cand]
            del ratio
            implied = np.ones(len(cand))
            has_near = np.zeros(len(cand), dtype=bool)
            for k in SPLIT_RATIOS:  # the first split ratio within 5% of the share-count ratio
                near = np.abs(r_c / k - 1) < 0.05
                near &= ~has_near
                implied[near] = k
                has_near |= near
            cand, implied = cand[has_near], implied[has_near]
            cr, cc = np.divmod(cand, F) if F else (cand, cand)
            close_ratio = close_f[cr, cc] / close_f[pp[cr, cc], cc]
        detected = (np.take(factor, cand) == 1.0) & (np.abs(close_ratio * implied - 1) < 0.1)
        np.put(factor, cand[detected], implied[detected])
        del pp, cand, implied, has_near, close_ratio, detected
        self.split_obs = (factor != 1.0) & self.sh_valid & has_prev
        factor[~self.sh_valid] = 1.0
        self.factor = factor
        nav_ok = np.isfinite(nav) & (nav > 0)
        self.price_used = np.where(nav_ok, nav, close_f)
        del nav, close_f
        self.nav_ok = nav_ok
        units = shares - prev * self.factor  # split-adjusted change in units
        del prev
        units[~(self.sh_valid & has_prev)] = np.nan
        self.units = units
        self.est_flow = self.units * self.price_used
        self.sh_first = np.where(self.sh_valid.any(axis=0), self.sh_valid.argmax(axis=0), S)
        # the estimated-flow series: 0 between observations, NaN before the first one
        rowsS = np.arange(S)[:, None]
        est_series = np.nan_to_num(self.est_flow)
        est_series[rowsS < self.sh_first[None, :]] = np.nan
        self.est_series = est_series
        self.moved = self.sh_valid & has_prev & (np.nan_to_num(self.units) != 0)
        del has_prev
        # stale share counts: last observation where the count changed (split-adjusted)
        self.change_lp = lastpos(self.moved)

        # ---- vendor flows on sessions; rows on closed days are counted and left out --------------
        fmap = np.array([self.fcol.get(t, -1) for t in fl_rows.tickers] + [-1], dtype=np.int64)
        vc = fmap[fl_rows.codes]
        keep = vc >= 0
        vc = vc[keep]
        vd = fl_rows.date.view(np.int64)[keep]
        vv = fl_rows.cols["flow_usd"][keep]
        fl_on, vr = on_session(vd)
        off = ~fl_on & ~np.isnan(vv)
        self.vendor_off = pd.DataFrame({
            "date": vd[off].view("datetime64[ns]"),
            "ticker": pd.array(np.asarray(self.funds + [""], dtype=object)[vc[off]], dtype=str),
            "nonzero": vv[off] != 0})
        vc, vd, vr, vv = vc[fl_on], vd[fl_on], vr[fl_on], vv[fl_on]
        srt = np.lexsort((vd, vc))
        fs, ds = vc[srt], vd[srt]
        last = np.ones(len(fs), dtype=bool)
        last[:-1] = (fs[1:] != fs[:-1]) | (ds[1:] != ds[:-1])
        self.vendor_duplicates = counts(fs[~last], self.funds)
        pick = srt[last]
        vendor = np.full((S, F), np.nan)
        vendor[vr[pick], vc[pick]] = vv[pick]
        self.vendor = vendor
        self.v_valid = np.isfinite(vendor)
        self.v_first = np.where(self.v_valid.any(axis=0), self.v_valid.argmax(axis=0), S)
        vendor_series = np.nan_to_num(vendor)
        vendor_series[rowsS < self.v_first[None, :]] = np.nan
        self.vendor_series = vendor_series
        self.fund_t = fund_t
        self.stale_after_sessions = stale_after_sessions
        self._snapshots: dict = {}

    # ---- lookups ----------------------------------------------------------------------------------

    def check_ticker(self, ticker: str) -> None:
        """Raise the stored error for a fund whose files are malformed, or UsageError for an unknown one."""
        if ticker in self.errors:
            raise self.errors[ticker]
        if ticker not in self.tcol:
            raise UsageError(f"no prices for {ticker} in {getattr(self.source, 'root', self.source.label)}")

    def row_of(self, ts: pd.Timestamp) -> int:
        return int(self.sessions.searchsorted(pd.Timestamp(ts), side="right") - 1)

    def prices_frame(self, ticker: str) -> pd.DataFrame:
        """One ticker's rows as a frame (for callers that want the familiar shape)."""
        j = self.tcol[ticker]
        v = self.valid[:, j]
        return pd.DataFrame({"Close": self.close[v, j], "High": self.high[v, j], "Low": self.low[v, j],
                             "Volume": self.volume[v, j]}, index=self.sessions[v])

    # ---- one date, one window ----------------------------------------------------------------

    def snapshot(self, as_of: pd.Timestamp, window: str, start: pd.Timestamp, settings) -> Snapshot:
        key = (pd.Timestamp(as_of), window, pd.Timestamp(start), settings)
        if key not in self._snapshots:
            self._snapshots[key] = self._snapshot(pd.Timestamp(as_of), window, pd.Timestamp(start), settings)
        return self._snapshots[key]

    def _snapshot(self, as_of, window, start, st) -> Snapshot:
        S, T = self.close.shape
        i = self.row_of(as_of)
        if i < 0:
            raise UsageError(f"no data on or before {as_of.date()}")
        s0 = self.row_of(start) if start >= self.sessions[0] else -1
        n = WINDOW_SESSIONS[window] or max(i - s0, 1)
        tt: dict[str, np.ndarray] = {}
        lp = self.lp[i]                                   # last price row per ticker
        tt["last_row"] = lp
        tt["last"] = take(self.close, lp)
        adj = self.adj_ffill
        a_last = take(adj, lp)
        prev_row = np.where(lp > 0, self.lp[np.clip(lp - 1, 0, None), np.arange(T)], -1)
        with np.errstate(invalid="ignore", divide="ignore"):
            tt["day_change"] = a_last / take(adj, prev_row) - 1
            start_row = self.lp[s0] if s0 >= 0 else np.full(T, -1)
            tt["window_change"] = a_last / take(adj, start_row) - 1
            y0 = int(self.sessions.searchsorted(pd.Timestamp(as_of.year, 1, 1))) - 1
            ye_row = self.lp[y0] if y0 >= 0 else np.full(T, -1)
            tt["ytd_return"] = a_last / take(adj, ye_row) - 1
            lo = int(self.sessions.searchsorted(as_of - pd.Timedelta(weeks=st.range_weeks), side="right"))
            # intraday range in today's share basis: prices before a split scale by the split ratio
            basis = self.cumsplit[lo:i + 1] / self.cumsplit[i]
            tt["low_52w"] = np.nanmin(np.where(self.valid[lo:i + 1], self.low[lo:i + 1] * basis, np.inf), axis=0)
            tt["high_52w"] = np.nanmax(np.where(self.valid[lo:i + 1], self.high[lo:i + 1] * basis, -np.inf), axis=0)
            tt["low_52w"][~np.isfinite(tt["low_52w"])] = np.nan
            tt["high_52w"][~np.isfinite(tt["high_52w"])] = np.nan
            k = st.adv_sessions
            if i + 1 >= k:
                dollar = self.close[i + 1 - k:i + 1] * self.volume[i + 1 - k:i + 1]
                tt["adv_usd"] = np.where(np.isfinite(dollar).all(axis=0), dollar.mean(axis=0), np.nan)
            else:
                tt["adv_usd"] = np.full(T, np.nan)
            if i >= 21:
                seg = adj[i - 21:i + 1]
                rets = np.diff(np.log(seg), axis=0)
                ok = np.isfinite(rets).all(axis=0) & (self.first_row <= i - 21)
                tt["realized_vol"] = np.where(ok, np.std(rets, axis=0, ddof=1) * math.sqrt(252), np.nan)
            else:
                tt["realized_vol"] = np.full(T, np.nan)
            for name, kk in (("momentum_1m", 21), ("momentum_3m", 63)):
                if i >= kk:
                    ok = self.first_row <= i - kk
                    tt[name] = np.where(ok, adj[i] / adj[i - kk] - 1, np.nan)
                else:
                    tt[name] = np.full(T, np.nan)
            tt["off_high_pct"] = tt["last"] / tt["high_52w"] - 1

        ff = self._flow_stats(i, s0, n, window, st, tt)
        return Snapshot(as_of=self.sessions[i], window=window, i=i, start=start, s0=s0, n=n, t=tt, f=ff)

    def _flow_stats(self, i, s0, n, window, st, tt) -> dict[str, np.ndarray]:
        S, F = self.shares.shape
        fc = np.arange(F)
        out: dict[str, np.ndarray] = {}
        last_obs = self.sh_lp[i]
        start_obs = self.sh_lp[s0] if s0 >= 0 else np.full(F, -1)
        shares_ok = (start_obs >= 0) & (last_obs > s0)
        out["shares_ok"] = shares_ok
        out["start_obs"], out["last_obs"] = start_obs, last_obs
        out["shares_start"] = take(self.shares, start_obs)
        out["shares_end"] = take(self.shares, last_obs)
        lo = max(s0 + 1, 0)
        seg = slice(lo, i + 1)
        out["est_net"] = np.nansum(self.est_flow[seg], axis=0)
        out["window_factor"] = np.prod(self.factor[seg], axis=0)
        moved = self.moved[seg]
        out["flow_days"] = (moved & (self.est_flow[seg] != 0)).sum(axis=0)
        out["moved_nav"] = (moved & self.nav_ok[seg]).any(axis=0)
        out["moved_close"] = (moved & ~self.nav_ok[seg]).any(axis=0)
        out["nav_fallback_days"] = (moved & ~self.nav_ok[seg]).sum(axis=0)
        out["split_days"] = self.split_obs[seg].sum(axis=0)
        out["end_price"] = take(self.price_used, last_obs)
        out["end_price_nav"] = take(self.nav_ok.astype(float), last_obs) == 1
        # how many sessions the share count has been flat, up to its last observation
        last_change = np.where(last_obs >= 0, self.change_lp[np.clip(last_obs, 0, None), fc], -1)
        since = np.where(last_change >= 0, last_change, self.sh_first)
        out["stale_sessions"] = np.where(last_obs >= 0, np.clip(last_obs - since, 0, None), 0)
        v_seg = self.vendor[seg]
        out["vendor_days"] = np.isfinite(v_seg).sum(axis=0)
        out["vendor_net"] = np.where(out["vendor_days"] > 0, np.nansum(v_seg, axis=0), np.nan)
        vendor_ok = ~shares_ok & (out["vendor_days"] > 0)
        out["vendor_ok"] = vendor_ok
        out["net"] = np.where(shares_ok, out["est_net"], np.where(vendor_ok, out["vendor_net"], np.nan))
        out["aum_est"] = np.where(shares_ok, out["shares_end"] * out["end_price"], np.nan)

        # ---- history: the fund's own series (estimated when its share counts cover the window) ------
        use_est = shares_ok | (~vendor_ok & (self.sh_first <= i))
        series = np.where(use_est[None, :], self.est_series[:i + 1], self.vendor_series[:i + 1])
        first = np.where(use_est, self.sh_first, self.v_first)
        first_cov = np.where(use_est, self.sh_first + 1, self.v_first)  # first row a window may start from
        out["series_est"] = use_est
        has_series = first_cov <= i
        cs = np.vstack([np.zeros((1, F)), np.cumsum(np.nan_to_num(series), axis=0)])  # cs[r+1] = sum rows <= r

        def wsum(end_rows: np.ndarray, length: int) -> np.ndarray:
            """Sum of the series over `length` sessions ending at each row (NaN when not fully covered)."""
            end_rows = np.asarray(end_rows)
            ok = (end_rows - length + 1 >= first_cov[None, :]) & (end_rows >= 0)
            e = np.clip(end_rows, 0, None)
            s = np.clip(end_rows - length, -1, None)
            val = cs[e + 1, fc] - cs[s + 1, fc]
            return np.where(ok, val, np.nan)

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

        # streak: consecutive same-sign non-zero daily flows ending at the latest non-zero one
        sgn = np.sign(np.nan_to_num(series))
        nz = sgn != 0
        nz_lp = lastrow(nz)
        last_sign = np.where(nz_lp >= 0, sgn[np.clip(nz_lp, 0, None), fc], 0)
        opp = lastrow(sgn == -last_sign[None, :])
        cnz = np.cumsum(nz, axis=0)
        total = cnz[-1] if len(cnz) else np.zeros(F)
        before = np.where(opp >= 0, cnz[np.clip(opp, 0, None), fc], 0)
        out["streak_days"] = np.where(has_series & (last_sign != 0), (total - before) * last_sign, np.nan)

        y0 = int(self.sessions.searchsorted(pd.Timestamp(self.sessions[i].year, 1, 1)))
        out["ytd_usd"] = np.where(has_series, cs[i + 1] - cs[min(max(y0, 0), i + 1)], np.nan)
        for key, months in (("m1_usd", 1), ("m3_usd", 3)):
            since = self.sessions[i] - pd.DateOffset(months=months)
            r = int(self.sessions.searchsorted(since, side="right")) - 1  # last session on or before `since`
            out[key] = np.where(has_series & (first_cov <= r + 1) & (r >= 0), cs[i + 1] - cs[max(r, -1) + 1], np.nan)

        # cumulative flow over the stress horizon, as a share of units outstanding (or of assets)
        k = st.stress_sessions
        r10 = i - k
        if r10 >= 0:
            units = np.nansum(np.where(self.sh_valid[r10 + 1:i + 1], self.units[r10 + 1:i + 1], 0), axis=0)
            base_obs = self.sh_lp[r10]
            base = take(self.shares, base_obs)
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
            adj_f = self.adj_ffill[:, self.fund_t]
            e = np.clip(ends, 0, None)
            with np.errstate(invalid="ignore", divide="ignore"):
                f2 = adj_f[e + fwd_min, fc] / adj_f[e, fc] - 1
                f6 = adj_f[e + fwd_max, fc] / adj_f[e, fc] - 1
            hit &= np.isfinite(f2) & np.isfinite(f6)
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

    # ---- universe views ----------------------------------------------------------------------

    def window_table(self, snap: Snapshot) -> pd.DataFrame:
        """One row per fund: ticker, name, category, net_usd (NaN when unknown), source of the figure."""
        src = np.where(snap.f["shares_ok"], self.source.path_of("shares"),
                       np.where(snap.f["vendor_ok"], self.source.path_of("flows"), ""))
        return pd.DataFrame({
            "ticker": self.funds,
            "name": [str(self.info.get(t, {}).get("longName") or t) for t in self.funds],
            "category": [self.info.get(t, {}).get("category") for t in self.funds],
            "net_usd": snap.f["net"], "source": src})

    def series(self, ticker: str, snap: Snapshot) -> pd.Series:
        """The daily flow series a fund's history uses, up to the snapshot date."""
        j = self.fcol[ticker]
        col = self.est_series[:, j] if snap.f["series_est"][j] else self.vendor_series[:, j]
        return pd.Series(col[:snap.i + 1], index=self.sessions[:snap.i + 1]).dropna()


def panel_for(source: Source, settings=None) -> Panel:
    """The panel of a source, built once and kept on the source object."""
    memo = source.__dict__.get("_panel")
    if memo is None:
        memo = Panel(source)
        source.__dict__["_panel"] = memo
    return memo


__all__ = ["Panel", "Snapshot", "lastpos", "panel_for", "round_down_125_array", "take", "NotewriterError"]
