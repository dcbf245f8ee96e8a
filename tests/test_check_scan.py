"""The checker's fast scans find exactly what the plain patterns find, on generated text.

Each fast path in `notewriter.check` is a rewrite of a plain pattern (one that starts with a character
set so the regex engine can skip), or a plain pattern tried only where a candidate pattern matches. Both
are easy to get subtly wrong, so hypothesis generates text from the pieces these patterns care about
(tickers, money, dates, qualifiers, clause words, instrument names, odd Unicode letters that case-fold
to ASCII) and compares the spans.
"""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from notewriter.check import attribution, numbers
from notewriter.check.scan import _finditer

PIECES = [
    "S&P 500", "S&P MidCap 400", "Russell 2000", "Russell Top 200", "Nasdaq-100", "NASDAQ 100", "FTSE 100",
    "Euro Stoxx 50", "Stoxx 600", "Nikkei 225", "DAX 40", "CAC 40", "Dow 30", "KOSPI 200", "MSCI World 100",
    "10-year Treasury", "2-year notes", "Q3 2026", "1H26", "FY2025", "401(k)", "24/7",
    "$399.4 million", "US$1.5 billion", "USD 2bn", "-$2.7 billion", "+0.6%", "−3.1%", "649,550,000",
    "12 bps", "1.2x", "3 times", "5 percent", "4 per cent", "21st", "$5m", "7k",
    "2026-04-02", "April 2, 2026", "2 April 2026", "Apr 2", "March 2026", "4/2/2026", "Jun", "Jul", "Dec 31",
    "about", "around", "roughly", "some", "approximately", "approx.", "nearly", "almost", "close to",
    "just under", "more than", "at least", "in excess of", "upwards of", "exceeding", "less than",
    "fewer than", "at most", "no more than", "up to", "z-score of", "zscore", "~", "≈",
    "while", "whereas", "but", "against", "versus", "vs.", "vs", "compared with", "compared to", "lagging",
    "trailing", "behind", "than", "and", " – ", "—", ",", ";", ":", "(", ")", ".", "-",
    "took in", "pulled in", "drew in", "added", "added to", "lost", "outflows", "inflows", "rallied",
    "fell", "higher", "lower", "not", "no", "never", "take-in", "up", "down", "sold-off",
    "IJR", "SPY", "QQQ", "IWM", "US", "Us", "usd",
    "\u0130n", "\u017fome", "\u0131n", "K", "\u212a", "é",
]
TEXT = st.lists(st.one_of(st.sampled_from(PIECES), st.sampled_from([" ", " ", "  ", "\n", ""]),
                          st.text(alphabet="aSUJ0159$+-−.,%x ", max_size=3)), max_size=40).map("".join)

CANDIDATE_SCANS = {
    "numbers": (numbers._NUMBER, numbers._NUMBER_STARTS),
    "dates": (numbers._DATES, numbers._DATE_STARTS),
    "qualifiers": (numbers._QUALIFIER, numbers._QUALIFIER_STARTS),
    "instrument names": (attribution._INSTRUMENT_NAMES, attribution._INSTRUMENT_STARTS),
}
REWRITES = {
    "segment breaks": (attribution._SEGMENT_BREAK, attribution._SEGMENT_BREAK_FAST),
    "clause breaks": (attribution._CLAUSE_BREAK, attribution._CLAUSE_BREAK_FAST),
}


def _spans(matches) -> list[tuple[int, int]]:
    return [m.span() for m in matches]


@settings(max_examples=400, deadline=None)
@given(TEXT)
@example("IJR lost $399.4 million while SPY took in about $1.5 billion (S&P 500) on April 2, 2026.")
@example("\u017fome 5 and US$3")
def test_candidate_scans_find_every_match_the_plain_pattern_finds(text):
    for name, (rx, starts) in CANDIDATE_SCANS.items():
        assert _spans(_finditer(rx, starts, text)) == _spans(rx.finditer(text)), name


@settings(max_examples=400, deadline=None)
@given(TEXT)
@example("inflows, while outflows – but lagging behind; compared with (this)")
def test_rewritten_break_patterns_match_the_plain_ones(text):
    for name, (plain, fast) in REWRITES.items():
        assert _spans(fast.finditer(text)) == _spans(plain.finditer(text)), name


def _direction_words_plain(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in attribution._WORDS.finditer(text)
            if m.group(0).lower() in attribution._PHRASE_HEADS or attribution._word_direction(m.group(0))]


def _direction_words_fast(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in attribution._DIRECTION_CANDIDATES.finditer(text)
            if m.group(0).lower() in attribution._PHRASE_HEADS or attribution._word_direction(m.group(0))]


@settings(max_examples=400, deadline=None)
@given(TEXT)
@example("sold-off inflows took in; not-higher, RALLIED")
def test_direction_candidates_find_every_direction_word(text):
    assert _direction_words_fast(text) == _direction_words_plain(text)


def test_the_comparison_can_fail():
    """A candidate pattern that misses a start (here: no '$') must show up as a difference."""
    too_narrow = re.compile(r"\d")
    text = "IJR lost $399.4 million"
    assert _spans(_finditer(numbers._NUMBER, too_narrow, text)) != _spans(numbers._NUMBER.finditer(text))


# ---- names and tickers: found with str.find instead of a pattern compiled per note ----------------------

from notewriter.check.index import _names_pattern, _tickers_pattern, FactIndex  # noqa: E402

NAMES = ["Target", "Target Corp", "TARGET", "Apple", "Apple Inc", "S&P 500", "Jackson Financial Inc", "Us",
         "Kite", "Sirius", "Iris", "Nestlé SA", "ab", "AB 12", "Inc", "K Corp"]
TICKERS = ["IJR", "SPY", "QQQ", "IWM", "US", "A", "AB", "BRK.B", "K"]
NAME_TEXT = st.lists(st.one_of(st.sampled_from(PIECES + NAMES + [n.upper() for n in NAMES]
                                               + [n.lower() for n in NAMES] + TICKERS),
                               st.sampled_from([" ", " ", "\n", "", "$", "-", "x", "9", "(", "\u212a", "\u0131",
                                                "\u0130", "\u017f"])), max_size=30).map("".join)


@settings(max_examples=500, deadline=None)
@given(NAME_TEXT, st.sets(st.sampled_from(NAMES), min_size=1), st.sets(st.sampled_from(TICKERS), min_size=1))
@example("Target Corp and target, TARGET Corp", {"Target", "Target Corp", "TARGET"}, {"A"})
@example("\u212aite and \u0130ris, \u017firius 9Kite", {"Kite", "Iris", "Sirius"}, {"K"})
def test_names_and_tickers_are_found_where_the_patterns_find_them(text, names, tickers):
    index = FactIndex([], set(tickers), list(names), {n: "IJR" for n in names})
    want_names = [m.span() for m in _names_pattern(tuple(sorted(index.maskable))).finditer(text)]
    want_tickers = [m.span() for m in _tickers_pattern(tuple(sorted(tickers))).finditer(text)]
    assert index.names_in(text) == want_names
    assert index.tickers_in(text) == want_tickers
