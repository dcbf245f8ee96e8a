"""The checker at scale: a long note costs in proportion to its length, and is checked as its parts are.

No timings here (benchmarks/bench_check.py reports speed). Instead: the work a check does, counted as
function calls, grows with the note and no faster; the per-number lookups touch as many items however
long the text; the faster scans find exactly what the plain patterns find; and a note made of many copies
of a real note reports every copy's numbers as the single note does, including one planted error at the end.
"""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from notewriter.check import FactIndex, attribution, check_note, checker, meaning
from notewriter.check.scan import DIGIT, _ascii_folded, _first_chars, _lowered_source


@pytest.fixture(scope="module")
def real_note():
    """The bundled samples' IJR note (week to 2025-10-31) as Markdown, and its facts document."""
    from notewriter.pipeline import open_source, write_note
    from notewriter.publish import render_as

    note = write_note("IJR", "2025-10-31", "1w", open_source())
    return render_as(note, "md"), note.facts_document()


def _paragraphs(markdown: str) -> list[str]:
    return [p for p in markdown.split("\n\n") if p.strip()]


def _long_note(markdown: str, copies: int) -> str:
    return "\n\n".join(_paragraphs(markdown) * copies) + "\n"


# --------------------------------------------------------------------------- work grows linearly


def _calls(fn) -> int:
    """Python and built-in function calls (generator resumptions included) made by fn()."""
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return count


def test_work_per_character_does_not_grow_with_the_note(real_note):
    markdown, doc = real_note
    index = FactIndex.from_doc(doc)
    short, long = _long_note(markdown, 10), _long_note(markdown, 40)
    check_note(long, index)  # warm the pattern and word caches
    small = _calls(lambda: check_note(short, index))
    large = _calls(lambda: check_note(long, index))
    # four times the text, four times the calls (give or take the fixed cost of one check); a part that
    # compares every mention with every name, or every number with every word, would make this 16
    assert 3.8 < large / small < 4.2, (small, large)


class _CountingList(list):
    """A list that counts the items read from it, one per index and one per item of a slice."""

    reads = 0

    def __getitem__(self, key):
        item = super().__getitem__(key)
        type(self).reads += len(item) if isinstance(key, slice) else 1
        return item


def _reads(fn) -> int:
    _CountingList.reads = 0
    fn()
    return _CountingList.reads


def test_looking_up_a_numbers_cues_reads_only_its_neighbourhood():
    sentence = "IJR saw a $399.4 million net outflow this week, the largest in 50 weeks. "
    start = sentence.index("$399.4")
    end = start + len("$399.4 million")
    results, reads = [], []
    for repeat in (2, 1000):
        cues = meaning.Cues(sentence * repeat)
        cues.cues = _CountingList(cues.cues)
        reads.append(_reads(lambda: results.append(cues.near(0, len(sentence), start, end))))
    assert results[0] == results[1]
    assert {family: cue.text for family, cue in results[0].items()} == {
        "metric": "net outflow", "period": "this week", "rank": "largest"}
    assert reads[0] == reads[1], reads


def test_looking_up_a_numbers_direction_word_reads_only_its_clause():
    sentence = "IJR fell 1.2% on the day; SPY rose 0.4%. "
    start = sentence.index("1.2%")
    end = start + len("1.2%")
    results, reads = [], []
    for repeat in (2, 1000):
        directions = attribution._Directions(sentence * repeat)
        directions.words = _CountingList(directions.words)
        a, b = directions.clause(0, len(sentence), start, end)
        reads.append(_reads(lambda: results.append(directions.in_clause(a, b, start, end))))
    assert results[0] == results[1] == (-1, "fell")
    assert reads[0] == reads[1], reads


