"""The meaning reader: each word family with a text that must fail and a rewording that must pass."""

from __future__ import annotations

import copy

import pytest

from notewriter.check import check_note

from .test_check import DOC, _fact


def _doc():
    doc = copy.deepcopy(DOC)
    doc["window"] = "1w"
    f = doc["facts"]
    f["flow"]["pct_of_aum"] = _fact(-0.005, "pct", "IJR", True)
    f["flow"]["adv_days"] = _fact(0.688, "ratio", "IJR")
    f["price"].update(off_high_pct=_fact(-0.06, "pct", "IJR", True), high_52w=_fact(107.7, "price", "IJR"),
                      low_52w=_fact(78.57, "price", "IJR"), adv_usd=_fact(580_500_000.0, "usd", "IJR"),
                      ytd_total_return=_fact(0.023, "pct", "IJR", True))
    f["history"].update(realized_vol=_fact(0.185, "pct", "IJR"), momentum_1m=_fact(0.044, "pct", "IJR", True),
                        ytd_usd=_fact(-1_250_000_000.0, "usd", "IJR", True),
                        cum_10d_pct=_fact(-0.007, "pct", "IJR", True), stress_gap_pct=_fact(0.013, "pct", "IJR"),
                        lookback_windows=_fact(50, "count", "IJR"), largest_same_sign=True,
                        base_rate={"median_fwd_2w": _fact(0.002, "pct", "IJR", True),
                                   "median_fwd_6w": _fact(0.001, "pct", "IJR", True)})
    f["config"].update(range_weeks=_fact(52, "count"), reversal_min_weeks=_fact(2, "count"),
                       reversal_max_weeks=_fact(6, "count"))
    return doc


DOC_M = _doc()


def _reasons(text, doc=DOC_M):
    return [(f.text, f.reason) for f in check_note(text, doc).unsupported]


# (text that must pass, the same figure with one meaning word changed: must fail)
CASES = {
    "period": [
        ("IJR recorded a $399.4 million net outflow this week.", "IJR recorded a $399.4 million net outflow this month."),
        ("IJR lost $399.4 million over the week.", "IJR lost $399.4 million over the quarter."),
        ("IJR lost $399.4 million in the past week.", "IJR lost $399.4 million so far this year."),
        ("IJR is up 1.2% year to date.", "IJR is up 1.2% this quarter."),
        ("IJR is up 1.2% so far this year.", "IJR is up 1.2% on the day."),
        ("IJR is up 1.2% YTD.", "IJR is up 1.2% this week."),
        ("Year-to-date net outflows of $1.3 billion.", "This month's net outflows of $1.3 billion."),
        ("The fund fell 0.4% in the last session.", "The fund fell 0.4% over the past week."),
        ("One-month realized volatility is 18.5% annualized.", "Three-month realized volatility is 18.5% annualized."),
    ],
    "metric": [
        ("That is 0.7 times the fund's 20-day average dollar volume of $580.5 million.",
         "That is 0.7 times the fund's 50-day average dollar volume of $580.5 million."),
        ("That is 0.7 times the fund's 20-session average dollar volume.",
         "That is 0.7 times the fund's 20-week average dollar volume."),
        ("Net flows over the last 10 trading sessions come to -0.7% of assets.",
         "Net flows over the last 10 trading sessions come to -0.7% of average daily volume."),
        ("The flow is about 0.5% of its assets.", "The flow is about 0.5% of its shares outstanding."),
        ("The price sits 6.0% below its 52-week high.", "The price sits 6.0% below its 26-week high."),
        ("One-month realized volatility is 18.5% annualized.", "One-month price momentum is 18.5%."),
        ("That puts IJR in the 8th percentile.", "That puts IJR at a z-score in the 8th range of its streak in a row."),
        ("The fund last traded at $101.23.", "The fund's 52-week high is $101.23."),
    ],
    "comparison": [
        ("IJR is 1.3% short of it, far from a redemption spiral.", "IJR is 1.3% past it, far from a redemption spiral."),
        ("IJR is 1.3% shy of it.", "IJR is 1.3% beyond it."),
        ("The price sits 6.0% below its 52-week high.", "The price sits 6.0% above its 52-week high."),
    ],
    "swap": [
        ("One-month realized volatility is 18.5% annualized, and the price sits 6.0% below its 52-week high.",
         "One-month realized volatility is 6.0% annualized, and the price sits 18.5% below its 52-week high."),
        ("The median return was +0.2% after 2 weeks and +0.1% after 6.",
         "The median return was +0.1% after 2 weeks and +0.2% after 6."),
        # price and total return swapped (AGG's note: down 0.7% on price, +0.3% with dividends)
        ("IJR is up 1.2% year to date on price (+2.3% with dividends reinvested).",
         "IJR is up 2.3% year to date on price (+1.2% with dividends reinvested)."),
        ("IJR's total return this year is 2.3%; its price return is 1.2%.",
         "IJR's total return this year is 1.2%; its price return is 2.3%."),
    ],
    "threshold": [
        ("Redemptions of 2.0% of a fund in 10 sessions is the level this note treats as stress.",
         "Largest disclosed components include Jackson Financial Inc (JXN +2.0%)."),
        ("Over 2–6 weeks the base rate applies.", "IJR saw 2 large holders leave."),
        ("The stress level this note watches is redemptions of 2.0% in 10 sessions.",
         "The stress level this note watches is redemptions of 2.0% in 10 weeks."),
    ],
    "rank": [
        ("That is the largest weekly outflow in IJR's last 50 weeks.",
         "That is the smallest weekly outflow in IJR's last 50 weeks."),
        ("That is the biggest weekly outflow in IJR's last 50 weeks.",
         "That is the largest weekly inflow in IJR's last 50 weeks."),
        ("A z-score of -8.5 against its last 50 weeks.", "A z-score of -8.5 against its last 50 sessions."),
    ],
}
ROWS = [(family, ok, bad) for family, rows in CASES.items() for ok, bad in rows]


