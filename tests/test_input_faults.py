"""Faults in input files cost only the funds they touch, and nothing is dropped without a word.

Each case plants one fault into a copy of the real data (or of the samples) the way a broken vendor file
carries it: a malformed number in one fund's row of a shared file refuses that fund alone, naming the file
and the row; a short row, NUL bytes or an infinity in a price file refuses that fund; a blank Close is left
out and said; a peer or component refused for bad data is named in the notes that would have used it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from notewriter.cli import main
from notewriter.errors import DataError
from notewriter.pipeline import fund_facts, open_source, write_note

from .conftest import SAMPLES

TICKERS = ("EWZ", "SPY", "GLD", "TLT", "EWJ")
AS_OF = "2026-04-02"


def _copy(market: Path, root: Path, tickers=TICKERS) -> Path:
    (root / "prices").mkdir(parents=True)
    (root / "funds").mkdir()
    for t in tickers:
        shutil.copy(market / "prices" / f"{t}.csv", root / "prices")
        shutil.copy(market / "funds" / f"{t}.json", root / "funds")
    for name in ("shares.csv", "flows.csv"):
        frame = pd.read_csv(market / name, dtype=str, keep_default_na=False)
        frame[frame["ticker"].isin(tickers)].to_csv(root / name, index=False)
    return root


@pytest.fixture
def data(market, tmp_path) -> Path:
    return _copy(market, tmp_path / "planted" / "market")


@pytest.fixture
def without_gld(market, tmp_path) -> Path:
    return _copy(market, tmp_path / "clean" / "market", [t for t in TICKERS if t != "GLD"])


def _plant(path: Path, ticker: str, day: str, column: str, value: str) -> int:
    """Write `value` into `column` of the row of `ticker` dated `day`; returns its line in the file (header = 1)."""
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    for i, line in enumerate(lines):
        cells = line.split(",")
        if i and cells[header.index("ticker")] == ticker and cells[header.index("date")] == day:
            cells[header.index(column)] = value
            lines[i] = ",".join(cells)
            path.write_text("\n".join(lines) + "\n")
            return i + 1
    raise AssertionError(f"no {ticker} row dated {day} in {path}")


def _notes(data: Path, tickers, window="1w") -> dict[str, str]:
    return {t: write_note(t, AS_OF, window, open_source(data)).markdown for t in tickers}


def _batch(data: Path, out: Path, window="1w") -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["batch", "--data", str(data), "--as-of", AS_OF, "--window", window,
                                       "--out", str(out), "--formats", "md"])
    rows = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    return result.exit_code, {r["ticker"]: r for r in rows}


@pytest.mark.parametrize("name, column", [("shares.csv", "shares_outstanding"), ("flows.csv", "flow_usd")])
def test_a_bad_number_in_one_funds_row_of_a_shared_file_costs_only_that_fund(data, without_gld, tmp_path, name,
                                                                              column):
    line = _plant(data / name, "GLD", "2026-03-31", column, "12..5")
    with pytest.raises(DataError) as err:
        write_note("GLD", AS_OF, "1w", open_source(data))
    assert str(err.value).startswith(f"{data / name}, row {line}: expected ") and "'12..5'" in str(err.value)
    result = CliRunner().invoke(main, ["write", "GLD", "--data", str(data), "--as-of", AS_OF])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and f"row {line}" in result.output
    # the other funds' notes are byte for byte those of a data directory without GLD at all
    others = [t for t in TICKERS if t != "GLD"]
    assert _notes(data, others) == _notes(without_gld, others)
    code, rows = _batch(data, tmp_path / "out")
    assert code == 1 and rows["GLD"]["status"] == "failed" and f"{name}, row {line}" in rows["GLD"]["error"]
    assert all(rows[t]["status"] == "ok" for t in others) and rows["DIGEST"]["status"] == "ok"


def test_a_short_row_and_nul_bytes_in_shares_csv_refuse_the_funds_they_name(data, without_gld):
    path = data / "shares.csv"
    lines = path.read_text().splitlines()
    gld = next(i for i, x in enumerate(lines) if ",GLD," in x and x.startswith("2026-03-31"))
    spy = next(i for i, x in enumerate(lines) if ",SPY," in x and x.startswith("2026-03-31"))
    lines[gld] = "2026-03-31,GLD"  # cut short
    lines[spy] = lines[spy].replace(",SPY,", ",SPY,\x00\x00")
    path.write_text("\n".join(lines) + "\n")
    source = open_source(data)
    with pytest.raises(DataError, match=rf"shares.csv, row {gld + 1}: expected as many fields as the header row"):
        write_note("GLD", AS_OF, "1w", source)
    with pytest.raises(DataError, match=rf"shares.csv, row {spy + 1}: expected text, found NUL bytes"):
        write_note("SPY", AS_OF, "1w", source)
    rest = ["EWZ", "TLT", "EWJ"]
    assert _notes(data, rest) == _notes(without_gld, rest)


def test_a_bad_row_for_a_ticker_without_prices_costs_no_note(data, tmp_path):
    before = _notes(data, TICKERS)
    with open(data / "flows.csv", "a") as fh:
        fh.write("2026-03-31,XYZ,oops\n")  # XYZ has no price file: there is no note of it to refuse
    assert _notes(data, TICKERS) == before
    code, rows = _batch(data, tmp_path / "out")
    assert code == 0 and "XYZ" not in rows
    assert "could not be read" not in (tmp_path / "out" / "md" / "digest.md").read_text()


def test_a_row_that_names_no_fund_is_said_in_the_notes_of_the_file(data):
    path = data / "shares.csv"
    lines = path.read_text().splitlines()
    lines.insert(5, "2026-03-31,,123456,,test")
    path.write_text("\n".join(lines) + "\n")
    facts = fund_facts("EWZ", AS_OF, "1w", open_source(data))
    flag = next(q for q in facts.quality if q.code == "rows_without_fund")
    assert flag.message == "shares.csv row 6 names no fund it belongs to: expected a ticker in column 'ticker', " \
                           "so it was left out"
    assert "shares.csv row 6 names no fund" in write_note("EWZ", AS_OF, "1w", open_source(data)).markdown


@pytest.mark.parametrize("value", ["inf", "1e309"])
def test_an_infinite_close_refuses_the_fund_and_names_the_row(data, value):
    path = data / "prices" / "TLT.csv"
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    i = next(k for k, x in enumerate(lines) if x.startswith("2026-03-30"))
    cells = lines[i].split(",")
    cells[header.index("Close")] = value
    lines[i] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as err:
        write_note("TLT", AS_OF, "1w", open_source(data))
    assert f"prices/TLT.csv, row {i + 1}: expected a " in str(err.value) and f"'{value}'" in str(err.value)
    assert write_note("SPY", AS_OF, "1w", open_source(data)).markdown


def test_a_short_price_row_or_nul_bytes_refuse_the_fund(data):
    path = data / "prices" / "EWJ.csv"
    lines = path.read_text().splitlines()
    i = next(k for k, x in enumerate(lines) if x.startswith("2026-03-30"))
    lines[i] = lines[i].rsplit(",", 3)[0]  # the last three fields lost
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=rf"EWJ.csv, row {i + 1}: expected as many fields as the header row"):
        write_note("EWJ", AS_OF, "1w", open_source(data))
    path.write_bytes(path.read_bytes().replace(lines[i].encode() + b"\n", b"") + b"\x00" * 64)
    with pytest.raises(DataError, match=rf"EWJ.csv, row {len(lines)}: expected text, found NUL bytes"):
        write_note("EWJ", AS_OF, "1w", open_source(data))


def test_a_blank_close_is_left_out_and_said(data, market):
    path = data / "prices" / "GLD.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[frame["Date"].str[:10] == "2026-03-31", "Close"] = ""
    frame.to_csv(path, index=False)
    facts = fund_facts("GLD", AS_OF, "1w", open_source(data))
    flag = next(q for q in facts.quality if q.code == "price_blank_close")
    assert flag.message == "prices/GLD.csv has 1 row(s) with no Close (the latest dated March 31, 2026); they " \
                           "were left out" and flag.touches_numbers
    # the week's change is measured from the close it had, to April 2's
    closes = pd.read_csv(market / "prices" / "GLD.csv", index_col="Date")["Close"]
    assert facts.price.last.num == pytest.approx(closes["2026-04-02"])
    assert "with no Close" in write_note("GLD", AS_OF, "1w", open_source(data)).markdown
    # a note dated before the blank row does not mention it
    assert "price_blank_close" not in [q.code for q in fund_facts("GLD", "2026-03-20", "1w", open_source(data)).quality]


# ---- peers and components refused for bad data ------------------------------------------------------------


@pytest.fixture
def samples(tmp_path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(SAMPLES, root)
    return root


def _break_open(path: Path, line: int) -> None:
    lines = path.read_text().splitlines()
    cells = lines[line - 1].split(",")
    cells[1] = "oops"
    lines[line - 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")


def test_a_same_category_peer_refused_for_bad_data_is_named(samples):
    _break_open(samples / "prices" / "IWM.csv", 12)
    facts = fund_facts("IJR", "2025-10-31", "1w", open_source(samples))
    flag = next(q for q in facts.quality if q.code == "peer_unreadable")
    assert flag.message == ("IWM's data could not be read (prices/IWM.csv, row 12: expected a number in column "
                            "'Open'), so it is left out of the peers") and flag.touches_numbers
    note = write_note("IJR", "2025-10-31", "1w", open_source(samples))
    assert note.check["ok"] and "Data caveat: IWM's data could not be read" in note.markdown
    # a fund of another category says nothing of IWM
    assert "IWM" not in write_note("QQQ", "2025-10-31", "1w", open_source(samples)).markdown


def test_a_component_refused_for_bad_data_is_named(samples):
    _break_open(samples / "prices" / "JXN.csv", 40)
    facts = fund_facts("IJR", "2025-10-31", "1d", open_source(samples))
    jxn = next(c for c in facts.components if c.ticker == "JXN")
    assert jxn.day_change is None
    flag = next(q for q in facts.quality if q.code == "component_unreadable")
    assert flag.message == ("JXN's prices could not be read (prices/JXN.csv, row 40: expected a number in column "
                            "'Open'), so its price move is left out") and flag.touches_numbers
    assert write_note("IJR", "2025-10-31", "1d", open_source(samples)).check["ok"]


def test_an_error_read_back_from_the_cache_says_what_it_said(samples):
    _break_open(samples / "prices" / "XLF.csv", 6)
    for _ in range(2):  # cold, then from the columnar cache
        with pytest.raises(DataError) as err:
            write_note("XLF", "2025-10-31", "1d", open_source(samples))
        assert str(err.value).endswith("XLF.csv, row 6: expected a number in column 'Open', got 'oops'")


def test_the_careful_reader_gives_the_same_rows_and_lines_whichever_way_it_splits(tmp_path):
    from notewriter.sources.rows import read_rows

    body = ("date,ticker,x\n2024-01-01,A,1\n\n2024-01-02,B\n2024-01-03,C,3,4\n2024-01-04,\x00D,5\n,,\n"
            "2024-01-05,E,7\n")
    plain, quoted = tmp_path / "plain.csv", tmp_path / "quoted.csv"
    plain.write_text(body)
    quoted.write_text(body.replace("2024-01-05,E,7", '2024-01-05,"E",7'))  # a quote: Python's csv module reads it
    a, b = read_rows(plain), read_rows(quoted)
    assert a.lines.tolist() == b.lines.tolist() == [2, 8]
    assert [(n, why) for n, _, why in a.bad] == [(n, why) for n, _, why in b.bad]
    assert [n for n, _, _ in a.bad] == [4, 5, 6]
    assert {c: v.to_pylist() for c, v in a.columns.items()} == {c: v.to_pylist() for c, v in b.columns.items()}
