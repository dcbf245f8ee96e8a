"""Flows for every fund in a source over one window: peers, leaderboards, rotations."""

from __future__ import annotations

import pandas as pd

from ..sources.base import Source
from .panel import panel_for


def window_flows(source: Source, start: pd.Timestamp, end: pd.Timestamp, settings=None) -> pd.DataFrame:
    """One row per fund: ticker, name, category, net_usd (NaN when unknown), source of the figure."""
    from .build import Settings

    panel = panel_for(source)
    return panel.window_table(panel.snapshot(pd.Timestamp(end), "1d", pd.Timestamp(start), settings or Settings()))
