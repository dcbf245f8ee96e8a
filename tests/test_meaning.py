"""Claims that mean what they say: periods, point-in-time inputs and wording, on the real data.

Each expected value is computed here from the CSVs (pandas over ../shared/data/market) or by hand, never
taken from the code under test.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from notewriter.pipeline import fund_facts, open_source, write_digest, write_note
from notewriter.publish import render_as

from .conftest import sessions, write_fund, write_prices, write_shares


def _vendor(market: Path, ticker: str, start: str, end: str) -> float:
    flows = pd.read_csv(market / "flows.csv", parse_dates=["date"])
    rows = flows[(flows.ticker == ticker) & (flows.date >= start) & (flows.date <= end)]
    return float(rows.flow_usd.sum())


# ---- honest periods ---------------------------------------------------------------------------


@pytest.mark.parametrize("window", ["1d", "1w"])
def test_spy_year_to_date_flow_is_the_year_not_the_week_of_share_counts(market, window):
    """SPY's share counts begin on March 28, 2026; the year's flows are the vendor's, from January 2."""
    facts = fund_facts("SPY", "2026-04-02", window, open_source(market))
    expected = _vendor(market, "SPY", "2026-01-01", "2026-04-02")
    assert expected < -29e9  # about -$29.3 billion: the figure the notes must state
    assert facts.history.ytd_usd.num == pytest.approx(expected, rel=1e-9)
    assert facts.history.ytd_since is None


def test_gld_digest_and_note_state_the_years_vendor_flows(market):
    expected = _vendor(market, "GLD", "2026-01-01", "2026-04-02")
    assert expected == pytest.approx(-4.1e9, abs=0.05e9)
    facts = fund_facts("GLD", "2026-04-02", "1w", open_source(market))
    assert facts.history.ytd_usd.num == pytest.approx(expected, rel=1e-9)
    assert "year-to-date net outflows of $4.1 billion" in write_note("GLD", "2026-04-02", "1w",
                                                                       open_source(market)).markdown


def test_a_sum_that_starts_after_january_says_where_it_starts(tmp_path):
    """Share counts from March 2 only: 'year to date' would be a lie, so the note says where flows start."""
    days = sessions("2025-01-02", "2026-03-31")
    write_prices(tmp_path, "ABC", days, 50.0)
    write_fund(tmp_path, "ABC", longName="ABC Fund", category="Large Blend")
    march = sessions("2026-03-02", "2026-03-31")
    # +10,000 units a session from 1,000,000: 22 sessions in March 2026, 21 changes after the first count
    write_shares(tmp_path, [(d.date().isoformat(), "ABC", 1_000_000 + 10_000 * k, None) for k, d in enumerate(march)])
    assert len(march) == 22
    facts = fund_facts("ABC", "2026-03-31", "1w", open_source(tmp_path))
    assert facts.history.ytd_usd.num == pytest.approx(21 * 10_000 * 50.0)  # $10.5 million
    assert facts.history.ytd_since.value == "2026-03-03"  # the first session with a change in units
    note = write_note("ABC", "2026-03-31", "1w", open_source(tmp_path))
    assert "since then" in note.markdown and "March 3, 2026" in note.markdown
    assert "year-to-date net inflows" not in note.markdown
    claim = note.claim("history.ytd_usd")
    assert claim.period.label == "since" and claim.period.start == date(2026, 3, 3)


def test_a_blank_or_zero_session_ends_a_streak(tmp_path):
    days = sessions("2025-06-02", "2026-03-31")
    write_prices(tmp_path, "ABC", days, 50.0)
    write_fund(tmp_path, "ABC", longName="ABC Fund", category="Large Blend")
    last = list(days[-8:])
    # counts on the last 8 sessions: up, up, up, (no row), up, up, flat, up -> the run ending last is 1 ...
    units = [1_000_000, 1_010_000, 1_020_000, 1_030_000, None, 1_040_000, 1_050_000, 1_050_000]
    rows = [(d.date().isoformat(), "ABC", u, None) for d, u in zip(last, units) if u is not None]
    rows.append((pd.Timestamp("2026-04-01").date().isoformat(), "ABC", 1_060_000, None))
    write_shares(tmp_path, rows)
    facts = fund_facts("ABC", days[-1], "1w", open_source(tmp_path))
    assert facts.history.streak_days is None  # ... a zero change on the last session ends every run
    facts = fund_facts("ABC", days[-2], "1w", open_source(tmp_path))
    # ending at days[-2]: up (days[-3]) and up (days[-2]); the missing row at days[-4] ends the run before
    assert facts.history.streak_days.num == 2


def test_ewz_has_no_inflow_run_while_its_share_count_is_flat(market):
    shares = pd.read_csv(market / "shares.csv", parse_dates=["date"])
    ewz = shares[(shares.ticker == "EWZ") & (shares.date <= "2026-04-02")].set_index("date").shares_outstanding
    assert ewz.diff().iloc[-1] == 0  # no change on April 2 itself
    facts = fund_facts("EWZ", "2026-04-02", "1w", open_source(market))
    assert facts.history.streak_days is None
    assert "in a row" not in write_note("EWZ", "2026-04-02", "1w", open_source(market)).markdown