def test_ticker_mentions_inside_names_are_left_out_in_linear_time():
    # the name "iShares Core 500 Fund" holds the ticker CORE: inside a name the ticker is no mention of its
    # own (the name is), outside it is; finding that out per mention must not walk every name of the text
    doc = {"ticker": "IJR", "facts": {"a": {"ticker": "CORE", "name": "iShares Core 500 Fund",
                                            "x": {"value": 1.5, "kind": "pct", "ticker": "CORE"}}}}
    index = FactIndex.from_doc(doc)
    calls = []
    for names in (500, 2000):
        text = "iShares CORE 500 Fund rose; CORE rose. " * names
        found = []
        calls.append(_calls(lambda: found.append(attribution._prepare(text, index))))
        scan, mentions = found[0]
        assert [(text[a:b], t) for a, b, t in mentions[:2]] == [("iShares CORE 500 Fund", "CORE"), ("CORE", "CORE")]
        assert len(mentions) == 2 * names
        assert scan[:39] == " " * 21 + " rose;      rose. "
    assert calls[1] < 4.4 * calls[0], calls


# --------------------------------------------------------------------------- a long note, checked right


def test_a_long_note_reports_every_copys_numbers_and_the_planted_error(real_note):
    markdown, doc = real_note
    index = FactIndex.from_doc(doc)
    single = "\n\n".join(_paragraphs(markdown)) + "\n"
    one = check_note(single, index)
    assert len(one.findings) > 50 and one.ok  # the real note: every number matched

    copies = 200  # about a megabyte
    long = _long_note(markdown, copies)
    assert len(long) > 900_000
    # plant one error in the last copy: the lede's flow, $399.4 million, becomes $399.7 million
    at = long.rindex("$399.4 million")
    planted = long[:at] + "$399.7 million" + long[at + len("$399.4 million"):]
    report = check_note(planted, index)

    assert len(report.findings) == copies * len(one.findings)
    bad = report.unsupported
    assert [(f.start, f.end, f.text, f.reason) for f in bad] == [
        (at, at + 14, "$399.7 million", "no fact with this value within the rounding shown")]
    # every other number is what it is in the single note, at its place in its copy
    step = len(single) + 1  # the copies are joined with a blank line
    expected = [(f.start + k * step, f.text, f.matched, f.ticker) for k in range(copies) for f in one.findings]
    got = [(f.start, f.text, f.matched, f.ticker) for f in report.findings]
    assert [g for g in got if g[0] != at] == [e for e in expected if e[0] != at]


# --------------------------------------------------------------------------- the folded cue scan


def test_folding_equates_exactly_what_ignoring_case_equates():
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    folded = _ascii_folded(everything)
    assert folded is not None and len(folded) == len(everything)

    def at(pattern, text, flags=0):
        return [m.start() for m in re.finditer(pattern, text, flags)]

    # a character folds onto an ASCII letter exactly when ignoring case equates it with one, and onto
    # that letter
    letters = at("[a-z]", everything, re.I)
    assert letters == at("[a-z]", folded)
    assert all(re.fullmatch(folded[p], everything[p], re.I) for p in letters)
    assert "".join(everything[p] for p in letters if not everything[p].isascii()) == "\u0130\u0131\u017f\u212a"
    # word characters, digits and spaces stay what they are; only cased characters change, into cased ones
    # (the patterns' other characters, ASCII or not, are caseless: they match the same before and after)
    for cls in (r"\w", r"\d", r"\s"):
        assert at(cls, everything) == at(cls, folded), cls
    changed = [p for p in range(len(everything)) if everything[p] != folded[p]]
    assert len(changed) > 1000
    assert all(c.lower() != c.upper() for p in changed for c in (everything[p], folded[p]))


def test_a_text_whose_lowering_moves_positions_is_not_folded():
    assert _ascii_folded("ŞİMDİ İJR") == "şimdi ijr"  # İ is folded by hand, keeping its place
    assert _ascii_folded("Straße") == "straße"
    assert _ascii_folded("\u1e9e") == "ß"  # capital sharp s lowers to one character
    assert _ascii_folded("\u0130\u0307") == "i\u0307"


def test_lowered_source_keeps_escapes_group_names_and_caseless_characters():
    assert _lowered_source(r"(?P<gN>\d+)[- ]Week\b|YTD|No\. ?1|\S–\W") == r"(?P<gN>\d+)[- ]week\b|ytd|no\. ?1|\S–\W"
    with pytest.raises(ValueError):
        _lowered_source("(?i:ytd)")
    with pytest.raises(ValueError):
        _lowered_source("Ärger")


