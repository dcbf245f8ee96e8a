"""The reference note's figures: IJR shares 649,550,000 -> 645,650,000 at a NAV of 102.41."""

from __future__ import annotations

import pytest

from notewriter import DataDirSource, build_facts, write_note

from .conftest import sessions, write_fund, write_prices, write_shares

AS_OF = "2024-05-10"  # a Friday; one week earlier is 2024-05-03


@pytest.fixture
def ijr_dir(tmp_path):
    days = sessions("2023-11-01", AS_OF)
    write_prices(tmp_path, "IJR", days, 101.23)
    write_fund(tmp_path, "IJR", longName="iShares Core S&P Small-Cap ETF", category="Small Blend",
               fundFamily="iShares", topHoldings=[{"symbol": "ADC", "name": "Agree Realty", "weight": 0.0051}])
    rows = []
    for d in days:
        iso = d.date().isoformat()
        # 649,550,000 up to and including a week earlier, then redemptions land on 2024-05-08
        shares = 649_550_000 if iso < "2024-05-08" else 645_650_000
        rows.append((iso, "IJR", shares, 102.41))
    write_shares(tmp_path, rows)
    return tmp_path


def test_weekly_flow_matches_reference_note(ijr_dir):
    f = build_facts("IJR", AS_OF, "1w", DataDirSource(ijr_dir))
    # by hand: (645,650,000 - 649,550,000) x 102.41 = -3,900,000 x 102.41 = -399,399,000
    assert f.flow.net_usd.value == pytest.approx(-399_399_000.0)
    assert f.flow.shares_start.value == 649_550_000
    assert f.flow.shares_end.value == 645_650_000
    # 645,650,000 / 649,550,000 - 1 = -0.6004...%
    assert f.flow.shares_change_pct.value == pytest.approx(645_650_000 / 649_550_000 - 1)
    assert round(f.flow.shares_change_pct.value * 100, 1) == -0.6
    assert f.flow.price_basis == "nav"
    assert f.flow.start.value == "2024-05-03"
    assert f.flow.net_usd.source == "shares.csv"


def test_note_opening_paragraph_states_reference_figures(ijr_dir):
    note = write_note("IJR", AS_OF, "1w", DataDirSource(ijr_dir))
    lede = note.section("lede").text
    first_paragraph = note.markdown.split("\n\n")[1]
    assert first_paragraph == lede
    for figure in ("$399.4 million", "649,550,000", "645,650,000", "0.6%"):
        assert figure in lede
    assert "outflow" in lede
    assert note.check["ok"], note.check


def test_close_is_used_and_recorded_when_nav_is_missing(tmp_path):
    days = sessions("2024-04-01", AS_OF)
    write_prices(tmp_path, "IJR", days, 100.0)
    write_shares(tmp_path, [(d.date().isoformat(), "IJR", 1_000_000 if d < days[-1] else 1_100_000, None)
                            for d in days])
    f = build_facts("IJR", AS_OF, "1w", DataDirSource(tmp_path))
    assert f.flow.net_usd.value == pytest.approx(100_000 * 100.0)
    assert f.flow.price_basis == "close"
    assert "nav_fallback" in {q.code for q in f.quality}
