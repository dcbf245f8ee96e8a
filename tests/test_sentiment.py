"""The facts signal's properties, and every note's sentiment block agreeing with its own numbers."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notewriter import DataDirSource, write_note
from notewriter.sentiment import component_signal, fund_signal, label_for

from .conftest import MARKET, SAMPLES

z = st.floats(-50, 50, allow_nan=False)
frac = st.floats(-0.9, 0.9, allow_nan=False)
maybe = lambda s: st.one_of(st.none(), s)  # noqa: E731


@given(maybe(z), maybe(frac), maybe(frac))
def test_fund_signal_is_bounded_and_odd(zscore, pct, mom):
    s = fund_signal(zscore, pct, mom)
    assert -1 <= s <= 1
    neg = lambda v: None if v is None else -v  # noqa: E731
    assert fund_signal(neg(zscore), neg(pct), neg(mom)) == pytest.approx(-s, abs=1e-12)


@given(z, z, frac)
def test_fund_signal_is_monotone_in_flow(z1, z2, mom):
    lo, hi = sorted((z1, z2))
    assert fund_signal(lo, None, mom) <= fund_signal(hi, None, mom) + 1e-12


@given(frac, frac, z)
def test_fund_signal_is_monotone_in_momentum(m1, m2, zscore):
    lo, hi = sorted((m1, m2))
    assert fund_signal(zscore, None, lo) <= fund_signal(zscore, None, hi) + 1e-12


@given(frac, frac, frac)
def test_component_signal_is_bounded_monotone_and_odd(d1, d2, w):
    lo, hi = sorted((d1, d2))
    assert -1 <= component_signal(lo, w) <= component_signal(hi, w) + 1e-12 <= 1 + 1e-12
    assert component_signal(-d1, -w) == pytest.approx(-component_signal(d1, w), abs=1e-12)


def test_flat_inputs_score_exactly_zero():
    assert fund_signal(0.0, 0.0, 0.0) == 0.0
    assert fund_signal(None, None, None) == 0.0
    assert component_signal(0.0, 0.0) == 0.0


@pytest.mark.parametrize("score,label", [(-0.35, "Bearish"), (-0.34, "Somewhat-Bearish"), (-0.15, "Somewhat-Bearish"),
                                         (-0.14, "Neutral"), (0.14, "Neutral"), (0.15, "Somewhat-Bullish"),
                                         (0.34, "Somewhat-Bullish"), (0.35, "Bullish")])
def test_bands(score, label):
    assert label_for(score) == label


def _consistent(note):
    f, s = note.facts, note.sentiment
    assert -1 <= s.score <= 1 and s.label == label_for(s.score)
    rows = {t.ticker: t for t in s.ticker_sentiment}
    assert f.ticker in rows, "the fund itself always has a ticker-sentiment row"
    for t in s.ticker_sentiment:
        assert 0 <= t.relevance <= 1 and t.label == label_for(t.score)
    heavy_out = (f.flow.net_usd is not None and f.flow.net_usd.num < 0 and f.history.zscore is not None
                 and f.history.zscore.num <= -2)
    falling = f.history.momentum_1m is not None and f.history.momentum_1m.num < -0.02
    if heavy_out and falling and not s.disagreement:
        assert "Bullish" not in s.label, f"{f.ticker}: {s.label} on heavy outflows and a falling price"
    heavy_in = (f.flow.net_usd is not None and f.flow.net_usd.num > 0 and f.history.zscore is not None
                and f.history.zscore.num >= 2)
    rising = f.history.momentum_1m is not None and f.history.momentum_1m.num > 0.02
    if heavy_in and rising and not s.disagreement:
        assert "Bearish" not in s.label, f"{f.ticker}: {s.label} on heavy inflows and a rising price"
    # the score moves with the facts: its sign follows the facts signal when that signal is clear
    if abs(s.facts_score) >= 0.3 and not s.disagreement:
        assert math.copysign(1, s.score) == math.copysign(1, s.facts_score)


def test_sentiment_blocks_agree_with_their_facts_on_samples():
    src = DataDirSource(SAMPLES)
    for ticker in src.funds():
        for window in ("1d", "1w", "1m"):
            _consistent(write_note(ticker, None, window, src))


def test_sentiment_blocks_agree_with_their_facts_on_real_data(market):
    src = DataDirSource(market)
    for as_of in ("2026-04-02", "2026-03-20"):
        for ticker in src.funds():
            _consistent(write_note(ticker, as_of, "1w", src))


def test_scores_are_not_all_neutral():
    """A score that reads neutral on almost every note tells a reader nothing."""
    src = DataDirSource(SAMPLES)
    labels = [write_note(t, None, w, src).sentiment.label for t in src.funds() for w in ("1d", "1w")]
    assert sum(label != "Neutral" for label in labels) >= len(labels) // 3