@pytest.mark.parametrize("pattern, first", [
    ("on the day", {"o"}),
    (r"(?:this|the|a) week(?!s\b)", {"t", "a"}),
    (r"(?<!last )(?P<n>\d+)[- ]week", {DIGIT}),
    (r"(?:\d+-day )?average", {DIGIT, "a"}),
    (r"(?:price )?returns?", {"p", "r"}),
    ("1-day", {DIGIT}),
    (r"z-?score", {"z"}),
    (r"[-x]y", {"-", "x"}),
    (r"within(?= [\d.]+)", {"w"}),
    (r"\w+", None),      # any word character: cannot tell
    ("a?", None),         # can match the empty string
    ("(?i:a)", None),     # flags switched inside
    ("[^a]b", None),
])
def test_the_characters_a_pattern_can_start_with(pattern, first):
    assert _first_chars(pattern) == (frozenset(first) if first is not None else None)


def _cues_plain(scan: str) -> list[meaning.Cue]:
    """The cues as the reference pattern (case ignored) finds them."""
    out = []
    rx = meaning._CUES
    for m in rx.finditer(scan):
        g = m.lastgroup
        family, row = meaning._CUE_NAMES[g]
        n = m.group(g + "n") if (g + "n") in rx.groupindex else None
        if n is None and (g + "m") in rx.groupindex:
            n = m.group(g + "m")
        out.append(meaning.Cue(m.start(), m.end(), family, row, m.group(0), n))
    return out


CUE_PIECES = [
    "on the day", "In the last session", "TODAY", "year-to-date", "YTD", "ytd", "so far this year",
    "this week", "The Week's", "past month", "month-end", "quarterly", "4-week", "after 6 weeks", "after 3",
    "20 sessions", "20-trading-day", "10 days", "last 10 days", "net outflows", "NET INFLOW", "last trade",
    "average daily dollar volume", "20-day ADV", "adv", "of volume", "a day", "of its assets", "of the fund",
    "of AUM", "in assets", "percentile", "z-score", "zscore", "Standard Deviation", "sigma", "shares outstanding",
    "expense ratio", "fees", "realized volatility", "momentum", "median return", "total return", "on price",
    "returns", "in a row", "consecutive", "earlier weeks", "of them", "52-week high", "low", "range",
    "short of it", "within 0.4% of it", "within 1.2 percentage points of it", "past it", "past the stress level",
    "largest", "Biggest", "record", "smallest", "topping the leaderboard", "ranked No. 1", "ranked no.1",
    "leads the inflows", "at the top of the leaderboard",
    "year to date", "so far this year", "52 week", "Shares Outstanding", "on the day", "realized volatility",
    "expense ratio", "\u0130n a row", "\u017fmallest", "\u0131n assets", "\u212aey", "ſo far this year", "lar\u017fe\u017ft",
    "é", "ß", "\u1e9e", "\u0130\u0307", "-", "—", "'", "’", "s", "end",
]
CUE_TEXT = st.lists(st.one_of(st.sampled_from(CUE_PIECES), st.sampled_from([" ", " ", "  ", "\n", "", "-", ","]),
                              st.text(alphabet="aeiklnrsStwW0159-' ", max_size=4)), max_size=30).map("".join)


@settings(max_examples=500, deadline=None)
@given(CUE_TEXT)
@example("YTD, \u0130n the last session and ſo far this year: 20-trading-day ADV, ranked No. 1, after 6 weeks")
@example("The week-end; the Weeks; \u0130\u0307n a row")
def test_the_folded_cue_scan_finds_what_the_plain_pattern_finds(text):
    assert meaning.Cues(text).cues == _cues_plain(text)
    # and the words that pick a fact by name, searched in a folded clause
    folded = _ascii_folded(text)
    if folded is not None:
        assert [bool(rx.search(folded)) for rx, _ in checker._CUES_FOLDED] == \
            [bool(rx.search(text)) for rx, _ in checker._CUES]