def test_tlt_one_day_flow_uses_the_row_dated_that_day(market):
    """TLT has rows dated April 2 and April 3 (Good Friday); a note as of April 2 uses April 2's."""
    facts = fund_facts("TLT", "2026-04-02", "1d", open_source(market))
    assert facts.flow.shares_end.num == 483_300_000
    assert facts.flow.shares_start.num == 491_700_000
    assert facts.flow.shares_change.num == 483_300_000 - 491_700_000


def test_estimated_and_vendor_years_that_disagree_are_both_shown(market):
    vendor = _vendor(market, "EWJ", "2026-01-01", "2026-04-02")
    facts = fund_facts("EWJ", "2026-04-02", "1w", open_source(market))
    assert facts.history.ytd_usd.basis == "estimated"
    assert facts.history.ytd_other_usd.num == pytest.approx(vendor, rel=1e-9)
    assert abs(facts.history.ytd_usd.num - vendor) > 0.25 * abs(vendor)
    text = write_note("EWJ", "2026-04-02", "1w", open_source(market)).markdown
    assert f"${vendor / 1e9:.1f} billion" in text


# ---- point in time ----------------------------------------------------------------------------


def _dates_after(facts, day: date) -> list[str]:
    out = []

    def walk(node, path):
        if isinstance(node, dict):
            if "value" in node and "kind" in node:
                if node["as_of"] and date.fromisoformat(node["as_of"]) > day:
                    out.append(path)
                if node["kind"] == "date" and date.fromisoformat(node["value"]) > day and ".dates." not in path \
                        and not path.startswith("dates."):
                    out.append(path)
                return
            for k, v in node.items():
                walk(v, f"{path}.{k}" if path else k)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}[{i}]")

    doc = json.loads(facts.model_dump_json())
    doc["quality"] = [q for q in doc["quality"] if q["code"] not in ("fund_info_later", "holdings_later")]
    walk(doc, "")
    return out


def test_a_2025_note_uses_nothing_dated_2026(market):
    facts = fund_facts("SPY", "2025-06-30", "1w", open_source(market))
    assert _dates_after(facts, date(2025, 6, 30)) == []
    assert facts.sectors == () and facts.components == () and facts.identity.expense_ratio is None
    assert facts.identity.name == "State Street SPDR S&P 500 ETF Trust"  # identity may be used
    codes = [q.code for q in facts.quality]
    assert "fund_info_later" in codes and "shares_non_trading_days" not in codes
    text = write_note("SPY", "2025-06-30", "1w", open_source(market)).markdown
    assert "technology at" not in text and "primary market was quiet" not in text


def test_an_old_holdings_file_says_its_date(market):
    text = write_note("IVV", "2026-04-02", "1w", open_source(market)).markdown
    assert "as of December 6, 2024" in text


def _cut(market: Path, day: str, dest: Path) -> Path:
    """The data directory as it stood at the end of `day`: no row dated later."""
    root = dest / "market"
    (root / "prices").mkdir(parents=True)
    for path in (market / "prices").glob("*.csv"):
        frame = pd.read_csv(path, dtype=str)
        frame[frame["Date"].str[:10] <= day].to_csv(root / "prices" / path.name, index=False)
    for name in ("shares.csv", "flows.csv"):
        frame = pd.read_csv(market / name, dtype=str, keep_default_na=False)
        frame[frame["date"] <= day].to_csv(root / name, index=False)
    shutil.copytree(market / "funds", root / "funds")
    shutil.copytree(market / "holdings", root / "holdings")
    return root


@pytest.mark.parametrize("day", ["2025-06-30", "2026-03-20", "2026-04-02"])
def test_a_note_from_the_full_data_equals_the_note_from_the_data_cut_at_its_date(market, tmp_path, day):
    cut = _cut(market, day, tmp_path)
    full_src, cut_src = open_source(market), open_source(cut)
    for ticker in ("SPY", "TLT", "EWZ", "GLD", "IVV"):
        for window in ("1d", "1w"):
            a = write_note(ticker, day, window, full_src)
            b = write_note(ticker, day, window, cut_src)
            assert a.markdown == b.markdown, (ticker, window)
            assert render_as(a, "json") == render_as(b, "json"), (ticker, window)
    a, b = write_digest(full_src, day, "1d"), write_digest(cut_src, day, "1d")
    assert a.markdown == b.markdown


def test_a_year_to_date_return_says_price_and_gives_total_return_beside_it(market):
    """AGG to April 2, 2026: the close is down 0.7% on the year, the adjusted close up 0.3%."""
    prices = pd.read_csv(market / "prices" / "AGG.csv", parse_dates=["Date"]).set_index("Date")
    year_end, day = prices.loc[:"2025-12-31"].iloc[-1], prices.loc["2026-04-02"]
    price_ret, total_ret = day.Close / year_end.Close - 1, day.AdjClose / year_end.AdjClose - 1
    assert round(price_ret * 100, 1) == -0.7 and round(total_ret * 100, 1) == 0.3
    facts = fund_facts("AGG", "2026-04-02", "1w", open_source(market))
    assert facts.price.ytd_return.num == pytest.approx(price_ret, rel=1e-9)
    assert facts.price.ytd_total_return.num == pytest.approx(total_ret, rel=1e-9)
    text = write_note("AGG", "2026-04-02", "1w", open_source(market)).markdown
    assert "down 0.7% year to date on price (+0.3% with dividends reinvested)" in text


