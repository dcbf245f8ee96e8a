"""Facts and wording on the samples' planted features, with expected values computed from the files."""

from __future__ import annotations

import pandas as pd
import pytest

from notewriter import DataDirSource, build_facts, write_note

from .conftest import SAMPLES


@pytest.fixture(scope="module")
def samples():
    return DataDirSource(SAMPLES)


def test_52_week_range_is_in_todays_share_basis_across_a_split(samples):
    raw = pd.read_csv(SAMPLES / "prices" / "XLE.csv", parse_dates=["Date"]).set_index("Date")
    split_day = raw.index[raw["Stock Splits"] > 0][0]
    ratio = raw.loc[split_day, "Stock Splits"]
    as_of = pd.Timestamp("2024-03-28")
    year = raw[(raw.index > as_of - pd.Timedelta(weeks=52)) & (raw.index <= as_of)]
    scale = (year.index >= split_day).astype(float) + (year.index < split_day) / ratio
    f = build_facts("XLE", "2024-03-28", "1w", samples)
    assert f.price.high_52w.value == pytest.approx((year["High"] * scale).max())
    assert f.price.low_52w.value == pytest.approx((year["Low"] * scale).min())
    assert f.price.high_52w.value < 2 * f.price.last.value  # a raw pre-split high would be about double


def test_split_in_the_window_is_named_and_not_a_flow(samples):
    note = write_note("XLE", "2024-03-28", "1w", samples)
    lede = note.section("lede").text
    assert "two-for-one split" in lede
    assert note.facts.flow.split_ratio.value == 2
    # the share count doubled, but the flow is only the units created on top of the split
    assert abs(note.facts.flow.net_usd.value) < 0.01 * note.facts.flow.aum_usd.value
    assert "split" in {q.code for q in note.facts.quality}
    assert note.check["ok"]


def test_units_back_where_they_started_read_as_no_net_flow(samples):
    shares = pd.read_csv(SAMPLES / "shares.csv")
    tlt = shares[shares["ticker"] == "TLT"].set_index("date")["shares_outstanding"]
    assert tlt["2025-10-24"] == tlt["2025-10-31"]  # the premise, read from the file
    note = write_note("TLT", "2025-10-31", "1w", samples)
    assert note.title.startswith("TLT: no net flows")
    assert "no net creations or redemptions" in note.section("lede").text
    assert "Creations of 0" not in note.markdown
