"""Rules that say true things, continued: the digest's pair sentences, the scheduled catalysts, wording
by asset class, and notes that drop what they have nothing specific to say about.

Expected dates are worked out by hand from the exchange's holidays and the published schedules; flow
figures from the CSVs of ../shared/data/market.
"""

from __future__ import annotations


import pandas as pd
import pytest

from notewriter.errors import DataError
from notewriter.facts.models import Dates, Event, Fact
from notewriter.kinds.fund import scheduled
from notewriter.pipeline import open_source, write_digest, write_note
from notewriter.reference import _listed_events, ruled_events, scheduled_events


def _days(events, kind):
    return [d.date().isoformat() for d, k in events if k == kind]


# ---- the scheduled events -------------------------------------------------------------------------


def test_monthly_options_expiry_is_the_third_friday_moved_before_a_holiday():
    events = ruled_events(pd.Timestamp("2025-01-01"), pd.Timestamp("2026-12-31"))
    opex = _days(events, "options_expiry")
    assert len(opex) == 24
    # third Fridays, by hand: April 18, 2025 is Good Friday, so that month's expiry is Thursday the 17th;
    # June 19, 2026 is Juneteenth (a Friday), so June 2026 expires on Thursday the 18th
    assert "2025-04-17" in opex and "2025-04-18" not in opex
    assert "2026-06-18" in opex and "2026-06-19" not in opex
    assert {"2025-01-17", "2025-03-21", "2026-01-16", "2026-04-17", "2026-12-18"} <= set(opex)


def test_sp_quarterly_rebalance_is_the_third_friday_of_the_quarters_last_month():
    sp = _days(ruled_events(pd.Timestamp("2026-01-01"), pd.Timestamp("2026-12-31")), "sp_rebalance")
    assert sp == ["2026-03-20", "2026-06-18", "2026-09-18", "2026-12-18"]


def test_listed_events_come_from_the_dated_file():
    events = scheduled_events("2026-04-01", "2026-07-31")
    # FOMC statements on the second meeting day (Federal Reserve, tentative 2026 schedule); the
    # Russell reconstitution on the fourth Friday of June
    assert _days(events, "fomc") == ["2026-04-29", "2026-06-17", "2026-07-29"]
    assert _days(events, "russell_reconstitution") == ["2026-06-26"]
    assert events == sorted(events, key=lambda e: e[0])


def test_a_users_events_file_extends_the_calendar(tmp_path, monkeypatch):
    extra = tmp_path / "events.csv"
    extra.write_text("date,event,source\n2026-12-11,russell_reconstitution,desk calendar\n")
    monkeypatch.setenv("NOTEWRITER_EVENTS", str(extra))
    assert _days(scheduled_events("2026-12-01", "2026-12-31"), "russell_reconstitution") == ["2026-12-11"]


@pytest.mark.parametrize("body,expected", [
    ("date,event,source\n2026-13-45,fomc,x\n", "row 2: expected a date"),
    ("date,event,source\n2026-06-01,fomc,x\n2026-06-02,earnings,x\n", "row 3: expected an event of"),
    ("date,event\n2026-06-01,fomc\n", "missing source"),
])
def test_a_bad_events_file_names_its_row(tmp_path, body, expected):
    bad = tmp_path / "events.csv"
    bad.write_text(body)
    _listed_events.cache_clear()
    with pytest.raises(DataError) as err:
        _listed_events(str(bad))
    assert expected in str(err.value) and "events.csv" in str(err.value)


def _dates(next_session, month_end, quarter_end, events=()):
    f = lambda v: Fact(value=v, kind="date", source="calendar XNYS")  # noqa: E731
    return Dates(next_session=f(next_session), month_end=f(month_end), quarter_end=f(quarter_end),
                 events=tuple(Event(kind=k, date=f(d)) for d, k in events))


