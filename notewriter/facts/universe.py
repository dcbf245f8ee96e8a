"""Flows for every fund in a source over one window: peers, leaderboards, rotations."""

from __future__ import annotations

import pandas as pd

from ..errors import NotewriterError
from ..sources.base import Source
from .flows import estimate_daily_flows


def window_flows(source: Source, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """One row per fund: ticker, name, category, net_usd (NaN when unknown), source of the figure."""
    rows = []
    for ticker in source.funds():
        info = {}
        net, origin = float("nan"), ""
        try:
            info = source.fund_info(ticker) or {}
            shares = source.shares(ticker)
            shares = shares[shares.index <= end]
            if len(shares) and (shares.index <= start).any() and shares.index[-1] > start:
                daily = estimate_daily_flows(shares, source.prices(ticker)).frame
                net = float(daily.loc[(daily.index > start) & (daily.index <= end), "flow"].sum())
                origin = source.path_of("shares")
            else:
                vendor = source.vendor_flows(ticker)["flow_usd"]
                known = vendor[(vendor.index > start) & (vendor.index <= end)].dropna()
                if len(known):
                    net, origin = float(known.sum()), source.path_of("flows")
        except NotewriterError:
            pass  # a fund with bad files is reported when its own note is written; here it has no flow
        rows.append({"ticker": ticker, "name": str(info.get("longName") or ticker), "category": info.get("category"),
                     "net_usd": net, "source": origin})
    return pd.DataFrame(rows, columns=["ticker", "name", "category", "net_usd", "source"])
