"""Leaderboard, rotation analogs and the digest: reference note 004, the samples' planted rotation, hand-built flows."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from notewriter import DataDirSource, check_note
from notewriter.facts.digest import digest_facts
from notewriter.pipeline import write_digest
from notewriter.publish import render_as
from notewriter.facts.analogs import find_analog, forward_return, leaderboard
from notewriter.config import Rules
from notewriter.facts.arrays import round_down_125
from notewriter.facts.build import window_start
from notewriter.facts.panel import Panel, panel_for

from .conftest import SAMPLES, sessions, write_fund

_SOURCES: dict = {}


def _source(root) -> DataDirSource:
    """One source (and so one panel) per data directory for the whole module."""
    if root not in _SOURCES:
        _SOURCES[root] = DataDirSource(root)
    return _SOURCES[root]


BAD = re.compile(r"\b(nan|NaN|None|null|undefined)\b|\{\{|\}\}|\{%")

# ---- reference note 004 (etf.com, 2024-05-07), on the real prices ------------------------------------


def test_ytd_returns_match_reference_note_004(market):
    """'IWM is up just 1.9% year-to-date heading into Tuesday's session, lagging the 7.5% gain delivered by QQQ.'"""
    panel = panel_for(_source(market))
    end = pd.Timestamp("2024-05-06")
    snap = panel.snapshot(end, "1d", window_start(end, "1d"), Rules())
    assert round(snap.trow(panel, "IWM")["ytd_return"] * 100, 1) == 1.9
    assert round(snap.trow(panel, "QQQ")["ytd_return"] * 100, 1) == 7.5


def test_year_end_returns_match_reference_note_004(market):
    """'...mid-November of last year. IWM went on to rally 12.6% by year-end, outperforming QQQ's 6.1% advance.'"""
    panel = panel_for(_source(market))
    start, end = panel.row_of(pd.Timestamp("2023-11-17")), panel.row_of(pd.Timestamp("2023-12-29"))
    assert round(forward_return(panel, "IWM", start, end) * 100, 1) == 12.6
    assert round(forward_return(panel, "QQQ", start, end) * 100, 1) == 6.1


def test_thresholds_follow_the_125_scale():
    # the examples: $623M -> $500M, $1.48B -> $1B
    assert round_down_125(623e6) == 500e6
    assert round_down_125(-1.48e9) == 1e9
    assert round_down_125(2.5e6) == 2e6
    assert round_down_125(1e9) == 1e9
    assert round_down_125(0) == 0


# ---- hand-built flows where the analog is known -------------------------------------------------------

# A takes in >= $500M while B loses >= $1B on these days (qualifying), or misses one side (near misses)
QUALIFY = {"2023-11-14": (540e6, -1.1e9), "2024-01-10": (623e6, -1.48e9), "2024-02-01": (600e6, -1.2e9),
           "2024-05-06": (623e6, -1.48e9)}
NEAR_MISS = {"2024-03-15": (450e6, -2e9), "2024-04-02": (700e6, -0.9e9)}
# piecewise-constant closes: the value applies from that date on
A_PX = {"2023-06-01": 100.0, "2023-12-29": 112.6, "2024-01-02": 100.0, "2024-03-01": 110.0, "2024-03-04": 100.0,
        "2024-05-01": 90.0, "2024-05-02": 100.0}
B_PX = {"2023-06-01": 100.0, "2023-12-29": 106.1, "2024-01-02": 100.0, "2024-03-01": 95.0, "2024-03-04": 100.0}


def _steps(days, steps):
    s = pd.Series(float("nan"), index=days)
    for d, v in steps.items():
        s[s.index >= pd.Timestamp(d)] = v
    return s.to_numpy()


@pytest.fixture
def rotation_dir(tmp_path):
    days = sessions("2023-06-01", "2024-05-06")
    for t, steps in (("AAA", A_PX), ("BBB", B_PX), ("CCC", {"2023-06-01": 50.0})):
        close = _steps(days, steps)
        frame = pd.DataFrame({"Date": [d.date().isoformat() for d in days], "Open": close, "High": close,
                              "Low": close, "Close": close, "Volume": 5_000_000})
        (tmp_path / "prices").mkdir(exist_ok=True)
        frame.to_csv(tmp_path / "prices" / f"{t}.csv", index=False)
    write_fund(tmp_path, "AAA", longName="Alpha Small Cap Fund", category="Small Blend")
    write_fund(tmp_path, "BBB", longName="Beta Growth Fund", category="Large Growth")
    write_fund(tmp_path, "CCC", longName="Gamma Bond Fund", category="Intermediate Core Bond")
    rows = []
    for d in days:
        iso = d.date().isoformat()
        a, b = QUALIFY.get(iso) or NEAR_MISS.get(iso) or (1e6, -1e6)
        rows += [(iso, "AAA", a), (iso, "BBB", b), (iso, "CCC", 2e6)]
    pd.DataFrame(rows, columns=["date", "ticker", "flow_usd"]).to_csv(tmp_path / "flows.csv", index=False)
    return tmp_path


