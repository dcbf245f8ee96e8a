"""Daily flow estimates from shares outstanding x NAV, with the split and staleness guards."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# share-count ratios that look like a split or reverse split
_SPLIT_RATIOS = np.array([2, 3, 4, 5, 8, 10, 20, 1 / 2, 1 / 3, 1 / 4, 1 / 5, 1 / 8, 1 / 10, 1 / 20])


@dataclass
class DailyFlows:
    """Per share-count observation: the change, the price used and the estimated flow."""

    frame: pd.DataFrame  # index date; shares, prev_shares, price, basis, split_factor, flow
    split_dates: list[pd.Timestamp] = field(default_factory=list)
    nav_fallback_dates: list[pd.Timestamp] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.frame.empty


def split_factors(prices: pd.DataFrame) -> pd.Series:
    """Cumulative split factor up to each price date (1.0 before the first split)."""
    ratios = prices["Splits"].where(prices["Splits"] > 0, 1.0)
    return ratios.cumprod()


def estimate_daily_flows(shares: pd.DataFrame, prices: pd.DataFrame) -> DailyFlows:
    """Flow[t] = (shares[t] - shares[t-1] x split factor) x NAV[t], NAV falling back to Close[t]."""
    if shares.empty:
        return DailyFlows(pd.DataFrame(columns=["shares", "prev_shares", "price", "basis", "split_factor", "flow"]))
    s = shares["shares_outstanding"].astype(float)
    close = prices["Close"].reindex(s.index.union(prices.index)).ffill().reindex(s.index)
    nav = shares["nav"].astype(float) if "nav" in shares.columns else pd.Series(np.nan, index=s.index)
    price = nav.where(nav.notna() & (nav > 0), close)
    basis = np.where(nav.notna() & (nav > 0), "nav", "close")

    cum = split_factors(prices)
    cum_at = cum.reindex(s.index.union(cum.index)).ffill().fillna(1.0).reindex(s.index)
    factor = (cum_at / cum_at.shift()).fillna(1.0)
    prev = s.shift()
    ratio = s / prev

    # a split-shaped jump with no recorded split: share ratio near a split ratio and price moved inversely
    close_ratio = close / close.shift()
    near = np.abs(ratio.to_numpy()[:, None] / _SPLIT_RATIOS[None, :] - 1) < 0.01
    shaped = near.any(axis=1) & (factor.to_numpy() == 1.0)
    implied = np.where(near.any(axis=1), _SPLIT_RATIOS[np.argmax(near, axis=1)], 1.0)
    inverse_move = np.abs(close_ratio.to_numpy() * implied - 1) < 0.1
    detected = shaped & inverse_move
    factor = pd.Series(np.where(detected, implied, factor.to_numpy()), index=s.index)

    flow = (s - prev * factor) * price
    frame = pd.DataFrame({"shares": s, "prev_shares": prev, "price": price, "basis": basis,
                          "split_factor": factor, "flow": flow})
    frame = frame.iloc[1:]
    changed = frame["shares"] != frame["prev_shares"] * frame["split_factor"]
    return DailyFlows(
        frame=frame,
        split_dates=list(frame.index[frame["split_factor"] != 1.0]),
        nav_fallback_dates=list(frame.index[(frame["basis"] == "close") & changed]),
    )


def stale_sessions(shares: pd.DataFrame, sessions: pd.DatetimeIndex) -> int:
    """How many sessions, up to the last observation, the share count has not moved."""
    if len(shares) < 2:
        return 0
    s = shares["shares_outstanding"].to_numpy()
    last_change = np.flatnonzero(s[1:] != s[:-1])
    since = shares.index[last_change[-1] + 1] if len(last_change) else shares.index[0]
    end = shares.index[-1]
    lo = sessions.searchsorted(since, side="left")
    hi = sessions.searchsorted(end, side="right")
    return int(max(hi - lo - 1, 0))


def on_sessions(daily: pd.Series, sessions: pd.DatetimeIndex) -> pd.Series:
    """A flow series re-indexed to every session (no flow recorded = 0.0)."""
    return daily.groupby(level=0).sum().reindex(sessions, fill_value=0.0).astype(float)
