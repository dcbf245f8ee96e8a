"""Plausibility guards: absurd inputs planted into a copy of the real data never reach a note as figures.

Each case plants one error the way a broken vendor file carries it, then checks that the note either
refuses the fund (exit 2, the file and row named) or leaves the value out and says so.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from notewriter.cli import main
from notewriter.errors import DataError
from notewriter.pipeline import fund_facts, open_source, write_digest, write_note

TICKERS = ("EWZ", "SPY", "GLD", "TLT", "EWJ")
AS_OF = "2026-04-02"
TRILLIONS = re.compile(r"\$[\d.,]+ trillion")


@pytest.fixture
def data(market, tmp_path) -> Path:
    root = tmp_path / "market"
    (root / "prices").mkdir(parents=True)
    (root / "funds").mkdir()
    for t in TICKERS:
        shutil.copy(market / "prices" / f"{t}.csv", root / "prices")
        shutil.copy(market / "funds" / f"{t}.json", root / "funds")
    for name in ("shares.csv", "flows.csv"):
        frame = pd.read_csv(market / name, dtype=str, keep_default_na=False)
        frame[frame["ticker"].isin(TICKERS)].to_csv(root / name, index=False)
    return root


def _edit(path: Path, where, column: str, value) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    mask = where(frame)
    assert mask.sum() >= 1, "the planted row is not in the file"
    frame.loc[mask, column] = value(frame.loc[mask, column]) if callable(value) else value
    frame.to_csv(path, index=False)


def test_a_share_count_a_thousand_times_too_large_is_left_out(data):
    day = (lambda f: (f.ticker == "EWZ") & (f.date == "2026-04-01"))
    _edit(data / "shares.csv", day, "shares_outstanding", lambda s: (s.astype(float) * 1000).astype(int).astype(str))
    facts = fund_facts("EWZ", AS_OF, "1w", open_source(data))
    assert "shares_jump" in [q.code for q in facts.quality]
    # the April 1 count is dropped: the week's counts are all 254,600,000, so no units moved
    assert facts.flow.shares_end.num == 254_600_000 and facts.flow.shares_change.num == 0
    for doc in (write_note("EWZ", AS_OF, "1w", open_source(data)), write_digest(open_source(data), AS_OF, "1d")):
        assert not TRILLIONS.search(doc.markdown)
        assert doc.check["ok"], doc.check  # the caveat's own numbers, the threshold among them, are facts
    note = write_note("EWZ", AS_OF, "1w", open_source(data))
    # Rules().max_share_jump is 5: the caveat names it as the note's readers see it
    assert "jump more than 5 times from the count before" in note.markdown


def test_a_share_count_of_1e20_does_not_overflow(data):
    _edit(data / "shares.csv", lambda f: (f.ticker == "EWZ") & (f.date == "2026-04-02"), "shares_outstanding",
          "100000000000000000000")
    note = write_note("EWZ", AS_OF, "1d", open_source(data))
    assert not TRILLIONS.search(note.markdown)
    assert "jump more than 5 times" in note.markdown


def test_zero_shares_are_not_a_flow(data):
    _edit(data / "shares.csv", lambda f: (f.ticker == "SPY") & (f.date == "2026-04-02"), "shares_outstanding", "0")
    facts = fund_facts("SPY", AS_OF, "1d", open_source(data))
    assert "shares_invalid" in [q.code for q in facts.quality]
    # April 2's count gone: the 1d window has no share count at its end, so the vendor figure stands in
    assert facts.flow.method != "shares x nav" or facts.flow.shares_end.num != 0
    assert "$66.9 billion" not in write_note("SPY", AS_OF, "1d", open_source(data)).markdown


def test_a_close_a_thousand_times_too_large_refuses_the_fund_and_names_the_row(data):
    _edit(data / "prices" / "GLD.csv", lambda f: f.Date.str[:10] == "2026-03-31", "Close",
          lambda s: (s.astype(float) * 1000).astype(str))
    with pytest.raises(DataError) as err:
        write_note("GLD", AS_OF, "1w", open_source(data))
    assert "prices/GLD.csv" in str(err.value) and "2026-03-31" in str(err.value)
    result = CliRunner().invoke(main, ["write", "GLD", "--data", str(data), "--as-of", AS_OF])
    assert result.exit_code == 2 and "GLD.csv" in result.output and "107,560" not in result.output
    # the other funds are unaffected, and a note dated before the bad row is too
    assert write_note("SPY", AS_OF, "1w", open_source(data)).markdown
    assert write_note("GLD", "2026-03-20", "1w", open_source(data)).markdown


def test_a_negative_low_refuses_the_fund(data):
    _edit(data / "prices" / "TLT.csv", lambda f: f.Date.str[:10] == "2026-03-30", "Low", "-50")
    with pytest.raises(DataError) as err:
        write_note("TLT", AS_OF, "1w", open_source(data))
    assert "2026-03-30" in str(err.value) and "positive price" in str(err.value)


def test_low_above_high_refuses_the_fund(data):
    _edit(data / "prices" / "TLT.csv", lambda f: f.Date.str[:10] == "2026-03-30", "Low", "1000")
    with pytest.raises(DataError, match="Low at or below High"):
        write_note("TLT", AS_OF, "1w", open_source(data))


def test_an_infinite_vendor_flow_is_left_out_not_swallowing_the_week(data, market):
    flows = pd.read_csv(market / "flows.csv", parse_dates=["date"])
    gld = flows[(flows.ticker == "GLD") & (flows.date > "2026-03-26") & (flows.date <= AS_OF)].dropna()
    planted = "2026-03-31"
    expected = float(gld[gld.date != planted].flow_usd.sum())  # the week without the planted day
    _edit(data / "flows.csv", lambda f: (f.ticker == "GLD") & (f.date == planted), "flow_usd", "inf")
    facts = fund_facts("GLD", AS_OF, "1w", open_source(data))
    assert facts.flow.net_usd.num == pytest.approx(expected, rel=1e-9)
    assert "vendor_invalid" in [q.code for q in facts.quality]
    note = write_note("GLD", AS_OF, "1w", open_source(data)).markdown
    assert "no net flows" not in note and "not finite numbers" in note


def test_a_flow_larger_than_half_the_fund_is_withheld(data):
    info = json.loads((data / "funds" / "GLD.json").read_text())
    info["fetchedAt"] = "2026-04-02T21:00:00"
    info["totalAssets"] = 1e9  # GLD's week of vendor flows is far more than half of $1 billion
    (data / "funds" / "GLD.json").write_text(json.dumps(info))
    facts = fund_facts("GLD", AS_OF, "1w", open_source(data))
    assert facts.flow.net_usd is None
    assert "implausible_flow" in [q.code for q in facts.quality]
    assert "no flow figure is published" in write_note("GLD", AS_OF, "1w", open_source(data)).markdown
