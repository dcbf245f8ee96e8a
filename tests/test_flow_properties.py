"""Property tests for the flow arithmetic of the universe panel: sign, additivity over windows, split invariance."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notewriter.facts.analogs import window_sums
from notewriter.facts.panel import Panel
from notewriter.sources.base import Source

from .conftest import sessions

DAYS = sessions("2024-01-02", "2024-03-28")  # 61 sessions


class MemorySource(Source):
    """One fund held in memory, through the plain Source interface."""

    label = "memory"

    def __init__(self, close, shares, nav, splits=None):
        self._prices = pd.DataFrame({"Open": close, "High": close, "Low": close, "Close": close,
                                     "Volume": 1e6, "Dividends": 0.0,
                                     "Splits": splits if splits is not None else 0.0}, index=DAYS)
        self._shares = pd.DataFrame({"shares_outstanding": shares, "nav": nav, "source": "test"}, index=DAYS)

    def tickers(self):
        return ["FND"]

    def funds(self):
        return ["FND"]

    def prices(self, ticker):
        return self._prices

    def shares(self, ticker):
        return self._shares

    def vendor_flows(self, ticker):
        return pd.DataFrame({"flow_usd": pd.Series(dtype=float)}, index=pd.DatetimeIndex([]))

    def fund_info(self, ticker):
        return {}

    def holdings(self, ticker):
        return None

    def path_of(self, kind, ticker=None):
        return kind


unit_moves = st.lists(st.integers(min_value=-40, max_value=40), min_size=len(DAYS) - 1, max_size=len(DAYS) - 1)
# NAV as a random walk: a start level and daily moves of at most 5%
navs = st.builds(lambda start, moves: list(start * np.cumprod([1.0] + [1 + m for m in moves])),
                 st.floats(min_value=20, max_value=400),
                 st.lists(st.floats(min_value=-0.05, max_value=0.05), min_size=len(DAYS) - 1, max_size=len(DAYS) - 1))
CU = 50_000  # shares per creation unit


def _shares(moves):
    return 200_000_000 + CU * np.concatenate([[0], np.cumsum(moves)])


def _flows(panel):
    return panel.est_flow[:, 0]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unit_moves, navs)
def test_sign_and_size_follow_the_share_change(moves, nav):
    shares = _shares(moves)
    panel = Panel(MemorySource(np.array(nav), shares, np.array(nav)))
    flows = _flows(panel)[1:]
    # by hand: flow[t] = (shares[t] - shares[t-1]) x NAV[t]
    expected = np.diff(shares) * np.array(nav)[1:]
    np.testing.assert_allclose(flows, expected, rtol=1e-12, atol=1e-6)
    assert (np.sign(flows) == np.sign(np.array(moves))).all()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unit_moves, navs, st.integers(min_value=1, max_value=20), st.integers(min_value=1, max_value=19))
def test_window_flows_add_up(moves, nav, n, k):
    k = min(k, n - 1) if n > 1 else 0
    panel = Panel(MemorySource(np.array(nav), _shares(moves), np.array(nav)))
    last = len(DAYS) - 1
    whole = window_sums(panel, "FND", n, last)
    if k:
        # a window of n sessions = its last k sessions + the n - k before them
        parts = window_sums(panel, "FND", k, last) + np.concatenate(
            [[np.nan] * k, window_sums(panel, "FND", n - k, last)[:-k]])
        ok = np.isfinite(whole)
        np.testing.assert_allclose(whole[ok], parts[ok], rtol=1e-9, atol=1e-3)
    # and every covered window equals the plain sum of its daily flows
    daily = np.nan_to_num(_flows(panel))
    for end in range(n, last + 1):
        assert abs(whole[end] - daily[end - n + 1:end + 1].sum()) <= 1e-3 + 1e-9 * abs(whole[end])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unit_moves, navs, st.integers(min_value=5, max_value=len(DAYS) - 5), st.sampled_from([2, 3, 4, 10]),
       st.booleans())
def test_a_split_changes_no_flow(moves, nav, day, ratio, recorded):
    nav = np.array(nav)
    # an unrecorded split is recognised by its shape (share ratio within 5% of a split ratio, price moving
    # inversely), so creations on the split day itself must stay below that; here at most 1% of units
    shares = _shares(moves)
    base = _flows(Panel(MemorySource(nav, shares, nav)))
    after = np.arange(len(DAYS)) >= day
    split_shares = np.where(after, shares * ratio, shares)
    split_nav = np.where(after, nav / ratio, nav)
    splits = np.where(np.arange(len(DAYS)) == day, float(ratio), 0.0) if recorded else None
    panel = Panel(MemorySource(split_nav, split_shares, split_nav, splits))
    # recorded in the price file or not, the split day is no flow, and every other day is unchanged
    np.testing.assert_allclose(np.nan_to_num(_flows(panel)), np.nan_to_num(base), rtol=1e-9, atol=1e-3)
    assert panel.split_obs[day, 0]
