"""The fact-checker on hand-written notes and facts: values, rounding, tickers, direction words, edits."""

from __future__ import annotations


import pytest

from notewriter.check import check_note


def _fact(value, kind, ticker=None, change=False):
    return {"value": value, "kind": kind, "ticker": ticker, "change": change, "source": "test"}


DOC = {
    "ticker": "IJR",
    "as_of": "2024-05-06",
    "facts": {
        "identity": {"ticker": "IJR", "name": "iShares Core S&P Small-Cap ETF",
                     "expense_ratio": _fact(0.0006, "pct", "IJR")},
        "flow": {
            "start": _fact("2024-04-29", "date", "IJR"),
            "end": _fact("2024-05-06", "date", "IJR"),
            "net_usd": _fact(-399_399_000.0, "usd", "IJR", True),
            "shares_start": _fact(649_550_000, "shares", "IJR"),
            "shares_end": _fact(645_650_000, "shares", "IJR"),
            "shares_change": _fact(-3_900_000, "shares", "IJR", True),
            "shares_change_pct": _fact(-0.006004, "pct", "IJR", True),
            "adv_days": _fact(0.688, "ratio", "IJR"),
        },
        "price": {"last": _fact(101.23, "price", "IJR"), "ytd_return": _fact(0.012, "pct", "IJR", True),
                  "day_change": _fact(-0.004, "pct", "IJR", True)},
        "history": {"zscore": _fact(-8.45, "zscore", "IJR"), "percentile": _fact(8, "count", "IJR"),
                    "streak_days": _fact(-3, "count", "IJR", True)},
        "peers": [
            {"ticker": "IWM", "name": "iShares Russell 2000 ETF", "net_usd": _fact(100_677_080.0, "usd", "IWM", True),
             "ytd_return": _fact(0.019, "pct", "IWM", True)},
            {"ticker": "QQQ", "name": "Invesco QQQ Trust", "net_usd": _fact(1_500_000_000.0, "usd", "QQQ", True),
             "ytd_return": _fact(0.075, "pct", "QQQ", True)},
        ],
        "components": [{"ticker": "JXN", "name": "Jackson Financial Inc",
                        "day_change": _fact(0.0324, "pct", "JXN", True)},
                       {"ticker": "PRIM", "name": "Primoris Services Corp",
                        "day_change": _fact(-0.0013, "pct", "PRIM", True)}],
        "config": {"stress_pct": _fact(0.02, "pct"), "stress_sessions": _fact(10, "count"),
                   "adv_sessions": _fact(20, "count")},
        "dates": {"month_end": _fact("2024-05-31", "date")},
    },
    "sentiment": {"score": -0.25, "label": "Somewhat-Bearish",
                  "ticker_sentiment": [{"ticker": "IJR", "relevance": 0.43, "score": -0.36}]},
}

LEDE = ("iShares Core S&P Small-Cap ETF (IJR) saw an estimated $399.4 million net outflow this week, "
        "a 0.6% decline in shares outstanding from 649,550,000 to 645,650,000.")


def _bad(text, doc=DOC):
    return [(f.text, f.reason) for f in check_note(text, doc).unsupported]


def test_reference_lede_passes_with_every_number_matched():
    report = check_note(LEDE, DOC)
    assert report.ok, report.summary_lines()
    assert [f.matched for f in report.findings] == [
        "facts.flow.net_usd", "facts.flow.shares_change_pct", "facts.flow.shares_start", "facts.flow.shares_end"]
    first = report.findings[0]
    assert LEDE[first.start:first.end] == "$399.4 million" and first.ticker == "IJR"
    assert report.as_dict()["unsupported"] == 0 and report.summary_lines()[-1] == "4 numbers, 0 unsupported"


@pytest.mark.parametrize("old, new", [
    ("$399.4 million", "$399.7 million"),       # a digit beyond the rounding shown
    ("$399.4 million", "$399.4 billion"),       # million <-> billion
    ("649,550,000", "649,500,000"),             # a share count
    ("0.6%", "0.8%"),
    ("net outflow", "net inflow"),              # direction word against the sign of a change fact
    ("decline", "increase"),
])
def test_reference_lede_errors_are_caught(old, new):
    bad = _bad(LEDE.replace(old, new, 1))
    assert len(bad) == 1, bad


def test_reasons_name_the_problem():
    (text, reason), = _bad("IJR took in a $399.4 million net inflow.")
    assert text == "$399.4 million" and "disagrees with the sign of facts.flow.net_usd" in reason
    (text, reason), = _bad("IWM took in $399.4 million.")
    assert "about IJR, not IWM" in reason
    (text, reason), = _bad("IJR shed $123.4 million.")
    assert reason == "no fact with this value within the rounding shown"
    (text, reason), = _bad("IJR: +$399.4 million.")
    assert "sign" in reason


def test_an_editors_net_inflow_for_a_negative_flow_is_unsupported():
    assert _bad("Editors' view: a $399.4 million net inflow for IJR this week.")
    assert not _bad("Editors' view: a $399.4 million net outflow for IJR this week.")
    assert not _bad("IJR saw $399.4m leave the fund, i.e. redemptions of 3.9 million shares.")