@pytest.mark.parametrize("month_end,quarter_end,words", [
    ("2026-03-31", "2026-03-31", "the quarter-end rebalance"),
    ("2025-12-31", "2025-12-31", "the year-end rebalance"),
    ("2026-04-30", "2026-06-30", "the month-end rebalance"),
])
def test_quarter_end_is_named_as_quarter_end(month_end, quarter_end, words):
    d = _dates("2026-03-02", month_end, quarter_end)
    items = scheduled(d, d, "equity")
    assert [i["what"] for i in items if i["day"] == month_end] == [words]
    assert ("quarter-end" in [i["what"] for i in items]) is (month_end != quarter_end)


def test_events_by_asset_class_and_one_day_named_once():
    d = _dates("2026-06-02", "2026-06-30", "2026-06-30",
               [("2026-06-17", "fomc"), ("2026-06-18", "options_expiry"), ("2026-06-18", "sp_rebalance"),
                ("2026-06-26", "russell_reconstitution")])
    equity = [i["what"] for i in scheduled(d, d, "equity")]
    assert equity == ["the next issuer share-count update", "the FOMC rate decision",
                      "the monthly options expiry and S&P quarterly index rebalance",
                      "the Russell index reconstitution", "the quarter-end rebalance"]
    bonds = [i["what"] for i in scheduled(d, d, "fixed income", share_counts=False)]
    assert bonds == ["the FOMC rate decision", "the monthly options expiry", "the quarter-end rebalance"]


def test_a_real_note_names_the_events_ahead(market):
    text = write_note("IWM", "2026-06-01", "1w", open_source(market)).markdown
    catalysts = text.split("## Key catalysts", 1)[1].split("##", 1)[0]
    # the data's prices end April 30, 2026: May's options expiry is Friday May 15; April 30 is both the
    # note's date and April's last session, so the next month-end is May 29
    assert "the monthly options expiry on May 15, 2026" in catalysts
    assert "the month-end rebalance on May 29, 2026" in catalysts
    assert "Fed communication" not in catalysts


# ---- wording by asset class ---------------------------------------------------------------------------


@pytest.mark.parametrize("ticker,as_of", [("GLD", "2026-04-02"), ("TLT", "2026-04-02"), ("AGG", "2026-04-02")])
def test_gold_and_treasury_notes_do_not_speak_of_components_or_earnings(market, ticker, as_of):
    for window in ("1d", "1w"):
        text = write_note(ticker, as_of, window, open_source(market)).markdown
        assert "components" not in text and "earnings" not in text, (ticker, window)
        assert "Company news" not in text


# ---- notes that have nothing to say about flows say nothing about them ------------------------------------


def test_a_fund_without_flow_data_drops_the_sections_flows_would_fill(market):
    note = write_note("GLD", "2026-04-17", "1w", open_source(market))
    assert note.facts.flow.method == "unavailable"
    text = note.markdown
    assert "no share-count or vendor flow data" in text
    assert "## Trade implications" not in text and "## Contrarian angle" not in text
    for hollow in ("flows quiet", "primary market was quiet", "rests on price alone", "cannot be measured",
                   "Operational risk sits", "no flow figure to act on", "not crowded"):
        assert hollow not in text, hollow
    assert "Data caveat: no share counts" not in text  # the first sentence says so already


def test_no_hollow_sentences_in_the_real_universe(market):
    src = open_source(market)
    for ticker in src.funds():
        text = write_note(ticker, "2026-04-02", "1w", src).markdown
        for hollow in ("market share cannot be sized", "Operational risk sits with", "These are ideas to test",
                       "has the scale that keeps spreads tight"):
            assert hollow not in text.split("---")[0], (ticker, hollow)


# ---- the wrapper switch on partial vendor figures -----------------------------------------------------


def test_a_wrapper_switch_on_partial_vendor_figures_says_so(market):
    flows = pd.read_csv(market / "flows.csv", parse_dates=["date"])
    week = flows[(flows.date > "2026-03-26") & (flows.date <= "2026-04-02") & flows.flow_usd.notna()]
    days = week.groupby("ticker").size()
    # the week's five sessions are March 27, 30, 31 and April 1, 2; IVV's vendor figures (blank from
    # April 1) cover three of them, VOO's two
    assert days["IVV"] < 5
    text = write_note("VOO", "2026-04-02", "1w", open_source(market)).markdown
    assert f"(vendor figures for only {days['IVV']} of the week's sessions)" in text
    assert f"vendor flows for VOO cover {days['VOO']} of the window's 5 sessions" in text


