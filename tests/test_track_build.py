"""track build then track score, end to end, on the bundled samples and the real data; point in time."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from notewriter.cli import main
from notewriter.sources.local import DataDirSource
from notewriter.track.build import call_dates
from notewriter.track.prices import PriceBook
from notewriter.track.score import outcomes
from notewriter.track.store import TrackStore

from .conftest import SAMPLES


def _build(data: Path, store: Path, start: str, end: str, window: str = "1w") -> None:
    r = CliRunner().invoke(main, ["track", "build", "--data", str(data), "--from", start, "--to", end,
                                  "--window", window, "--store", str(store)])
    assert r.exit_code == 0, r.output


def _rows(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def _by_hand(data: Path, ticker: str, as_of: date, h: int) -> float:
    """From the CSV: the open of the row after the call's date, the close h rows after it (every session has a
    row in these files, so a row is a session)."""
    rows = _rows(data / "prices" / f"{ticker}.csv")
    i = next(k for k, r in enumerate(rows) if r["Date"] == as_of.isoformat())
    return float(rows[i + h]["Close"]) / float(rows[i + 1]["Open"]) - 1


def test_call_dates_weekly_and_monthly():
    # the week of Good Friday 2024 ends on Thursday March 28; a range ending mid-week ends on its last session
    assert [d.date().isoformat() for d in call_dates(date(2024, 3, 18), date(2024, 4, 3), "1w")] == [
        "2024-03-22", "2024-03-28", "2024-04-03"]
    assert [d.date().isoformat() for d in call_dates(date(2024, 1, 1), date(2024, 3, 31), "1m")] == [
        "2024-01-31", "2024-02-29", "2024-03-28"]
    assert len(call_dates(date(2024, 1, 1), date(2024, 1, 31), "1d")) == 21


def test_samples_end_to_end_and_three_calls_recomputed_from_the_csvs(tmp_path):
    store = tmp_path / "track.sqlite"
    _build(SAMPLES, store, "2024-01-01", "2024-04-30")
    r = CliRunner().invoke(main, ["track", "score", "--store", str(store), "--as-of", "2024-09-30", "--format",
                                  "json", "--by", "call_type"])
    assert r.exit_code == 0, r.output
    result = json.loads(r.output)
    types = {row["call_type"] for row in result["rows"]}
    assert {"sentiment", "trade_direct", "flow_signal"} <= types
    assert result["pending"] == 0 and result["calibration"]
    with TrackStore(store) as st:
        calls = st.calls()
        assert st.meta("benchmark") == "SPY"
    # every fund of the samples with prices made a sentiment call on each of the 18 weekly dates
    funds = DataDirSource(SAMPLES).funds()
    assert sum(1 for c in calls if c.call_type == "sentiment") == 18 * len(funds)
    assert {c.entry for c in calls} == {"next_open"}
    items, _ = outcomes(calls, PriceBook(DataDirSource(SAMPLES), date(2024, 9, 30)), date(2024, 9, 30))
    picked = [o for o in items if o.call.call_type == "flow_signal" and o.horizon == 10][:1] + \
             [o for o in items if o.call.call_type == "sentiment" and o.call.ticker == "IJR" and o.horizon == 21][:1] + \
             [o for o in items if o.call.call_type == "sentiment" and o.call.ticker == "SPY" and o.horizon == 5][:1]
    assert len(picked) == 3
    for o in picked:
        assert o.ret == pytest.approx(_by_hand(SAMPLES, o.call.ticker, o.call.as_of, o.horizon), rel=1e-9)
        if o.call.ticker != "SPY":
            assert o.bench == pytest.approx(_by_hand(SAMPLES, "SPY", o.call.as_of, o.horizon), rel=1e-9)


def _shift_after(src: Path, dst: Path, day: pd.Timestamp) -> None:
    """A copy of a data directory with every price, share count and vendor flow dated after `day` changed."""
    shutil.copytree(src, dst)
    for path in (dst / "prices").glob("*.csv"):
        frame = pd.read_csv(path)
        later = pd.to_datetime(frame["Date"]) > day
        for col in ("Open", "High", "Low", "Close", "AdjClose"):
            if col in frame:
                frame.loc[later, col] = frame.loc[later, col] * 0.7
        frame.to_csv(path, index=False)
    shares = pd.read_csv(dst / "shares.csv")
    later = pd.to_datetime(shares["date"]) > day
    shares.loc[later, "shares_outstanding"] = (shares.loc[later, "shares_outstanding"] * 1.3).round().astype("int64")
    shares.to_csv(dst / "shares.csv", index=False)
    flows = pd.read_csv(dst / "flows.csv")
    later = pd.to_datetime(flows["date"]) > day
    flows.loc[later, "flow_usd"] = flows.loc[later, "flow_usd"] * -2
    flows.to_csv(dst / "flows.csv", index=False)


def test_changing_the_data_after_a_date_changes_no_call_made_by_then(tmp_path):
    day = pd.Timestamp("2024-03-08")
    moved = tmp_path / "moved"
    _shift_after(SAMPLES, moved, day)
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    _build(SAMPLES, a, "2024-02-01", "2024-03-29")
    _build(moved, b, "2024-02-01", "2024-03-29")

    def calls(path, until=None):
        with TrackStore(path) as st:
            return [c.model_dump() for c in st.calls(until=until)]

    before = calls(a, day.date())
    assert before and before == calls(b, day.date())
    assert calls(a) != calls(b)  # the change is one the calls after the date do see


def test_build_errors(tmp_path):
    r = CliRunner().invoke(main, ["track", "build", "--from", "2024-03-01", "--to", "2024-02-01", "--store",
                                  str(tmp_path / "t.sqlite")])
    assert r.exit_code == 2 and "--from 2024-03-01 is after --to 2024-02-01" in r.output
    r = CliRunner().invoke(main, ["track", "build", "--from", "2024-02-01", "--to", "2024-03-01", "--store",
                                  str(tmp_path / "t.sqlite"), "--benchmark", "NOPE"])
    assert r.exit_code == 2 and "benchmark NOPE has no prices" in r.output
    r = CliRunner().invoke(main, ["track", "build", "--from", "2024-02-01", "--to", "2024-03-01", "--store",
                                  str(tmp_path / "missing" / "t.sqlite")])
    assert r.exit_code == 2 and "does not exist" in r.output


def test_real_data_end_to_end(market, tmp_path):
    store = tmp_path / "track.sqlite"
    _build(market, store, "2026-01-02", "2026-03-20")
    r = CliRunner().invoke(main, ["track", "score", "--store", str(store), "--as-of", "2026-05-01", "--format",
                                  "json", "--by", "call_type"])
    assert r.exit_code == 0, r.output
    result = json.loads(r.output)
    assert {"sentiment", "flow_signal"} <= {row["call_type"] for row in result["rows"]}
    with TrackStore(store) as st:
        calls = st.calls()
    items, _ = outcomes(calls, PriceBook(DataDirSource(market), date(2026, 5, 1)), date(2026, 5, 1))
    picked = [o for o in items if o.call.call_type == "flow_signal" and o.horizon == 21][:1] + \
             [o for o in items if o.call.ticker == "IWM" and o.call.call_type == "sentiment" and o.horizon == 5][:1] + \
             [o for o in items if o.call.ticker == "GLD" and o.call.call_type == "sentiment" and o.horizon == 30][:1]
    assert len(picked) == 3
    for o in picked:
        assert o.ret == pytest.approx(_by_hand(market, o.call.ticker, o.call.as_of, o.horizon), rel=1e-9)


def test_a_fund_with_a_bad_price_file_makes_no_calls_and_the_others_do(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SAMPLES, data)
    path = data / "prices" / "XLF.csv"
    lines = path.read_text().splitlines()
    lines[5] = "2022-01-10,oops," + lines[5].split(",", 2)[2]
    path.write_text("\n".join(lines) + "\n")
    store = tmp_path / "t.sqlite"
    r = CliRunner().invoke(main, ["track", "build", "--data", str(data), "--from", "2024-03-04", "--to", "2024-03-08",
                                  "--store", str(store)])
    assert r.exit_code == 1
    bad = [line for line in r.output.splitlines() if "XLF made no calls" in line]
    assert len(bad) == 1 and "prices/XLF.csv, row 6" in bad[0] and "'Open'" in bad[0]
    with TrackStore(store) as st:
        tickers = {c.ticker for c in st.calls()}
    assert "XLF" not in tickers and {"IJR", "SPY"} <= tickers


def test_the_record_keeps_the_calls_each_document_states(tmp_path):
    """The calls track build records for a date are the `calls` of the notes written for that date."""
    store = tmp_path / "t.sqlite"
    _build(SAMPLES, store, "2024-06-24", "2024-06-28")
    with TrackStore(store) as st:
        got = [c.model_dump(exclude={"benchmark", "entry"}, mode="json") for c in st.calls(ticker="IJR")]
    r = CliRunner().invoke(main, ["write", "IJR", "--as-of", "2024-06-28", "--format", "json"])
    doc = json.loads(r.output)
    stated = doc["calls"]
    assert [{k: v for k, v in c.items() if v is not None} for c in got] == sorted(stated, key=lambda c: c["call_type"])
    # the calls agree with what the note prints: its sentiment label, its flow's sign, its Direct idea
    by_type = {c["call_type"]: c for c in stated}
    assert by_type["sentiment"]["label"] == doc["sentiment"]["label"]
    assert by_type["flow_signal"]["direction"] == ("down" if doc["facts"]["flow"]["net_usd"]["value"] < 0 else "up")
    direct = doc["sections"]["trade_implications"]["text"]
    assert by_type["trade_direct"]["label"] == "wait" and "does not justify a position" in direct


def _build_samples(store, *args):
    return CliRunner().invoke(main, ["track", "build", "--from", "2025-09-01", "--to", "2025-09-19",
                                     "--store", str(store), *args])


def test_a_store_belongs_to_its_data(tmp_path, monkeypatch):
    other = tmp_path / "other"
    shutil.copytree(SAMPLES, other)
    store = tmp_path / "t.sqlite"
    assert _build_samples(store).exit_code == 0
    with TrackStore(store) as st:
        assert st.meta("data") == str(SAMPLES.resolve())  # absolute, whatever the working folder
        before = len(st.calls())
    # another data directory into the same store: refused, nothing written
    r = _build_samples(store, "--data", str(other))
    assert r.exit_code == 2 and "write it to another store" in r.output
    with TrackStore(store) as st:
        assert len(st.calls()) == before and st.meta("data") == str(SAMPLES.resolve())
    # a note from other data does not cite this record, and says why
    r = CliRunner().invoke(main, ["write", "IJR", "--data", str(other), "--track-store", str(store)])
    assert r.exit_code == 2 and "a note cites only a record of its own data" in r.output
    r = CliRunner().invoke(main, ["batch", "--data", str(other), "--out", str(tmp_path / "out"),
                                  "--track-store", str(store)])
    assert r.exit_code == 2 and not (tmp_path / "out" / "current").exists()
    r = CliRunner().invoke(main, ["track", "score", "--store", str(store), "--as-of", "2025-10-31",
                                  "--data", str(other)])
    assert r.exit_code == 2 and "scored against their own data" in r.output
    # a relative --data is recorded as the folder it names
    monkeypatch.chdir(tmp_path)
    rel = tmp_path / "rel.sqlite"
    assert _build_samples(rel, "--data", "other").exit_code == 0
    with TrackStore(rel) as st:
        assert st.meta("data") == str(other.resolve())


@pytest.mark.parametrize("name", ["junk.sqlite", "trunc.sqlite", "missing.sqlite", "desk-only.sqlite"])
def test_a_track_store_that_is_no_track_store_is_exit_2(tmp_path, name):
    import sqlite3

    path = tmp_path / name
    if name == "junk.sqlite":
        path.write_text("not a database\n")
    elif name == "trunc.sqlite":
        assert _build_samples(path).exit_code == 0
        path.write_bytes(path.read_bytes()[:200])
    elif name == "desk-only.sqlite":
        sqlite3.connect(path).execute("CREATE TABLE documents (id INTEGER)").connection.close()
    r = CliRunner().invoke(main, ["write", "IJR", "--track-store", str(path)])
    assert r.exit_code == 2, r.output
    assert str(path) in r.output


def test_a_store_whose_name_has_url_characters_is_read_as_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = tmp_path / "run#1?a%20b.sqlite"
    assert _build_samples(store, "--from", "2023-01-06", "--to", "2025-10-24").exit_code == 0
    r = CliRunner().invoke(main, ["write", "IJR", "--as-of", "2025-10-31", "--track-store", str(store)])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("run#1")) == []  # no stray files