def test_numbers_are_about_the_ticker_of_their_segment():
    assert not _bad("IWM is up 1.9% year to date, lagging the 7.5% gain delivered by QQQ.")
    assert len(_bad("IWM is up 7.5% year to date, lagging the 1.9% gain delivered by QQQ.")) == 2
    assert not _bad("Invesco QQQ Trust (QQQ) took in $1.5 billion while IJR lost $399.4 million.")
    # QQQ's number written next to IWM
    assert _bad("iShares Russell 2000 ETF (IWM) took in $1.5 billion over the week.")
    # names attribute numbers too
    assert not _bad("iShares Russell 2000 ETF gained 1.9% while Invesco QQQ Trust rose 7.5%.")
    assert _bad("iShares Russell 2000 ETF gained 7.5%.")


def test_parentheticals_attribute_component_moves():
    text = "Largest components include Jackson Financial Inc (JXN +3.2%) and Primoris Services Corp (PRIM -0.1%)."
    assert not _bad(text)
    assert len(_bad(text.replace("JXN", "TMP").replace("PRIM", "JXN").replace("TMP", "PRIM"))) == 2


def test_direction_words():
    assert not _bad("The fund fell 0.4% in the last session and is up 1.2% year to date.")
    assert _bad("The fund rose 0.4% in the last session.")
    assert _bad("IJR is down 1.2% year to date.")
    assert not _bad("IJR has seen 3 outflow days in a row.")
    assert _bad("IJR has seen 3 inflow days in a row.")
    assert not _bad("Redemptions of 3,900,000 IJR shares mean authorized participants handed units back.")
    assert _bad("Creations of 3,900,000 IJR shares mean authorized participants delivered the basket.")
    # a number with no direction word states only its size
    assert not _bad("The weekly flow for IJR was $399.4 million.")
    # an explicit sign must agree with the fact and with the words
    assert not _bad("IJR: net flow of -$399.4 million, z-score -8.5.")
    assert _bad("IJR: net inflows of -$399.4 million.")


def test_number_forms():
    ok = [
        "IJR shed $399.4m this week.", "IJR shed $0.4bn this week.", "IJR shed about $400 million.",
        "More than $350 million left IJR.", "Shares outstanding fell 0.6 percent.",
        "Shares fell to 645.65 million shares.", "The fund last traded at $101.23.",
        "That is 0.7 times the 20-day average dollar volume.", "That is 0.7x average volume.",
        "That puts IJR in the 8th percentile with a z-score of -8.5.",
        "The stress level is 2% of assets in 10 sessions.", "Overall sentiment: -0.25; IJR relevance 0.43.",
        "The expense ratio is 0.06%, or 6 bps.",
    ]
    for text in ok:
        assert not _bad(text), (text, _bad(text))
    bad = ["IJR shed $399.4bn this week.", "IJR shed $39.9m this week.", "That is 0.9 times average volume.",
           "That puts IJR in the 9th percentile.", "The stress level is 3% of assets.",
           "The fund last traded at $101.32.", "IJR relevance 0.34."]
    for text in bad:
        assert _bad(text), text


def test_dates_in_every_form():
    for text in ["Flows to May 6, 2024.", "Flows to 2024-05-06.", "Flows to May 6th.", "Flows to 6 May 2024.",
                 "Month end is May 31, 2024.", "Flows to 05/06/2024.", "Flows in May 2024."]:
        assert not _bad(text), (text, _bad(text))
    for text in ["Flows to May 7, 2024.", "Flows to Nov. 15, 2024.", "Flows to 2024-05-07.", "Flows to June 6."]:
        assert _bad(text), text


def test_configuration_facts_count_as_facts():
    assert not _bad("Redemptions of 2.0% of a fund in 10 sessions is the level this note treats as stress.")
    assert _bad("Redemptions of 2.5% of a fund in 10 sessions is the level this note treats as stress.")
    assert _bad("Redemptions of 2.0% of a fund in 12 sessions is the level this note treats as stress.")


def test_an_editors_markdown_with_links_lists_and_index_names():
    text = (
        "## Summary\n\n"
        "1. **IJR** saw an estimated *$399.4 million* net outflow ([source](https://example.com/2024/05/06)).\n"
        "2. The fund tracks the S&P 600, unlike the Russell 2000; 10-year Treasury yields are not covered.\n\n"
        "| Ticker | Relevance | Score |\n|---|---|---|\n| IJR | 0.43 | -0.36 |\n"
    )
    report = check_note(text, DOC)
    assert report.ok, report.summary_lines()
    assert [f.text for f in report.findings] == ["$399.4 million", "0.43", "-0.36"]
    assert not check_note(text.replace("0.43", "0.34"), DOC).ok
    assert not check_note(text.replace("| IJR |", "| IWM |"), DOC).ok


def test_html_output_is_checked_as_text():
    html = f"<html><body><h1>IJR</h1><p>{LEDE}</p></body></html>"
    assert check_note(html, DOC).ok
    assert not check_note(html.replace("399.4", "399.9"), DOC).ok


def test_a_long_note_reports_every_number_it_repeats():
    """Forty copies of the lede: four numbers each, every one traced (timing is in benchmarks/bench_check.py)."""
    report = check_note("\n\n".join([LEDE] * 40), DOC)
    assert report.ok and len(report.findings) == 160