def test_analog_is_the_most_recent_qualifying_day(rotation_dir):
    panel = Panel(DataDirSource(rotation_dir))
    i = panel.row_of(pd.Timestamp("2024-05-06"))
    an = find_analog(panel, "AAA", "BBB", 623e6, -1.48e9, i, 1)
    # 2024-04-02 and 2024-03-15 each miss one threshold; 2024-02-01 is the latest day that meets both
    assert an.date.value == "2024-02-01"
    assert an.inflow.threshold_usd.value == 500e6 and an.outflow.threshold_usd.value == 1e9
    assert an.inflow.flow_usd.value == 600e6 and an.outflow.flow_usd.value == -1.2e9
    # 2024 has not ended by 2024-05-06: no year-end return
    assert an.inflow.ret("year_end") is None
    # one month: close 2024-03-01 (110) over 2024-02-01 (100); three months: 2024-05-01 (90) over 100
    assert an.inflow.ret("1m").end.value == "2024-03-01"
    assert an.inflow.ret("1m").ret.value == pytest.approx(0.10)
    assert an.inflow.ret("3m").ret.value == pytest.approx(-0.10)
    assert an.outflow.ret("1m").ret.value == pytest.approx(-0.05)
    assert an.outflow.ret("3m").ret.value == pytest.approx(0.0)


def test_analog_in_an_ended_year_reports_the_year_end_return(rotation_dir):
    panel = Panel(DataDirSource(rotation_dir))
    an = find_analog(panel, "AAA", "BBB", 623e6, -1.48e9, panel.row_of(pd.Timestamp("2024-01-10")), 1)
    assert an.date.value == "2023-11-14"
    # 2023-11-14 close 100 -> 2023-12-29 close 112.6 (A) and 106.1 (B)
    assert an.inflow.ret("year_end").end.value == "2023-12-29"
    assert an.inflow.ret("year_end").ret.value == pytest.approx(0.126)
    assert an.outflow.ret("year_end").ret.value == pytest.approx(0.061)


def test_no_analog_before_the_first_qualifying_day(rotation_dir):
    panel = Panel(DataDirSource(rotation_dir))
    assert find_analog(panel, "AAA", "BBB", 540e6, -1.1e9, panel.row_of(pd.Timestamp("2023-11-14")), 1) is None


def test_digest_on_constructed_rotation(rotation_dir):
    dg = write_digest(DataDirSource(rotation_dir), "2024-05-06", "1d")
    r = dg.facts.rotation
    assert (r.inflow.ticker, r.outflow.ticker) == ("AAA", "BBB")
    md = dg.markdown
    assert "AAA in, BBB out" in dg.title
    assert "February 1, 2024" in md  # the analog date
    assert "AAA had risen 10.0%" in md and "BBB had fallen 5.0%" in md  # one month on, by hand above
    assert "AAA had fallen 10.0%" in md  # three months on
    assert "$623 million" in md and "$1.5 billion" in md
    assert dg.check["ok"], [f for f in dg.check["findings"] if not f.get("matched")]
    for fmt in ("html", "txt"):
        assert check_note(render_as(dg, fmt), dg.facts_document()).ok
    doc = json.loads(render_as(dg, "json"))
    assert doc["facts"]["rotation"]["analog"]["date"]["value"] == "2024-02-01"


# ---- the samples' planted rotation -----------------------------------------------------------------


def test_samples_leaderboard_and_planted_analog():
    d = digest_facts(_source(SAMPLES), "2025-10-31", "1d")
    # samples/README.md: on 2025-10-31 IWM takes in +$601.5 million while QQQ loses -$1.51 billion
    assert d.inflows[0].ticker == "IWM" and d.inflows[0].rank.value == 1
    assert round(d.inflows[0].net_usd.num / 1e6, 1) == 601.5
    assert d.outflows[0].ticker == "QQQ" and round(d.outflows[0].net_usd.num / 1e9, 2) == -1.51
    assert [r.rank.value for r in d.inflows] == list(range(1, len(d.inflows) + 1))
    assert d.rotation.analog.date.value == "2024-11-14"
    assert round(d.rotation.analog.inflow.flow_usd.num / 1e6, 1) == 535.7
    assert d.rotation.analog.inflow.ret("year_end").end.value == "2024-12-31"


@pytest.mark.parametrize("as_of,window", [("2025-10-31", "1d"), ("2025-10-31", "1w"), ("2024-11-14", "1d"),
                                          ("2025-03-14", "1w"), ("2022-01-04", "1d")])
def test_sample_digests_pass_the_checker(as_of, window):
    dg = write_digest(_source(SAMPLES), as_of, window)
    assert dg.check["ok"], [f for f in dg.check["findings"] if not f.get("matched")]
    assert not BAD.search(dg.markdown), BAD.search(dg.markdown).group(0)


@pytest.mark.parametrize("as_of,window", [("2026-04-02", "1d"), ("2026-03-20", "1w"), ("2026-01-15", "1d"),
                                          ("2024-05-06", "1d")])
def test_real_digests_pass_the_checker(as_of, window, market):
    dg = write_digest(_source(market), as_of, window)
    assert dg.check["ok"], [f for f in dg.check["findings"] if not f.get("matched")]
