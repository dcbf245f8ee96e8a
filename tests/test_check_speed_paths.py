"""The checker's faster paths give the same reports as the plain call (no timing here: see
benchmarks/bench_check.py)."""

from __future__ import annotations

from notewriter.check import FactIndex, check_note

from .conftest import SAMPLES
from .corpus import clean_notes
from .test_check import DOC, LEDE


def test_a_reused_fact_index_gives_the_same_report_as_the_document():
    index = FactIndex.from_doc(DOC)
    texts = [LEDE, LEDE.replace("outflow", "inflow"), "IWM took in $399.4 million.",
             "Invesco QQQ Trust (QQQ) took in $1.5 billion while IJR lost $399.4 million.",
             "<html><body><p>" + LEDE + "</p></body></html>"]
    for text in texts:
        for default in (None, "IWM"):
            assert check_note(text, index, default).as_dict() == check_note(text, DOC, default).as_dict()


def test_sample_notes_check_the_same_with_an_index():
    for note in clean_notes([(SAMPLES, [None])])[:5]:
        index = FactIndex.from_doc(note.doc)
        assert check_note(note.markdown, index).as_dict() == check_note(note.markdown, note.doc).as_dict()
