"""The checker at scale: a long note costs in proportion to its length, and is checked as its parts are.

No timings here (benchmarks/bench_check.py reports speed). Instead: the work a check does, counted as
function calls, grows with the note and no faster; the per-number lookups touch as many items however
long the text; and a note made of many copies
of a real note reports every copy's numbers as the single note does, including one planted error at the end.
"""

from __future__ import annotations

import sys

import pytest
from notewriter.check import FactIndex, attribution, check_note, meaning


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
