"""`notewriter check` refuses what it cannot read in one line, exit 2; exit 3 is left for bugs. And a
command whose reader goes away (`notewriter funds | head -1`) stops quietly."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notewriter.check import check_note
from notewriter.cli import main

from .conftest import ROOT, write_fund


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """IJR's note in every format, and the facts of IJR and of SPY (bundled samples)."""
    folder = tmp_path_factory.mktemp("notes")
    for fmt in ("md", "html", "txt", "json"):
        assert run("write", "IJR", "--format", fmt, "--out", folder / f"ijr.{fmt}")[0] == 0
    for ticker in ("IJR", "SPY"):
        assert run("facts", ticker, "--out", folder / f"{ticker.lower()}-facts.json")[0] == 0
    return folder


# --------------------------------------------------------------------------- nothing to check


@pytest.mark.parametrize("content", ["", "   \n\t\n  ", json.dumps({"ticker": "IJR", "markdown": " \n"})],
                         ids=["empty", "whitespace", "json-note-without-text"])
def test_a_note_without_text_is_exit_2(written, tmp_path, content):
    note = tmp_path / ("note.json" if content.startswith("{") else "note.md")
    note.write_text(content)
    code, out, err = run("check", note, "--facts", written / "ijr-facts.json")
    assert (code, out, err) == (2, "", f"notewriter: {note}: no text to check\n")


# --------------------------------------------------------------------------- another fund's facts


@pytest.mark.parametrize("fmt", ["md", "html", "txt", "json"])
def test_another_funds_facts_are_exit_2_naming_both(written, fmt):
    note, facts = written / f"ijr.{fmt}", written / "spy-facts.json"
    code, out, err = run("check", note, "--facts", written / "ijr-facts.json")
    assert (code, err) == (0, ""), out  # against its own facts, every number is supported
    code, out, err = run("check", note, "--facts", facts)
    assert (code, out) == (2, "")
    assert err == (f"notewriter: these facts are for SPY; the note is about IJR ({facts}, {note}); "
                   "check it against 'notewriter facts IJR'\n")


def test_a_line_that_names_no_fund_of_the_note_is_no_title(written, tmp_path):
    # an editor's "NOTE:" in front is no ticker the note speaks of; the title below it still is
    note = tmp_path / "edited.md"
    note.write_text("NOTE: draft for review\n\n" + (written / "ijr.md").read_text())
    code, out, err = run("check", note, "--facts", written / "spy-facts.json")
    assert (code, out) == (2, "") and "the note is about IJR" in err
    # without a title the note names no fund of its own: its numbers are checked against the facts given
    note.write_text("NOTE: draft for review\n\nIJR saw an estimated $399.4 million net outflow this week.\n")
    code, out, err = run("check", note, "--facts", written / "spy-facts.json")
    assert (code, err) == (1, "")
    assert out.splitlines()[-1] == "1 numbers, 1 unsupported"


# --------------------------------------------------------------------------- files check cannot read


NOTE_EXPECTED = ("a note in UTF-8 text (Markdown, HTML or plain text, or the JSON of "
                 "'notewriter write --format json')")
FACTS_EXPECTED = "the JSON object printed by 'notewriter facts'"


def test_a_binary_note_is_exit_2_naming_the_file(written, tmp_path):
    note = tmp_path / "chart.md"
    note.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
    code, out, err = run("check", note, "--facts", written / "ijr-facts.json")
    assert (code, out) == (2, "")
    assert err == f"notewriter: {note}: expected {NOTE_EXPECTED}; this is a binary file\n"


def test_a_latin1_note_is_exit_2_naming_the_file_and_the_byte(written, tmp_path):
    note = tmp_path / "latin1.md"
    note.write_bytes("IJR fell 1.2% on the day, caf\u00e9 talk aside.\n".encode("latin-1"))
    code, out, err = run("check", note, "--facts", written / "ijr-facts.json")
    assert (code, out) == (2, "")
    assert err == (f"notewriter: {note}: expected {NOTE_EXPECTED}; byte 0xe9 at offset 29 is not UTF-8 "
                   "(latin-1 or another encoding? save it as UTF-8)\n")


