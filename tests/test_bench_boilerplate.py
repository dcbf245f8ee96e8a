"""The boilerplate benchmark's sentences, skeletons and figure, on hand-written text (no batches)."""

from __future__ import annotations

import importlib.util
import json
from fractions import Fraction
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_boilerplate.py"


@pytest.fixture(scope="module")
def bb():
    spec = importlib.util.spec_from_file_location("bench_boilerplate", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- sentences -----------------------------------------------------------------------------------


def test_split_keeps_decimals_and_abbreviations(bb):
    text = ("iShares Core U.S. Aggregate Bond ETF (AGG) fell 1.5% on the day, e.g. after payrolls. "
            "Why? Rates rose! Apple Inc. led the index at $1.25 billion. Done.")
    assert bb.split_sentences(text) == [
        "iShares Core U.S. Aggregate Bond ETF (AGG) fell 1.5% on the day, e.g. after payrolls.",
        "Why?",
        "Rates rose!",
        "Apple Inc. led the index at $1.25 billion.",
        "Done.",
    ]


def test_note_sentences_sections_and_what_is_dropped(bb):
    md = "\n".join([
        "# SPY: a title that is not a sentence",
        "",
        "The lede's first sentence. Its second",
        "sentence wraps onto a new line.",
        "",
        "## Market structure",
        "",
        "**Overall:** Bearish (-0.44)",
        "",
        "| Ticker | Score |",
        "|---|---|",
        "| SPY | 0.39 |",
        "",
        "- A list item. Another sentence in it.",
        "1. A numbered item.",
        "",
        "### A sub-heading stays in its section",
        "",
        "Under the sub-heading.",
        "",
        "## Risk assessment",
        "",
        "Data caveat: this one is prose, not the footer.",
        "",
        "---",
        "",
        "*Sample note: written from the samples, not real market data.*",
        "Data: data directory market; prices to April 2, 2026.",
        "Flows are estimated as the change in shares outstanding times NAV.",
        "Data notes: one thing; another.",
        "Not investment advice.",
    ])
    assert bb.note_sentences(md) == [
        ("Lede", "The lede's first sentence."),
        ("Lede", "Its second sentence wraps onto a new line."),
        ("Market structure", "Overall: Bearish (-0.44)"),
        ("Market structure", "A list item."),
        ("Market structure", "Another sentence in it."),
        ("Market structure", "A numbered item."),
        ("Market structure", "Under the sub-heading."),
        ("Risk assessment", "Data caveat: this one is prose, not the footer."),
    ]


def test_footer_on_one_line_is_dropped_whole(bb):
    md = ("Prose.\n\n---\n\nData: data directory market; prices to April 2, 2026. Flows are as reported by the "
          "data vendor. Data notes: shares.csv dates 1 share count(s). Not investment advice.\n")
    assert bb.note_sentences(md) == [("Lede", "Prose.")]


# -- skeletons -----------------------------------------------------------------------------------


def test_sentiment_label_and_disclaimer_are_not_prose(bb):
    md = ("# T\n\nSPY fell 1.0%.\n\n## Sentiment\n\n**Overall:** Neutral (0.00)\n\n| Ticker | Score |\n\n"
          "## Key catalysts\n\nScheduled: quarter-end.\n\n---\n\n"
          "Not investment advice: trade ideas here are ideas to test, not recommendations.\n")
    assert bb.note_sentences(md) == [("Lede", "SPY fell 1.0%."), ("Key catalysts", "Scheduled: quarter-end.")]


def test_skeleton_of_the_brief_example(bb):
    vocab = bb.Vocabulary(funds={"SPY"})
    assert (bb.skeleton("SPY took in $1.5 billion on April 2, 2026, 0.3% of shares.", vocab)
            == "<TICKER> took in <MONEY> on <DATE>, <PCT> of shares.")


def test_skeleton_names_counts_signs_and_date_forms(bb):
    vocab = bb.Vocabulary(funds={"SPY", "IVV"}, names={"State Street SPDR S&P 500 ETF Trust"})
    assert (bb.skeleton("State Street SPDR S&P 500 ETF Trust (SPY) lost $399.4 million, a −0.3% move "
                        "from 649,550,000 shares on Apr 02, 2026.", vocab)
            == "<NAME> (<TICKER>) lost <MONEY>, a <PCT> move from <NUM> shares on <DATE>.")
    assert (bb.skeleton("Through 2026-04-02 IVV's NAV gained +1.2% since March 30 and -$3.5 billion left "
                        "over 10 sessions (z-score -0.7).", vocab)
            == "Through <DATE> <TICKER>'s NAV gained <PCT> since <DATE> and <MONEY> left "
               "over <NUM> sessions (z-score <NUM>).")


def test_skeleton_holdings_and_one_letter_tickers(bb):
    vocab = bb.Vocabulary(funds={"IVV"}, tickers={"AAPL", "V", "A", "BRK-B"},
                          names={"APPLE INC", "Visa Inc Class A", "Berkshire Hathaway Inc Class B"})
    assert (bb.skeleton("Its largest holdings are Apple Inc (AAPL, 7.2%), Visa Inc Class A (V, 1.0%) and "
                        "Berkshire Hathaway Inc Class B (BRK-B); V is a letter and A is an article.", vocab)
            == "Its largest holdings are <NAME> (<TICKER>, <PCT>), <NAME> (<TICKER>, <PCT>) and "
               "<NAME> (<TICKER>); V is a letter and A is an article.")


def test_skeleton_one_word_name_only_before_its_ticker(bb):
    vocab = bb.Vocabulary(funds={"IWM"}, tickers={"FN", "BLSH"}, names={"Bullish", "Fabrinet"})
    assert (bb.skeleton("Overall: Somewhat-Bullish (0.29), led by Fabrinet (FN) in IWM.", vocab)
            == "Overall: Somewhat-Bullish (<NUM>), led by <NAME> (<TICKER>) in <TICKER>.")


def test_skeleton_without_vocabulary_keeps_words(bb):
    assert bb.skeleton("U.S. flows hit -$3.5 billion, 2–6 weeks after the 52-week high.") == \
        "U.S. flows hit <MONEY>, <NUM>–<NUM> weeks after the <NUM>-week high."


def test_vocabulary_from_a_data_directory(bb, tmp_path):
    (tmp_path / "funds").mkdir()
    (tmp_path / "funds" / "ABC.json").write_text(json.dumps(
        {"ticker": "ABC", "longName": "Alpha Beta Fund", "topHoldings": [{"symbol": "XYZ", "name": "Xyz Corp"}]}))
    (tmp_path / "shares.csv").write_text("date,ticker,shares_outstanding\n2026-04-02,DEF,100\n")
    vocab = bb.Vocabulary.from_data(tmp_path)
    assert vocab.funds == {"ABC"}
    assert {"ABC", "XYZ", "DEF"} <= vocab.tickers
    assert vocab.names == {"Alpha Beta Fund", "Xyz Corp"}
    assert bb.skeleton("Alpha Beta Fund (ABC) holds Xyz Corp (XYZ); DEF did not trade.", vocab) == \
        "<NAME> (<TICKER>) holds <NAME> (<TICKER>); <TICKER> did not trade."


# -- the figure ----------------------------------------------------------------------------------

FOOTER = "---\n\nData: data directory tiny; prices to April 2, 2026. Not investment advice.\n"
NOTES = {
    # batch b1, in an md/ folder as `notewriter batch` writes it, with a digest that is not a fund note
    "b1/md/AAA.md": "# AAA: title\n\nAlpha Fund (AAA) took in $1.5 million on April 2, 2026. Price is up.\n\n"
                    "## Risk\n\nVolatility is 12.0% annualized. Alpha alone here.\n\n" + FOOTER,
    "b1/md/BBB.md": "# BBB: title\n\nBeta Fund (BBB) took in $2.0 billion on Apr 03, 2026. Price is down.\n\n"
                    "## Risk\n\nVolatility is 8.5% annualized. Volatility is 9.1% annualized.\n\n---\n\n"
                    "Data: tiny.\nFlows are as reported by the data vendor.\nData notes: one.\n"
                    "Not investment advice.\n",
    "b1/md/digest.md": "# Digest\n\nPrice is up. Nothing to watch.\n",
    # batch b2
    "b2/CCC.md": "# CCC: title\n\nGamma Fund (CCC) had no flows.\n\n## Risk\n\n- Price is up.\n\n"
                 "| CCC | 0.3 |\n|---|---|\n\n*Sample note: written from the samples, not real market data.*\n"
                 + FOOTER,
    "b2/DDD.md": "# DDD: title\n\nDelta Fund (DDD) had no flows.\n\n## Risk\n\n### Detail\n\nNothing to watch.\n\n"
                 + FOOTER,
    "b2/EEE.md": "# EEE: title\n\nEpsilon stands alone.\n\n## Risk\n\nNothing to watch today.\n\n" + FOOTER,
}
# With 5 notes and a 20% threshold a skeleton is boilerplate in 2 or more notes:
#   "<NAME> (<TICKER>) took in <MONEY> on <DATE>."  AAA, BBB        lede, 2 occurrences
#   "Price is up."                                  AAA, CCC        lede 1 + risk 1
#   "Volatility is <PCT> annualized."               AAA, BBB        risk, 3 occurrences
#   "<NAME> (<TICKER>) had no flows."               CCC, DDD        lede, 2 occurrences
# and the others appear once. Sentences: AAA 4 (3 boilerplate), BBB 4 (3), CCC 2 (2), DDD 2 (1),
# EEE 2 (0): 9 of 14. Lede: 5 of 7; Risk: 4 of 7. The footers, the table and the digest never count.
BOILERPLATE = {"<NAME> (<TICKER>) took in <MONEY> on <DATE>.", "Price is up.",
               "Volatility is <PCT> annualized.", "<NAME> (<TICKER>) had no flows."}


@pytest.fixture
def tiny(tmp_path):
    notes = tmp_path / "notes"
    for rel, text in NOTES.items():
        (notes / rel).parent.mkdir(parents=True, exist_ok=True)
        (notes / rel).write_text(text)
    data = tmp_path / "data"
    (data / "funds").mkdir(parents=True)
    for ticker, name in [("AAA", "Alpha Fund"), ("BBB", "Beta Fund"), ("CCC", "Gamma Fund"), ("DDD", "Delta Fund")]:
        (data / "funds" / f"{ticker}.json").write_text(json.dumps({"ticker": ticker, "longName": name}))
    return notes, data


def test_figure_on_five_hand_made_notes(bb, tiny, capsys):
    notes, data = tiny
    result = bb.main(["--notes-dir", str(notes), "--data", str(data), "--json"])
    printed = json.loads(capsys.readouterr().out)
    assert printed["share"] == result["share"]
    assert result["notes"] == 5
    assert (result["boilerplate_sentences"], result["sentences"]) == (9, 14)
    assert Fraction(result["share"]).limit_denominator(100) == Fraction(9, 14)
    sections = result["sections"]
    assert set(sections) == {"Lede", "Risk"}
    assert (sections["Lede"]["boilerplate_sentences"], sections["Lede"]["sentences"]) == (5, 7)
    assert (sections["Risk"]["boilerplate_sentences"], sections["Risk"]["sentences"]) == (4, 7)
    top = result["top"]
    assert {r["skeleton"] for r in top if r["notes"] >= 2} == BOILERPLATE
    assert result["boilerplate_skeletons"] == 4
    assert top[0] == {"skeleton": "Volatility is <PCT> annualized.", "notes": 2, "df": 0.4, "occurrences": 3,
                      "sections": ["Risk"]}
    # per batch: b1 holds AAA and BBB (6 of their 8 sentences boilerplate in the pool), b2 the rest (3 of 6)
    assert set(result["batches"]) == {"b1", "b2"}
    assert Fraction(result["batches"]["b1"]["pooled_share"]).limit_denominator(100) == Fraction(6, 8)
    assert Fraction(result["batches"]["b2"]["pooled_share"]).limit_denominator(100) == Fraction(3, 6)


def test_threshold_moves_the_line(bb, tiny, capsys):
    notes, data = tiny
    # more than 40% of 5 notes is 3 or more: no skeleton reaches that
    assert bb.main(["--notes-dir", str(notes), "--data", str(data), "--threshold", "0.4", "--json"])["share"] == 0
    # more than 10% of 5 notes is 1 or more: every sentence
    assert bb.main(["--notes-dir", str(notes), "--data", str(data), "--threshold", "0.1", "--json"])["share"] == 1


def test_plain_report_states_the_figure(bb, tiny, capsys):
    notes, data = tiny
    bb.main(["--notes-dir", str(notes), "--data", str(data)])
    out = capsys.readouterr().out
    assert "boilerplate: 64.3% of 14 sentences (skeleton in >20% of 5 notes)" in out


def test_a_batch_output_folder_is_read_through_its_published_run(bb, tmp_path):
    from click.testing import CliRunner

    from notewriter.cli import main

    out = tmp_path / "batch"
    assert CliRunner().invoke(main, ["batch", "--out", str(out), "--formats", "md"]).exit_code == 0
    notes = bb.read_notes(out)
    assert list(notes) == ["."] and len(notes["."]) == 14  # the samples' 14 fund notes, no digest, no copies
    assert notes["."]["IJR"].startswith("# IJR")
