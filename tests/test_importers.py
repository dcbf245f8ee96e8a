"""Vendor-file importers: the iShares holdings download and generic flows CSVs."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

from notewriter.errors import DataError
from notewriter.sources import importers, vendor_files

MARKET = Path(__file__).resolve().parents[2] / "shared" / "data" / "market"
NOW = datetime(2026, 5, 2, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def holdings_dir() -> Path:
    if not (MARKET / "holdings").is_dir():
        pytest.skip(f"real holdings files not found at {MARKET / 'holdings'} (../shared/data is absent)")
    return MARKET / "holdings"


def read_csv(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


HEADER = ("Ticker,Name,Sector,Asset Class,Market Value,Weight (%),Notional Value,Quantity,Price,Location,Exchange,"
          "Currency,FX Rate,Market Currency,Accrual Date")
PREAMBLE = ('\ufeffiShares Core S&P Small-Cap ETF\nFund Holdings as of,"Apr 02, 2026"\nInception Date,"May 22, 2000"\n'
            'Shares Outstanding,"645,650,000.00"\nStock,"-"\nBond,"-"\nCash,"-"\nOther,"-"\n\u00a0\n')
ROW_A = '"EMN","EASTMAN CHEMICAL","Materials","Equity","502,811,230.10","0.57","502,811,230.10","5,590,100.00",' \
        '"89.95","United States","New York Stock Exchange Inc.","USD","1.00","USD","-"'
ROW_B = '"-","PRIVATE VESTING Prvt","Health Care","Equity","1.31","0.00","1.31","130,676.00","0.00","United States",' \
        '"NO MARKET (E.G. UNLISTED)","USD","1.00","USD","-"'
FOOTER = '\u00a0\n"The content contained herein is owned or licensed by BlackRock, Inc."\nHoldings subject to change.\n'


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# read_ishares_holdings
# ---------------------------------------------------------------------------


def test_raw_ivv_download_with_preamble(holdings_dir):
    frame, meta = vendor_files.read_ishares_holdings(holdings_dir / "IVV.csv")
    # header on line 10, the blank (non-breaking space) line that ends the table on line 519
    assert len(frame) == 519 - 10 - 1 == meta["rows"]
    assert meta["fund_name"] == "iShares Core S&P 500 ETF"
    assert meta["as_of"] == date(2024, 12, 6)
    assert meta["shares_outstanding"] == 957_950_000
    assert meta["inception_date"] == date(2000, 5, 15) and meta["has_preamble"] is True
    assert list(frame.columns) == vendor_files.HOLDINGS_COLUMNS
    first = frame.iloc[0]
    assert (first["ticker"], first["name"], first["sector"], first["asset_class"]) == \
        ("AAPL", "APPLE INC", "Information Technology", "Equity")
    assert first["market_value"] == pytest.approx(41_700_670_815.44)
    assert first["weight"] == pytest.approx(0.0715)
    assert first["quantity"] == 171_720_766 and first["price"] == pytest.approx(242.84)
    last = frame.iloc[-1]
    assert (last["ticker"], last["asset_class"], last["market_value"]) == ("ESZ4", "Futures", 0.0)
    assert 0.99 < frame["weight"].sum() < 1.01


def test_iwm_without_preamble(holdings_dir):
    frame, meta = vendor_files.read_ishares_holdings(holdings_dir / "IWM.csv")
    with open(holdings_dir / "IWM.csv", encoding="utf-8-sig", newline="") as handle:
        lines = sum(1 for _ in csv.reader(handle))
    assert len(frame) == lines - 1  # every line but the header is a holding
    assert meta["as_of"] is None and meta["shares_outstanding"] is None and meta["has_preamble"] is False
    assert frame.iloc[0]["ticker"] == "BE" and frame.iloc[0]["weight"] == pytest.approx(0.0096)
    no_ticker = frame[frame["name"] == "JAMES RIVER GROUP HOLDINGS LTD"]
    assert no_ticker["ticker"].isna().all()  # iShares writes "-" for holdings without a ticker


def test_preamble_footer_and_dash_ticker(tmp_path):
    path = write(tmp_path, "IJR_holdings.csv", PREAMBLE + HEADER + "\n" + ROW_A + "\n" + ROW_B + "\n" + FOOTER)
    frame, meta = vendor_files.read_ishares_holdings(path)
    assert len(frame) == 2
    assert meta["as_of"] == date(2026, 4, 2) and meta["shares_outstanding"] == 645_650_000
    assert frame["ticker"].iloc[0] == "EMN" and pd.isna(frame["ticker"].iloc[1])
    assert frame["weight"].tolist() == pytest.approx([0.0057, 0.0])


def test_bad_number_names_file_row_and_column(tmp_path):
    bad = ROW_A.replace('"0.57"', '"zero"')
    path = write(tmp_path, "h.csv", PREAMBLE + HEADER + "\n" + ROW_A + "\n" + bad + "\n")
    with pytest.raises(DataError) as err:
        vendor_files.read_ishares_holdings(path)
    # 9 preamble lines, header on 10, rows on 11 and 12
    assert err.value.row == 12 and err.value.path == str(path)
    assert str(err.value) == f"{path}, row 12: expected a number in column 'Weight (%)', got 'zero'"


def test_short_row_is_a_data_error(tmp_path):
    path = write(tmp_path, "h.csv", HEADER + "\n" + ROW_A + '\n"AAPL","APPLE"\n')
    with pytest.raises(DataError, match=r"row 3: expected 15 fields like the header row, got 2"):
        vendor_files.read_ishares_holdings(path)


def test_file_without_holdings_header(tmp_path):
    path = write(tmp_path, "h.csv", "date,ticker,flow_usd\n2026-01-02,SPY,1\n")
    with pytest.raises(DataError, match="no holdings header row; expected one like 'Ticker,Name,Sector"):
        vendor_files.read_ishares_holdings(path)


def test_bad_as_of_date_names_its_row(tmp_path):
    path = write(tmp_path, "h.csv", PREAMBLE.replace("Apr 02, 2026", "someday") + HEADER + "\n" + ROW_A + "\n")
    with pytest.raises(DataError, match=r"row 2: expected the holdings as-of date like 'Dec 06, 2024', got 'someday'"):
        vendor_files.read_ishares_holdings(path)


# ---------------------------------------------------------------------------
# import_ishares_holdings
# ---------------------------------------------------------------------------


def test_import_ivv_into_the_cache(holdings_dir, tmp_path):
    root = tmp_path / "c"
    result = importers.import_ishares_holdings(holdings_dir / "IVV.csv", "ivv", root, now=NOW)
    assert (root / "holdings" / "IVV.csv").read_bytes() == (holdings_dir / "IVV.csv").read_bytes()
    assert read_csv(root / "shares.csv").to_dict("records") == [
        {"date": "2024-12-06", "ticker": "IVV", "shares_outstanding": "957950000", "nav": "",
         "source": "ishares-holdings"}]
    assert result.tickers == ["IVV"] and result.as_of == date(2024, 12, 6) and result.rows == 508
    entry = json.loads((root / "cache.json").read_text())["tickers"]["IVV"]["holdings"]
    assert entry == {"fetched_at": "2026-05-02T12:00:00Z", "source": "ishares-holdings", "last_date": "2024-12-06",
                     "file": "IVV.csv", "rows": 508, "shares_outstanding": 957950000}
    assert json.loads((root / "dataset.json").read_text())["label"] == "yfinance cache"
    # importing again replaces the row instead of adding one
    importers.import_ishares_holdings(holdings_dir / "IVV.csv", "IVV", root, now=NOW)
    assert len(read_csv(root / "shares.csv")) == 1


def test_import_keeps_other_share_rows(tmp_path):
    root = tmp_path / "c"
    (root).mkdir()
    (root / "shares.csv").write_text("date,ticker,shares_outstanding,nav,source\n"
                                     "2026-04-01,IJR,649550000,,yfinance\n2026-04-02,IJR,645650000,,yfinance\n")
    path = write(tmp_path, "IJR.csv", PREAMBLE + HEADER + "\n" + ROW_A + "\n")
    importers.import_ishares_holdings(path, "IJR", root, now=NOW)
    assert read_csv(root / "shares.csv").to_dict("records") == [
        {"date": "2026-04-01", "ticker": "IJR", "shares_outstanding": "649550000", "nav": "", "source": "yfinance"},
        {"date": "2026-04-02", "ticker": "IJR", "shares_outstanding": "645650000", "nav": "",
         "source": "ishares-holdings"},
        {"date": "2026-04-02", "ticker": "IJR", "shares_outstanding": "645650000", "nav": "", "source": "yfinance"},
    ]


def test_import_without_preamble_adds_no_share_count(holdings_dir, tmp_path):
    root = tmp_path / "c"
    result = importers.import_ishares_holdings(holdings_dir / "IWM.csv", "IWM", root, now=NOW)
    assert not (root / "shares.csv").exists()
    assert (root / "holdings" / "IWM.csv").is_file()
    assert any("no preamble" in n for n in result.notes) and any("undated" in n for n in result.notes)


def test_imported_holdings_load_through_the_data_directory(holdings_dir, tmp_path):
    local = pytest.importorskip("notewriter.sources.local")
    root = tmp_path / "c"
    importers.import_ishares_holdings(holdings_dir / "IVV.csv", "IVV", root, now=NOW)
    holdings = local.DataDirSource(root).holdings("IVV")
    assert len(holdings) == 508 and holdings["weight"].iloc[0] == pytest.approx(0.0715)


# ---------------------------------------------------------------------------
# Flows CSV
# ---------------------------------------------------------------------------


def test_flows_with_vendor_column_names_and_money_formats(tmp_path):
    path = write(tmp_path, "export.csv",
                 "Date,Ticker,Flow\n"
                 '2026-04-01,spy,"$1,234,567.50"\n'
                 '04/02/2026,SPY,"(2,000,000)"\n'
                 "2026-04-03,SPY,\n"
                 '2026-04-01,IJR,"-$399,400,000"\n')
    root = tmp_path / "c"
    result = importers.import_flows_csv(path, root, now=NOW)
    assert result.tickers == ["IJR", "SPY"] and result.rows == 4
    assert read_csv(root / "flows.csv").to_dict("records") == [
        {"date": "2026-04-01", "ticker": "IJR", "flow_usd": "-399400000.0"},
        {"date": "2026-04-01", "ticker": "SPY", "flow_usd": "1234567.5"},
        {"date": "2026-04-02", "ticker": "SPY", "flow_usd": "-2000000.0"},
        {"date": "2026-04-03", "ticker": "SPY", "flow_usd": ""},  # blank stays "no data", not zero
    ]
    manifest = json.loads((root / "cache.json").read_text())
    assert manifest["tickers"]["SPY"]["flows"]["source"] == "flows-csv:export.csv"
    assert manifest["tickers"]["SPY"]["flows"]["last_date"] == "2026-04-03"


@pytest.mark.parametrize("header,cell,expected", [
    ("date,ticker,flow_usd", "1500000", 1_500_000.0),
    ("Date;Symbol;Net Flows ($M)", "-1.5", -1_500_000.0),
    ("As Of Date,Fund,Flows (USD mn)", "2.25", 2_250_000.0),
    ("date,ticker,flow", "3.1B", 3_100_000_000.0),
    ("DATE,TICKER,FLOW_USD", "−42", -42.0),
])
def test_flow_header_variants_and_units(tmp_path, header, cell, expected):
    sep = ";" if ";" in header else ","
    path = write(tmp_path, "f.csv", f"{header}\n2026-04-01{sep}SPY{sep}{cell}\n")
    frame = vendor_files.read_flows_csv(path)
    assert frame["flow_usd"].tolist() == [pytest.approx(expected)]


def test_flows_merge_replaces_same_day_and_keeps_the_rest(tmp_path):
    root = tmp_path / "c"
    importers.import_flows_csv(write(tmp_path, "a.csv", "date,ticker,flow_usd\n2026-04-01,SPY,1\n2026-04-02,SPY,2\n"),
                               root, now=NOW)
    importers.import_flows_csv(write(tmp_path, "b.csv", "date,ticker,flow_usd\n2026-04-02,SPY,5\n2026-04-03,SPY,3\n"),
                               root, now=NOW)
    assert read_csv(root / "flows.csv")["flow_usd"].tolist() == ["1.0", "5.0", "3.0"]


@pytest.mark.parametrize("body,row,message", [
    ("2026-04-01,SPY,1\n2026-13-45,SPY,2\n", 3, "expected a date like 2026-04-03 in column 'date', got '2026-13-45'"),
    ("2026-04-01,SPY,1\n2026-04-02,SPY,1\n2026-04-03,SPY,lots\n", 4,
     "expected a number like 1,234.5 or -$2.1M in column 'flow_usd', got 'lots'"),
    ("2026-04-01,,1\n", 2, "expected a ticker symbol in column 'ticker', got ''"),
    ("2026-04-01,SPY,1\n2026-04-01,SPY,2\n", 3, "conflicting flows for SPY on 2026-04-01 (also on row 2)"),
])
def test_bad_flow_rows_name_file_row_and_expectation(tmp_path, body, row, message):
    path = write(tmp_path, "flows_export.csv", "date,ticker,flow_usd\n" + body)
    with pytest.raises(DataError) as err:
        importers.import_flows_csv(path, tmp_path / "c")
    assert str(err.value) == f"{path}, row {row}: {message}"
    assert not (tmp_path / "c" / "flows.csv").exists()


def test_flows_without_needed_columns(tmp_path):
    path = write(tmp_path, "f.csv", "day,amount\n2026-04-01,1\n")
    with pytest.raises(DataError, match=r"row 1: no ticker, flow_usd column among 'day', 'amount'"):
        vendor_files.read_flows_csv(path)


def test_identical_duplicate_rows_collapse(tmp_path):
    path = write(tmp_path, "f.csv", "date,ticker,flow_usd\n2026-04-01,SPY,1\n2026-04-01,SPY,1.0\n")
    assert len(vendor_files.read_flows_csv(path)) == 1


def test_real_vendor_flows_file_imports_whole(tmp_path):
    source = MARKET / "flows.csv"
    if not source.is_file():
        pytest.skip(f"real flows file not found at {source} (../shared/data is absent)")
    root = tmp_path / "c"
    importers.import_flows_csv(source, root, now=NOW)
    original = read_csv(source)
    written = read_csv(root / "flows.csv")
    assert len(written) == len(original)
    merged = original.merge(written, on=["date", "ticker"], suffixes=("_in", "_out"))
    assert len(merged) == len(original)
    blank_in = merged["flow_usd_in"] == ""
    assert (merged.loc[blank_in, "flow_usd_out"] == "").all()  # blanks stay blank
    assert merged.loc[~blank_in, "flow_usd_out"].astype(float).tolist() == \
        merged.loc[~blank_in, "flow_usd_in"].astype(float).tolist()
