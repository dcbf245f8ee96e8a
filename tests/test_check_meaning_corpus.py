"""The checker against meaning-changing edits of real generated notes (see tests/meaning_corpus.py).

Targets: at least 95% of planted edits caught; no false alarm on any clean note or meaning-preserving rewording.
"""

from __future__ import annotations

import pytest

from .conftest import MARKET, SAMPLES
from .corpus import clean_notes
from .meaning_corpus import KINDS, measure

MIN_CATCH_RATE = 0.95
MARKET_DATES = ["2026-04-02", "2026-03-20", None]


def _assert_targets(tally, label: str) -> None:
    figures = f"{label}: " + " | ".join(tally.lines())
    print("\n" + "\n".join([f"{label} (meaning edits)"] + tally.lines()))
    assert not tally.false_alarms, figures + "\nfalse alarms: " + "; ".join(
        f"{k}: {w}" for k, w in tally.false_alarms[:10])
    assert tally.total_planted >= 50, figures
    for kind in KINDS:
        assert tally.planted.get(kind, 0) > 0, f"no {kind} edits planted. " + figures
    assert tally.catch_rate >= MIN_CATCH_RATE, figures + "\nmissed: " + "; ".join(
        f"{m.key} {m.kind} {m.what}" for m in tally.missed[:15])


def test_meaning_edits_in_sample_notes():
    _assert_targets(measure(clean_notes([(SAMPLES, [None])])), "sample notes")


def test_meaning_edits_in_real_data_notes():
    if not (MARKET / "prices").is_dir():
        pytest.skip(f"real market data not found at {MARKET} (../shared/data is not beside this checkout)")
    _assert_targets(measure(clean_notes([(MARKET, MARKET_DATES)])), "real-data notes")
