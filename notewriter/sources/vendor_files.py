"""Vendor files users already have, parsed into frames: iShares holdings downloads and generic flows CSVs.

Pure parsers: each reads the one file it is given and knows nothing of the cache or of a data
directory's layout. Row numbers in errors are 1-based line numbers of the file, as an editor or
spreadsheet shows them.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from notewriter.errors import DataError, UsageError
from notewriter.sources.inputs import check_holdings, decode_text
from notewriter.sources.yfinance.query import normalize_ticker

HOLDINGS_COLUMNS = ["ticker", "name", "sector", "asset_class", "market_value", "weight", "quantity", "price"]
_ISHARES_HEADER = "Ticker,Name,Sector,Asset Class,Market Value,Weight (%),..."
# iShares column -> ours; the first present alias wins
_ISHARES_MAP = {
    "ticker": ("Ticker",),
    "name": ("Name",),
    "sector": ("Sector",),
    "asset_class": ("Asset Class",),
    "market_value": ("Market Value",),
    "weight": ("Weight (%)",),
    "quantity": ("Quantity", "Shares", "Par Value"),
    "price": ("Price",),
}
_ISHARES_REQUIRED = ("Ticker", "Name", "Weight (%)")
_DATE_FORMATS = ("%Y-%m-%d", "%b %d, %Y", "%B %d, %Y", "%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d", "%d-%b-%Y", "%Y%m%d")
_BLANKS = {"", "-", "--", "n/a", "na", "nan", "null", "none"}
_SPACE = " \t\r\n\ufeff\u00a0"


def _read_text(path: Path) -> tuple[str, str | None]:
    """(text, encoding): UTF-8, or the fallback it was read in (see `inputs.decode_text`), never a silent
    replacement of bytes."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory; expected a CSV file") from None
    return decode_text(raw)


def _clean(cell: str) -> str:
    return cell.strip(_SPACE)


def parse_number(text: str) -> float:
    """'1,234.5', '$1,234', '(1,234)', '-$2.5M', '−3', '' -> float (NaN for blanks); ValueError otherwise."""
    return parse_amount(text)[0]


