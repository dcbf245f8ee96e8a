"""Every fund in the samples and in the real data gets a complete, checked note in every format."""

from __future__ import annotations

import json
import re

import pytest

from notewriter import DataDirSource, check_note, render_as, write_note
from notewriter.kinds.fund import SECTION_KEYS

from .conftest import MARKET, SAMPLES

FORMATS = ("md", "html", "txt", "json")
BAD = re.compile(r"\b(nan|NaN|None|null|undefined|Undefined)\b|\{\{|\}\}|\{%")


def _funds(root):
    return DataDirSource(root).funds() if (root / "prices").is_dir() else []


_sources: dict = {}


def _source(root):
    if root not in _sources:
        _sources[root] = DataDirSource(root)
    return _sources[root]


def _assert_complete(note, root):
    doc = json.loads(json.dumps(note.facts_document()))
    # a section with nothing specific to say is left out; one that is printed says something
    for key in SECTION_KEYS:
        text = note.section(key).text
        assert not text or len(text.split()) >= 6, f"{note.ticker}: section {key} is nearly empty: {text!r}"
        assert bool(text) is (f"## {note.section(key).title}\n" in note.markdown) or key == "lede", key
    for key in ("lede", "market_structure", "key_catalysts"):
        assert len(note.section(key).text.split()) >= 12, f"{note.ticker}: section {key} is nearly empty"
    for fmt in FORMATS:
        out = render_as(note, fmt)
        assert not BAD.search(out), f"{note.ticker} {fmt}: {BAD.search(out).group(0)!r} in output"
        if fmt == "md":
            for line in out.splitlines():
                assert line == line.rstrip(), f"{note.ticker}: trailing whitespace in {line!r}"
                assert line.startswith("|") or "  " not in line, f"{note.ticker}: stray spaces in {line!r}"
        if fmt != "json":
            report = check_note(out, doc)
            assert report.ok, f"{note.ticker} {fmt}: " + "; ".join(
                f"{f.text!r} {f.reason}" for f in report.unsupported)


@pytest.mark.parametrize("ticker", _funds(SAMPLES))
def test_every_sample_fund(ticker):
    note = write_note(ticker, None, "1w", _source(SAMPLES))
    _assert_complete(note, SAMPLES)
    assert "Sample note" in note.footer and "not real market data" in note.footer


@pytest.mark.parametrize("window", ["1d", "1m", "ytd"])
def test_other_windows_on_samples(window):
    for ticker in ("IJR", "GLD", "XLE"):
        _assert_complete(write_note(ticker, None, window, _source(SAMPLES)), SAMPLES)


@pytest.mark.parametrize("ticker", _funds(MARKET) or ["(absent)"])
def test_every_real_etf(ticker, market):
    src = _source(market)
    _assert_complete(write_note(ticker, None, "1w", src), market)


@pytest.mark.parametrize("as_of", ["2026-04-02", "2026-03-20", "2026-01-15"])
def test_real_etfs_when_flows_exist(as_of, market):
    """Dates inside the vendor-flow and share-count ranges, so the flow sections are exercised."""
    src = _source(market)
    for ticker in src.funds():
        _assert_complete(write_note(ticker, as_of, "1w", src), market)