# ---- rules that say true things ---------------------------------------------------------------


def test_a_gap_between_percentages_is_in_percentage_points(market):
    """EWY, week to April 2, 2026: 10-session flows against the 2% stress level; the gap is in points."""
    note = write_note("EWY", "2026-04-02", "1w", open_source(market))
    gap = note.claim("history.stress_gap_pct")
    c10 = note.claim("history.cum_10d_pct").num
    assert gap.num == pytest.approx(c10 + 0.02)  # by hand: the flow share plus the 2% level
    printed = [note.markdown[s.start:s.end] for s in note.spans if s.claim == "history.stress_gap_pct"]
    assert printed and all(p.endswith(("percentage point", "percentage points")) for p in printed)
    assert f"{abs(gap.num) * 100:.1f}% short of it" not in note.markdown


def _notes_universe(market, day, window):
    src = open_source(market)
    from notewriter.facts.panel import panel_for

    out = []
    for t in panel_for(src, pd.Timestamp(day)).funds:
        try:
            out.append(write_note(t, day, window, src))
        except Exception:  # a fund refused by a guard is not a note
            continue
    return out


@pytest.mark.parametrize("day", ["2026-04-02", "2026-03-20"])
def test_no_pair_trade_between_funds_on_the_same_index(market, day):
    from notewriter.reference import same_index

    index = same_index()
    for note in _notes_universe(market, day, "1w"):
        for line in note.markdown.splitlines():
            m = re.search(r"Pair: long (\w+) against short (\w+)", line)
            if m:
                a, b = m.groups()
                assert not (a in index and index.get(a) == index.get(b)), (note.subjects, line)


def test_voo_against_spy_and_ivv_reads_as_a_wrapper_switch(market):
    """VOO lost money in the week to April 2, 2026 while IVV and SPY (same S&P 500) took it in."""
    flows = pd.read_csv(market / "flows.csv", parse_dates=["date"])
    week = flows[(flows.date > "2026-03-26") & (flows.date <= "2026-04-02")].groupby("ticker").flow_usd.sum()
    assert week["VOO"] < 0 < week["IVV"] and week["SPY"] > 0
    text = write_note("VOO", "2026-04-02", "1w", open_source(market)).markdown
    assert "track the S&P 500" in text and "switching between wrappers" in text
    assert "Pair: long" not in text


def test_category_sentence_states_the_categorys_actual_net_flow(market):
    """The Large Blend category's week: the sum over its funds with flow figures, from the files."""
    note = write_note("VOO", "2026-04-02", "1w", open_source(market))
    facts = fund_facts("VOO", "2026-04-02", "1w", open_source(market))
    members = [t for t in ("SPY", "IVV", "VOO", "VTI") if fund_facts(t, "2026-04-02", "1w", open_source(market))
               .identity.category == "Large Blend"]
    total = sum(fund_facts(t, "2026-04-02", "1w", open_source(market)).flow.net_usd.num for t in members
                if fund_facts(t, "2026-04-02", "1w", open_source(market)).flow.net_usd is not None)
    assert facts.category_net_usd.num == pytest.approx(total, rel=1e-9)
    word = "coming into the category" if total > 0 else "leaving the category"
    assert word in note.markdown
    assert "rather than leaving it" not in note.markdown


def test_trade_ideas_follow_the_notes_own_verdicts(market):
    """No note rides a flow that its own time horizons say price leans against, or chases a contrarian record."""
    for day in ("2026-04-02", "2026-03-20"):
        for note in _notes_universe(market, day, "1w"):
            text = note.markdown
            if "rarely win quickly" in text or "base rate argues against" in text:
                assert "ride the inflow" not in text and "expresses the flow signal" not in text, note.subjects


def test_a_base_rate_counts_separate_episodes(tmp_path):
    """Nine big redemption days in a row, once, long ago: one precedent, so no base rate (five are needed);
    counted day by day they would have been nine "events"."""
    days = sessions("2024-01-02", "2025-06-30")
    write_prices(tmp_path, "ABC", days, 50.0)
    write_fund(tmp_path, "ABC", longName="ABC Fund", category="Large Blend")
    units, rows = 10_000_000, []
    burst = set(range(100, 109))
    for k, d in enumerate(days):
        if k in burst or k == len(days) - 1:
            units -= 200_000          # 2% of the fund a day: far above the 1-2-5 threshold of $10 million
        elif k % 2:
            units += 1_000            # small noise otherwise
        rows.append((d.date().isoformat(), "ABC", units, None))
    write_shares(tmp_path, rows)
    facts = fund_facts("ABC", days[-1], "1d", open_source(tmp_path))
    assert facts.flow.net_usd.num == pytest.approx(-200_000 * 50.0)
    assert facts.history.base_rate is None