# ---- the digest ------------------------------------------------------------------------------------------


def test_a_digest_whose_funds_have_data_but_no_flows_does_not_say_the_data_is_missing(market):
    shares = pd.read_csv(market / "shares.csv", parse_dates=["date"])
    day = shares[shares.date <= "2026-04-30"].sort_values("date").groupby("ticker").tail(2)
    # EWJ, EWY and EWZ have share counts on April 29 and 30, unchanged
    unchanged = [t for t, g in day.groupby("ticker") if len(g) == 2 and g.shares_outstanding.nunique() == 1
                 and g.date.max() == pd.Timestamp("2026-04-30")]
    assert len(unchanged) >= 1
    text = write_digest(open_source(market), "2026-04-30", "1d").markdown
    assert "has share-count or vendor flow data" not in text
    assert "show neither net creations nor net redemptions" in text
    assert "primary market was quiet on both sides" not in text


def test_the_digest_never_says_no_flags_next_to_a_partial_figure(market):
    src = open_source(market)
    seen = 0
    for as_of in ("2026-03-20", "2026-04-02"):
        doc = write_digest(src, as_of, "1w")
        partial = any(n.flow.vendor_days is not None and n.flow.vendor_days.num < n.flow.sessions.num
                      and n.flow.method == "vendor" for n in doc.facts.notes)
        if partial:
            assert "carry no data-quality flags" not in doc.markdown
            assert "cover" in doc.section("risk_assessment").text
            seen += 1
    assert seen  # the week to April 2, 2026: IVV's vendor figures cover 3 of 5 sessions, VOO's 2


def test_digest_momentum_sentences_are_true_for_each_fund(market):
    src = open_source(market)
    for as_of in ("2026-03-20", "2026-04-02", "2026-01-15"):
        for window in ("1d", "1w"):
            doc = write_digest(src, as_of, window)
            if len(doc.facts.notes) != 2 or doc.facts.notes[0].history.momentum_1m is None \
                    or doc.facts.notes[1].history.momentum_1m is None:
                continue
            fi, fo = doc.facts.notes
            text = doc.section("time_horizons").text
            up_in, up_out = fi.history.momentum_1m.num > 0, fo.history.momentum_1m.num > 0
            if up_in and not up_out:
                assert "both funds' flows go the way of their own momentum" in text
            elif not up_in and up_out:
                assert "both funds' flows lean against their own momentum" in text
            else:
                follower = fi.ticker if up_in else fo.ticker
                assert f"so {follower}'s flow goes the way of its momentum" in text


def test_a_digest_pair_on_one_index_is_a_wrapper_switch_not_a_pair_trade(market):
    # the week to April 2, 2026: IVV took in the most, VOO lost the most; both track the S&P 500
    doc = write_digest(open_source(market), "2026-04-02", "1w")
    assert (doc.facts.rotation.inflow.ticker, doc.facts.rotation.outflow.ticker) == ("IVV", "VOO")
    assert "switching between wrappers" in doc.section("lede").text
    assert "rotation from" not in doc.section("lede").text
    assert "Pair: long" not in doc.markdown and "No pair trade" in doc.section("trade_implications").text


# ---- phrases the issue found whose words were wrong -----------------------------------------------------


@pytest.mark.parametrize("window", ["1d", "1m"])
def test_no_note_speaks_of_a_week_it_does_not_cover_or_of_rules_it_cannot_back(market, window):
    src = open_source(market)
    for as_of in ("2026-04-02", "2026-03-20"):
        for ticker in src.funds():
            text = write_note(ticker, as_of, window, src).markdown
            assert "single week" not in text, (ticker, as_of)
            for wrong in ("winning the allocation", "the usual sign that the flow is late", "first-time inflows",
                          "the flows follow it", "carry no data-quality flags"):
                assert wrong not in text, (ticker, as_of, wrong)
