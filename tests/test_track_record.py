"""The Contrarian section's citation of the track record: its numbers by hand from the CSVs, checked, point in
time, and absent without a store."""

from __future__ import annotations

import csv
import json
from datetime import date

import pytest
from click.testing import CliRunner

from notewriter.check import check_note
from notewriter.cli import main
from notewriter.track.calls import Call
from notewriter.track.store import TrackStore

from .conftest import SAMPLES

NOTE_DATE = "2024-06-28"   # IJR's weekly note: a net outflow
COUNTED = ("2023-01-06", "2023-03-03", "2023-04-28", "2023-06-23", "2023-08-18", "2023-10-13")  # 40 sessions apart


def _call(day: str, direction: str = "down", window: str = "1w", ticker: str = "IJR") -> Call:
    return Call(ticker=ticker, category="Small Blend", as_of=date.fromisoformat(day), window=window,
                call_type="flow_signal", direction=direction, label="outflow (unusual)", flow_usd=-4e8,
                benchmark="SPY", entry="next_open")


def _rose_after_30_sessions(day: str) -> bool:
    """From prices/IJR.csv: the close 30 rows after the call's row against the open of the row after it."""
    with open(SAMPLES / "prices" / "IJR.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    i = next(k for k, r in enumerate(rows) if r["Date"] == day)
    return float(rows[i + 30]["Close"]) > float(rows[i + 1]["Open"])


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "track.sqlite"
    with TrackStore(path) as st:
        st.put_calls([_call(d) for d in COUNTED] + [
            _call("2023-01-13"),                    # inside the first call's 30 sessions: overlapping
            _call("2024-06-07"),                    # its 30 sessions end after the note's date: not due
            _call("2024-07-05"),                    # after the note's date
            _call("2023-12-01", direction="up"),    # an inflow call: the note is about an outflow
            _call("2023-12-08", window="1d"),       # another window's call
        ], "test")
    return path


def _write(*extra: str) -> CliRunner:
    return CliRunner().invoke(main, ["write", "IJR", "--as-of", NOTE_DATE, *extra])


def test_note_cites_the_record_computed_by_hand(store):
    reversals = sum(_rose_after_30_sessions(d) for d in COUNTED)
    r = _write("--track-store", str(store), "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    rec = doc["facts"]["track_record"]
    assert rec["scope"] == "fund" and rec["direction"] == "outflow"
    assert (rec["cases"]["value"], rec["reversals"]["value"], rec["since"]["value"]) == (6, reversals, "2023-01-06")
    assert rec["horizon_sessions"]["value"] == 30
    text = doc["sections"]["contrarian_angle"]["text"]
    share = round(100 * reversals / 6)
    assert (f"In these notes' own track record, IJR was higher 30 sessions after {reversals} of the 6 net "
            f"outflows its notes flagged as unusually large since January 6, 2023 ({share}%).") in text
    assert doc["check"]["ok"]
    cited = {c["id"] for c in doc["claims"]}
    assert {"track_record.cases", "track_record.reversals", "track_record.since",
            "track_record.reversal_share"} <= cited


def test_changed_record_numbers_are_caught(store):
    r = _write("--track-store", str(store), "--format", "json")
    doc = json.loads(r.output)
    facts = {"ticker": "IJR", "facts": doc["facts"], "sentiment": doc["sentiment"]}
    md = doc["markdown"]
    assert check_note(md, facts, "IJR").ok
    for old, new in (("of the 6 net", "of the 61 net"), ("since January 6, 2023", "since January 9, 2023"),
                     ("higher 30 sessions", "higher 33 sessions")):
        assert old in md
        report = check_note(md.replace(old, new), facts, "IJR")
        assert not report.ok, new


def test_without_a_store_or_a_record_the_note_is_unchanged(store, tmp_path):
    plain = _write()
    assert plain.exit_code == 0
    assert "track record" not in plain.output
    empty = tmp_path / "empty.sqlite"
    TrackStore(empty).close()
    assert _write("--track-store", str(empty)).output == plain.output


def test_the_setting_names_the_store(store, monkeypatch):
    monkeypatch.setenv("NOTEWRITER_TRACK_STORE", str(store))
    r = _write()
    assert r.exit_code == 0 and "In these notes' own track record, IJR" in r.output
    monkeypatch.setenv("NOTEWRITER_TRACK_STORE", str(store) + ".missing")
    r = _write()
    assert r.exit_code == 2 and "does not exist" in r.output


def test_category_record_when_the_fund_has_too_few(tmp_path):
    path = tmp_path / "track.sqlite"
    with TrackStore(path) as st:  # IWM shares IJR's category; IJR itself has two calls
        st.put_calls([_call(d, ticker="IWM") for d in COUNTED[:4]] + [_call(d) for d in COUNTED[4:]], "test")
    r = _write("--track-store", str(path), "--format", "json")
    doc = json.loads(r.output)
    assert doc["facts"]["track_record"]["scope"] == "category"
    assert doc["facts"]["track_record"]["cases"]["value"] == 6
    assert "funds in the Small Blend category were higher 30 sessions after" in doc["markdown"]
    assert doc["check"]["ok"]


def test_batch_notes_cite_the_record(store, tmp_path):
    from notewriter.batch import run_batch
    from notewriter.pipeline import open_source

    out = tmp_path / "out"
    result = run_batch(open_source(SAMPLES), NOTE_DATE, "1w", out, formats=("md",), tickers=["IJR", "SPY"],
                       digest=False, progress=False, track_store=store)
    assert result.exit_code == 0
    assert "In these notes' own track record, IJR was higher 30 sessions after" in (out / "md" / "IJR.md").read_text()
    assert "track record" not in (out / "md" / "SPY.md").read_text()  # the store has no calls on SPY