@pytest.mark.parametrize("family,ok,bad", ROWS, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(ROWS)])
def test_a_changed_word_fails_and_its_rewording_passes(family, ok, bad):
    assert not _reasons(ok), (ok, _reasons(ok))
    assert _reasons(bad), bad


def test_a_contradiction_names_the_word_and_the_window():
    (text, reason), = _reasons("IJR recorded a $399.4 million net outflow this month.")
    assert text == "$399.4 million"
    assert reason == ("text says 'this month' but the matched figure facts.flow.net_usd covers the 1w window "
                      "2024-04-29..2024-05-06")


def test_largest_needs_the_history_flag():
    doc = copy.deepcopy(DOC_M)
    doc["facts"]["history"]["largest_same_sign"] = False
    text = "That is the largest weekly outflow in IJR's last 50 weeks."
    assert not _reasons(text) and _reasons(text, doc)
    (_, reason), = _reasons(text, doc)
    assert "largest_same_sign is false" in reason


def test_unknown_words_are_not_errors():
    assert not _reasons("Quietly, IJR shed $399.4 million, a gloomy print.")


def test_a_sector_figure_belongs_to_its_sector():
    doc = copy.deepcopy(DOC_M)
    doc["facts"]["sectors"] = [["technology", _fact(0.336, "pct", "IJR")], ["financial_services", _fact(0.124, "pct", "IJR")]]
    assert not _reasons("The largest sector exposures are technology at 33.6% and financials at 12.4%.", doc)
    assert len(_reasons("The largest sector exposures are technology at 12.4% and financials at 33.6%.", doc)) == 2


def test_leaderboard_rank_words_need_rank_one():
    doc = {"ticker": None, "window": "1w", "as_of": "2025-10-31", "facts": {
        "start": _fact("2025-10-24", "date"), "end": _fact("2025-10-31", "date"),
        "inflows": [{"ticker": "IWM", "name": "iShares Russell 2000 ETF", "rank": _fact(1, "count", "IWM"),
                     "net_usd": _fact(100_700_000.0, "usd", "IWM", True)},
                    {"ticker": "XLK", "name": "Technology Select Sector SPDR Fund", "rank": _fact(2, "count", "XLK"),
                     "net_usd": _fact(98_000_000.0, "usd", "XLK", True)}]}}
    assert not _reasons("IWM took in $100.7 million, topping the leaderboard.", doc)
    assert _reasons("XLK took in $98.0 million, topping the leaderboard.", doc)
    assert not _reasons("XLK took in $98.0 million, second on the board.", doc)


def test_a_word_that_names_a_figure_of_the_other_sign_does_not_take_the_number():
    # "of shares outstanding" names flow.shares_change_pct, but that figure is a rise (+0.16%) and the clause
    # speaks of the 10-session net flow (-0.22%): both round to 0.2%, the sign tells them apart
    doc = copy.deepcopy(DOC_M)
    doc["facts"]["flow"]["shares_change_pct"] = _fact(0.0016, "pct", "IJR", True)
    doc["facts"]["history"]["cum_10d_pct"] = _fact(-0.0022, "pct", "IJR", True)
    assert _reasons("Over the last 10 sessions net flows come to -0.2% of shares outstanding.", doc) == []
    assert _reasons("Shares outstanding rose 0.2% this week.", doc) == []
    (bad,) = _reasons("Shares outstanding fell 0.2% this week.", doc)  # neither figure: a fall over the week
    assert bad[0] == "0.2%"
