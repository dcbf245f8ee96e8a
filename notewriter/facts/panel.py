"""Wide frames (sessions x tickers) for a whole universe, and every per-fund statistic in vectorized passes.

A `Panel` is built once per source; `Panel.snapshot(as_of, window)` computes the numbers every fund's
facts need for one date and window as arrays over all funds at once, so a universe of notes costs a
few array passes plus a small, constant amount of work per fund.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import calendar
from ..errors import UsageError
from ..sources.base import Source
from ..config import Rules
from ..sources.tables import Tables
from .arrays import ffill, lastpos
from .guards import SPLIT_RATIOS, clean_share_counts, clean_vendor_flows, input_notes, price_errors
from .snapshot import WINDOW_SESSIONS, Snapshot, compute_snapshot



class Panel:
    """A universe as aligned arrays; errors of single funds are kept, not raised, until that fund is asked for."""

    def __init__(self, source: Source, tables: Tables | None = None, stale_after_sessions: int = 20,
                 cutoff: pd.Timestamp | None = None, rules: Rules | None = None):
        """`cutoff`: the last date whose rows may be used (a note as of D sees nothing dated after D)."""
        self.source = source
        self.cutoff = pd.Timestamp(cutoff).normalize() if cutoff is not None else None
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
        cut = np.iinfo(np.int64).max
        if self.cutoff is not None:
            hi = max(min(hi, self.cutoff), lo)
            cut = self.cutoff.value
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
        known = dates <= cut
        self.price_off_session = counts(c[~on & known], self.tickers)
        on &= known
        r, c = r[on], c[on]

        def wide(col, fill=np.nan):
            out = np.full((S, T), fill)
            out[r, c] = pr.cols[col][on]
            return out

        self.close = wide("Close")
        self.high = wide("High")
        self.low = wide("Low")
        self.volume = wide("Volume")
        self.adjclose = wide("AdjClose")  # dividends reinvested, where the price file carries it
        splits = wide("Splits", 0.0)
        splits[~(np.isfinite(splits) & (splits > 0))] = 1.0
        self.cumsplit = np.cumprod(splits, axis=0)
        del splits
        self.valid = np.isfinite(self.close)
        self.lp = lastpos(self.valid)
        adj = self.close * self.cumsplit
        self.adj_ffill = ffill(adj)  # split-adjusted close, carried over gaps
        del adj
        self.close_ffill = ffill(self.close)
        self.first_row = np.where(self.valid.any(axis=0), self.valid.argmax(axis=0), S)
        rules = rules or Rules()
        bad = price_errors(self.sessions, self.tickers, self.close, self.high, self.low, self.cumsplit,
                           source.path_of, rules.max_price_jump)
        if bad:  # refused funds: their notes exit with the error, the rest go on
            self.errors.update({t: e for t, e in bad.items() if t not in self.errors})
            self.funds = [t for t in self.funds if t not in self.errors]
            self.fcol = {t: j for j, t in enumerate(self.funds)}

        # ---- share counts on sessions (an observation on a closed day counts for the session before) --
        F = len(self.funds)
        fund_t = np.array([self.tcol[t] for t in self.funds], dtype=np.int64)
        fmap = np.array([self.fcol.get(t, -1) for t in sh_rows.tickers] + [-1], dtype=np.int64)
        fc = fmap[sh_rows.codes]
        keep = (fc >= 0) & (sh_rows.date.view(np.int64) <= cut)
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
        self.guard_flags = clean_share_counts(self.sessions, self.funds, shares,
                                              self.close[:, fund_t] if F else np.ones((S, 0)), rules.max_share_jump)
        nav[np.isnan(shares)] = np.nan
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
        keep = (vc >= 0) & (fl_rows.date.view(np.int64) <= cut)
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
        for t, flags in clean_vendor_flows(self.sessions, self.funds, vendor).items():
            self.guard_flags.setdefault(t, []).extend(flags)
        for t, flags in input_notes(tb, self.funds).items():
            self.guard_flags.setdefault(t, []).extend(flags)
        # rows left out of a price file for a blank Close, by date (those after the cutoff are not seen)
        self.price_blank = {t: d[d.view(np.int64) <= cut] for t, d in tb.price_blank.items()
                            if (d.view(np.int64) <= cut).any()}
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
        if ticker not in self.tcol and self.source.has_prices(ticker):  # a file with a header and no price rows
            blank = len(self.price_blank.get(ticker, ()))
            raise UsageError(f"{self.source.path_of('prices', ticker)} has no price rows for {ticker}"
                             + (f" ({blank} row(s) have no Close)" if blank else ""))
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
            self._snapshots[key] = compute_snapshot(self, pd.Timestamp(as_of), window, pd.Timestamp(start), settings)
        return self._snapshots[key]

    # ---- universe views ----------------------------------------------------------------------

    def window_table(self, snap: Snapshot) -> pd.DataFrame:
        """One row per fund: ticker, name, category, net_usd (NaN when unknown), source of the figure."""
        src = np.where(snap.f["shares_ok"], self.source.path_of("shares"),
                       np.where(snap.f["vendor_ok"], self.source.path_of("flows"), ""))
        return pd.DataFrame({
            "ticker": self.funds,
            "name": [str(self.info.get(t, {}).get("longName") or t) for t in self.funds],
            "category": [self.info.get(t, {}).get("category") for t in self.funds],
            "net_usd": snap.f["net"], "source": src,
            # vendor days behind a vendor figure that covers only part of the window (0 when complete)
            "vendor_days": np.where(snap.f["vendor_ok"] & (snap.f["vendor_days"] < snap.n), snap.f["vendor_days"], 0)})

    def series(self, ticker: str, snap: Snapshot) -> pd.Series:
        """The daily flow series a fund's history uses, up to the snapshot date."""
        j = self.fcol[ticker]
        col = self.est_series[:, j] if snap.f["series_est"][j] else self.vendor_series[:, j]
        return pd.Series(col[:snap.i + 1], index=self.sessions[:snap.i + 1]).dropna()


def panel_for(source: Source, cutoff: pd.Timestamp | None = None) -> Panel:
    """The panel of a source as known at `cutoff` (all of it when None), built once and kept on the source."""
    key = pd.Timestamp(cutoff).normalize() if cutoff is not None else None
    memo = source.__dict__.setdefault("_panels", {})
    if key not in memo:
        tables = source.__dict__.get("_tables")
        if tables is None:
            tables = source.__dict__["_tables"] = source.tables()
        if len(memo) >= 8:  # a batch uses one or two dates; a long backtest should not keep every panel
            memo.pop(next(iter(memo)))
        memo[key] = Panel(source, tables=tables, cutoff=key)
    return memo[key]


def latest_date(source: Source) -> pd.Timestamp | None:
    """The last date with a price row anywhere in the source (None when it has none)."""
    tables = source.__dict__.get("_tables")
    if tables is None:
        tables = source.__dict__["_tables"] = source.tables()
    d = tables.price_rows.date
    return pd.Timestamp(d.max()) if len(d) else None


__all__ = ["WINDOW_SESSIONS", "Panel", "Snapshot", "latest_date", "panel_for"]