@pytest.mark.parametrize("content, got", [
    (b"[]", "got a list"),
    (b'"IJR"', "got a string"),
    (b"42", "got a number"),
    (b"null", "got null"),
    (b'{"ticker": "IJR"}', 'got one with no "facts"'),
    (b'{"ticker": "IJR", "facts": []}', 'got one with "facts" as a list'),
], ids=["list", "string", "number", "null", "no-facts", "facts-list"])
def test_facts_that_are_no_facts_object_are_exit_2(written, tmp_path, content, got):
    facts = tmp_path / "facts.json"
    facts.write_bytes(content)
    code, out, err = run("check", written / "ijr.md", "--facts", facts)
    assert (code, out) == (2, "")
    expected = f"expected {FACTS_EXPECTED} (an object with a \"facts\" object)" if "one with" in got else \
        f"expected {FACTS_EXPECTED}"
    assert err == f"notewriter: {facts}: {expected}, {got}\n"


def test_facts_in_another_encoding_or_empty_are_exit_2(written, tmp_path):
    facts = tmp_path / "facts.json"
    facts.write_bytes(json.dumps({"ticker": "IJR", "facts": {"name": "Caf\u00e9"}}, ensure_ascii=False).encode("latin-1"))
    code, _, err = run("check", written / "ijr.md", "--facts", facts)
    assert (code, err) == (2, f"notewriter: {facts}: expected {FACTS_EXPECTED}; byte 0xe9 at offset 40 is not "
                              "UTF-8 (latin-1 or another encoding? save it as UTF-8)\n")
    facts.write_bytes(b" \n")
    code, _, err = run("check", written / "ijr.md", "--facts", facts)
    assert (code, err) == (2, f"notewriter: {facts}: expected {FACTS_EXPECTED}; the file is empty\n")


# --------------------------------------------------------------------------- odd facts are no crash


KEYS = ["facts", "value", "kind", "ticker", "name", "category", "family", "data_label", "sentiment",
        "ticker_sentiment", "claims", "id", "metric", "period", "label", "start", "end", "window", "inflows",
        "outflows", "rank", "largest_same_sign", "change", "score", "relevance", "config", "sectors", "flow",
        "as_of", "zscore", "range_weeks", "history"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                    st.sampled_from(["", "IJR", "SPY", "usd", "pct", "date", "count", "2025-10-31", "2025-13-45", "1w",
                                     "ytd", "tech", "iShares Core 500"]))
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                            st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)),
                           max_leaves=40)
NOTE = ("IJR saw a $399.4 million net outflow this week, the largest in 50 weeks; SPY rose 1.2% year to date "
        "(tech 3.1%). On 2025-10-31 it ranked 8th over 20 sessions.")


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.dictionaries(st.sampled_from(KEYS), JSON_VALUES, max_size=8))
def test_a_facts_object_of_any_shape_is_read_without_crashing(doc):
    # parts of the wrong type (a ticker that is a list, a window that is a number, ranks that are text)
    # are no facts; the checker reports what it can and raises nothing
    report = check_note(NOTE, doc)
    # (a name or ticker in the document masks what it spells, so some may not be read as numbers)
    assert {f.text for f in report.findings} <= {"$399.4 million", "50", "1.2%", "3.1%", "2025-10-31", "8th", "20"}


# --------------------------------------------------------------------------- a reader that goes away


def test_funds_into_a_closed_pipe_stops_quietly(tmp_path):
    # more lines than a pipe holds, so the command is still writing when its reader closes the pipe
    (tmp_path / "prices").mkdir()
    for i in range(600):
        ticker = f"F{i:04d}"
        (tmp_path / "prices" / f"{ticker}.csv").write_text("Date,Close\n")
        write_fund(tmp_path, ticker, longName="Fund " + "x" * 150, category="Test Blend")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "notewriter", "funds", "--data", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    first = proc.stdout.readline()
    proc.stdout.close()  # what `head -1` does after its line
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=120)
    assert first.startswith(b"F0000\tFund xxx")
    assert (code, err) == (141, "")


def test_output_gone_tells_a_closed_pipe_from_an_open_one(monkeypatch):
    from notewriter import cli_base as cli

    read, write = os.pipe()
    out = os.fdopen(write, "w")
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", out)
    try:
        assert cli._output_gone() is False
        os.close(read)
        assert cli._output_gone() is True
    finally:
        monkeypatch.undo()
        out.close()