def parse_amount(text: str) -> tuple[float, bool]:
    """`parse_number`, and whether the text carries its own unit (a K, M, B or T suffix)."""
    s = _clean(str(text)).replace("\u2212", "-")
    if s.lower() in _BLANKS:
        return float("nan"), False
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    if s.startswith("-"):
        negative, s = not negative, s[1:].strip()
    elif s.startswith("+"):
        s = s[1:].strip()
    s = s.replace("$", "").replace("USD", "").replace(",", "").replace("_", "").replace(" ", "")
    if s.startswith("-"):
        negative, s = not negative, s[1:]
    scale = 1.0
    suffix = s[-1:].upper()
    if suffix in ("K", "M", "B", "T") and len(s) > 1:
        scale = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}[suffix]
        s = s[:-1]
    if not re.fullmatch(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", s):
        raise ValueError(text)
    value = float(s) * scale
    return (-value if negative else value), scale != 1.0


def parse_date(text: str) -> date:
    """ISO dates (a time suffix is tolerated), 'Dec 06, 2024', US 12/06/2024 and a few more."""
    s = _clean(str(text))
    if re.match(r"^\d{4}-\d{2}-\d{2}([ T].*)?$", s):
        return date.fromisoformat(s[:10])
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


# ---------------------------------------------------------------------------
# iShares holdings
# ---------------------------------------------------------------------------


def _find_header(rows: list[list[str]]) -> int | None:
    for i, row in enumerate(rows):
        cells = [_clean(c) for c in row]
        if cells and cells[0] == "Ticker" and "Weight (%)" in cells:
            return i
    return None


def read_ishares_holdings(path: str | os.PathLike) -> tuple[pd.DataFrame, dict]:
    """An iShares holdings download -> (holdings, meta).

    Accepts the raw download (BOM, a preamble with "Fund Holdings as of" and "Shares
    Outstanding", the header row, the holdings, a blank line, then disclaimers) and a file
    that starts at the header row. Columns: ticker (None for "-"), name, sector,
    asset_class, market_value, weight (a fraction: Weight (%) / 100), quantity, price.
    meta: fund_name, as_of, shares_outstanding, inception_date (None when absent),
    has_preamble, rows.
    """
    path = Path(path)
    text, encoding = _read_text(path)
    lines = text.splitlines()
    rows = [next(csv.reader([line]), []) for line in lines]
    header_at = _find_header(rows)
    if header_at is None:
        raise DataError(path, f"no holdings header row; expected one like '{_ISHARES_HEADER}'")
    header = [_clean(c) for c in rows[header_at]]
    missing = [c for c in _ISHARES_REQUIRED if c not in header]
    if missing:
        raise DataError(path, f"the header row lacks {', '.join(missing)}; expected '{_ISHARES_HEADER}'",
                        row=header_at + 1)
    meta = _ishares_preamble(path, rows[:header_at])
    meta["encoding"] = encoding
    positions = {ours: next((header.index(a) for a in aliases if a in header), None)
                 for ours, aliases in _ISHARES_MAP.items()}
    needed = max(header.index(c) for c in _ISHARES_REQUIRED) + 1

    records, record_lines, record_cells = [], [], []
    text = "\n".join(lines[header_at + 1:])
    reader = csv.reader(io.StringIO(text))
    for cells in reader:
        line_no = header_at + 1 + reader.line_num
        if not any(_clean(c) for c in cells):
            break  # a blank line ends the table; disclaimers follow
        if len(cells) < needed:
            raise DataError(path, f"expected {len(header)} fields like the header row, got {len(cells)}", row=line_no)
        rec, raw = {}, {}
        for ours, pos in positions.items():
            cell = raw[ours] = _clean(cells[pos]) if pos is not None and pos < len(cells) else ""
            if ours in ("market_value", "weight", "quantity", "price"):
                try:
                    rec[ours] = parse_number(cell)
                except ValueError:
                    raise DataError(path, f"expected a number in column {header[pos]!r}, got {cell!r}",
                                    row=line_no) from None
            else:
                rec[ours] = None if ours == "ticker" and cell in ("", "-") else cell
        rec["weight"] = rec["weight"] / 100.0
        records.append(rec)
        record_lines.append(line_no)
        record_cells.append(raw)
    check_holdings(path, records, record_lines,
                   {ours: header[pos] for ours, pos in positions.items() if pos is not None}, record_cells)
    frame = pd.DataFrame.from_records(records, columns=HOLDINGS_COLUMNS)
    for col in ("market_value", "weight", "quantity", "price"):
        frame[col] = frame[col].astype("float64")
    meta["rows"] = len(frame)
    return frame, meta


def _ishares_preamble(path: Path, rows: list[list[str]]) -> dict:
    meta = {"fund_name": None, "as_of": None, "shares_outstanding": None, "inception_date": None,
            "has_preamble": bool(rows)}
    for i, row in enumerate(rows, start=1):
        cells = [_clean(c) for c in row]
        if not any(cells):
            continue
        key = cells[0].lower().rstrip(":")
        value = cells[1] if len(cells) > 1 else ""
        if len(cells) == 1 and meta["fund_name"] is None and i == 1:
            meta["fund_name"] = cells[0]
        elif key.startswith("fund holdings as of"):
            meta["as_of"] = _preamble_date(path, value, i, "the holdings as-of date")
        elif key == "inception date":
            meta["inception_date"] = _preamble_date(path, value, i, "the inception date")
        elif key == "shares outstanding":
            try:
                shares = parse_number(value)
            except ValueError:
                raise DataError(path, f"expected a share count after 'Shares Outstanding', got {value!r}",
                                row=i) from None
            meta["shares_outstanding"] = None if math.isnan(shares) else int(round(shares))
    return meta


def _preamble_date(path: Path, value: str, row: int, what: str) -> date | None:
    if _clean(value).lower() in _BLANKS:
        return None
    try:
        return parse_date(value)
    except ValueError:
        raise DataError(path, f"expected {what} like 'Dec 06, 2024', got {value!r}", row=row) from None


# ---------------------------------------------------------------------------
# Generic flows CSV
# ---------------------------------------------------------------------------

_UNIT_WORDS = {
    "k": 1e3, "thousand": 1e3, "thousands": 1e3,
    "m": 1e6, "mm": 1e6, "mn": 1e6, "mln": 1e6, "million": 1e6, "millions": 1e6,
    "b": 1e9, "bn": 1e9, "bln": 1e9, "billion": 1e9, "billions": 1e9,
}
_DATE_NAMES = {"date", "asof", "asofdate", "tradedate", "day", "flowdate"}
_TICKER_NAMES = {"ticker", "symbol", "fund", "etf", "fundticker", "tickersymbol"}
_FLOW_NAMES = {"flow", "flows", "netflow", "netflows", "fundflow", "fundflows", "dailyflow", "dailyflows",
               "netfundflow", "netfundflows"}


def _classify_header(name: str) -> tuple[str | None, float]:
    words = re.findall(r"[a-z]+", name.lower())
    scale = 1.0
    for w in words:
        if w in _UNIT_WORDS:
            scale = _UNIT_WORDS[w]
    base = "".join(w for w in words if w not in _UNIT_WORDS and w != "usd")
    if base in _DATE_NAMES:
        return "date", 1.0
    if base in _TICKER_NAMES:
        return "ticker", 1.0
    if base in _FLOW_NAMES:
        return "flow_usd", scale
    return None, 1.0


def read_flows_csv(path: str | os.PathLike) -> pd.DataFrame:
    """A flows CSV with date, ticker and flow columns (Date/Ticker/Flow/flow_usd/Net Flows ($M)...)
    -> columns date, ticker, flow_usd (USD; blank cells are NaN = no data)."""
    path = Path(path)
    text, encoding = _read_text(path)
    if not text.strip():
        raise DataError(path, "the file is empty; expected a header row with date, ticker, flow_usd", row=1)
    first = text.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader)
    roles: dict[str, tuple[int, float]] = {}
    for i, name in enumerate(header):
        role, scale = _classify_header(_clean(name))
        if role and role not in roles:
            roles[role] = (i, scale)
    missing = [r for r in ("date", "ticker", "flow_usd") if r not in roles]
    if missing:
        raise DataError(path, f"no {', '.join(missing)} column among {', '.join(repr(_clean(h)) for h in header)}; "
                              "expected columns date, ticker, flow_usd (or Date, Ticker, Flow)", row=1)
    (di, _), (ti, _), (fi, scale) = roles["date"], roles["ticker"], roles["flow_usd"]
    seen: dict[tuple[date, str], tuple[int, float]] = {}
    records = []
    for cells in reader:
        line = reader.line_num
        if not any(_clean(c) for c in cells):
            continue
        raw_date, raw_ticker, raw_flow = (_clean(cells[i]) if i < len(cells) else "" for i in (di, ti, fi))
        try:
            day = parse_date(raw_date)
        except ValueError:
            raise DataError(path, f"expected a date like 2026-04-03 in column {_clean(header[di])!r}, "
                                  f"got {raw_date!r}", row=line) from None
        try:
            sym = normalize_ticker(raw_ticker)
        except UsageError:
            raise DataError(path, f"expected a ticker symbol in column {_clean(header[ti])!r}, got {raw_ticker!r}",
                            row=line) from None
        try:
            amount, own_unit = parse_amount(raw_flow)
        except ValueError:
            raise DataError(path, f"expected a number like 1,234.5 or -$2.1M in column {_clean(header[fi])!r}, "
                                  f"got {raw_flow!r}", row=line) from None
        # a value with its own unit ("1.5B") means what it says; the column's unit ("($M)") scales bare numbers
        flow = amount if own_unit else amount * scale
        if math.isinf(flow):
            raise DataError(path, f"expected a finite number in column {_clean(header[fi])!r}, got {raw_flow!r}",
                            row=line)
        key = (day, sym)
        if key in seen:
            other_line, other = seen[key]
            same = (math.isnan(other) and math.isnan(flow)) or other == flow
            if not same:
                raise DataError(path, f"conflicting flows for {sym} on {day.isoformat()} (also on row {other_line})",
                                row=line)
            continue
        seen[key] = (line, flow)
        records.append({"date": pd.Timestamp(day), "ticker": sym, "flow_usd": flow})
    frame = pd.DataFrame.from_records(records, columns=["date", "ticker", "flow_usd"])
    frame["flow_usd"] = frame["flow_usd"].astype("float64")
    frame = frame.sort_values(["ticker", "date"], kind="stable").reset_index(drop=True)
    frame.attrs["encoding"] = encoding
    return frame


__all__ = ["HOLDINGS_COLUMNS", "parse_amount", "parse_date", "parse_number", "read_flows_csv", "read_ishares_holdings"]
