"""Readers of data-directory files: a fast pyarrow path, and a careful one that names the file, row and value.

Every reader takes the path of one file and knows nothing of the directory around it, the
columnar cache or the Source interface. A price file with a malformed row is refused as a whole (it is
one fund's); in shares.csv and flows.csv a malformed row costs only the fund it names: its ticker gets the
`DataError`, the other funds' rows are read as usual, and a row that names no fund becomes a `Note`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from .inputs import encoding_note, read_fund_info_file
from .rows import cell, dates, first_problems, more, numbers, read_rows
from .tables import Note, expected_part, literal

_PRICE_ALIASES = {"Adj Close": "AdjClose", "Stock Splits": "Splits", "date": "Date"}
_PRICE_REQUIRED = ("Date", "Close")
_PRICE_NUMERIC = ("Open", "High", "Low", "Close", "AdjClose", "Volume", "Dividends", "Splits")


# ---- fast path -------------------------------------------------------------------------------------
# pyarrow reads a well-formed file in C++; anything it cannot read, or reads more leniently than the careful
# reader above (a literal "nan", a padded number, an odd date), sends the file to the careful reader, which
# raises the DataError naming file, row and expected value. Both give the same numbers for the same text:
# each parser rounds a decimal string to the nearest double.

_ISO_PREFIX = r"^(1[7-9]|2[01])\d\d-\d\d-\d\d$"


@lru_cache(maxsize=1)
def _date_dtype():
    """The datetime dtype the careful reader's frames carry (pandas' own choice of unit)."""
    return pd.to_datetime(pd.Series(["2000-01-03"], dtype=object), format="%Y-%m-%d").dtype


def date_index(days: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(days.astype(_date_dtype()), name="date")


class _Slow(Exception):
    """The fast reader declines this file; the careful one reads it (and names any bad row)."""


def _header(path: Path) -> list[str]:
    with open(path, "rb") as fh:
        first = fh.readline()
    try:
        line = first.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError:
        raise _Slow from None
    names = line.split(",")
    if not line or '"' in line or len(set(names)) != len(names):
        raise _Slow
    return names


def _arrow_read(path: Path, names: list[str], types: dict, threads: bool):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        data = path.read_bytes()
    except OSError:
        raise _Slow from None
    if b"\x00" in data:  # NUL bytes: a damaged file, whose rows the careful reader names
        raise _Slow
    try:
        return pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(use_threads=threads, column_names=names, skip_rows=1,
                                           block_size=1 << 22),
            convert_options=pacsv.ConvertOptions(
                column_types={k: (pa.float64() if v == "num" else pa.string()) for k, v in types.items()},
                include_columns=list(types), null_values=[""], strings_can_be_null=True,
                quoted_strings_can_be_null=True))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError, OSError):
        raise _Slow from None


def _arrow_numbers(table, name: str) -> np.ndarray:
    col = table.column(name)
    out = col.to_numpy(zero_copy_only=False).astype(float, copy=False)
    if int(np.isnan(out).sum()) != col.null_count:  # "nan" in the text: the careful reader rejects it
        raise _Slow
    return out


def _arrow_dates(table, name: str) -> np.ndarray:
    """datetime64[ns]; the same rule as `_parse_dates` (ISO date, a time or zone suffix tolerated)."""
    import pyarrow.compute as pc

    col = table.column(name)
    if col.null_count:
        raise _Slow
    if col.num_chunks != 1:
        col = col.combine_chunks()
    else:
        col = col.chunk(0)
    uniq = col.dictionary_encode()
    text = pc.utf8_slice_codeunits(pc.ascii_trim_whitespace(uniq.dictionary), 0, 10)
    if len(text) and not pc.all(pc.match_substring_regex(text, _ISO_PREFIX)).as_py():
        raise _Slow
    parsed = pc.strptime(text, format="%Y-%m-%d", unit="ns", error_is_null=True)
    if parsed.null_count:
        raise _Slow
    days = parsed.to_numpy(zero_copy_only=False).astype("datetime64[ns]")
    return days[uniq.indices.to_numpy(zero_copy_only=False)]


def _arrow_codes(table, name: str, normalize) -> tuple[np.ndarray, list[str]]:
    """Dictionary codes and the normalized distinct values (normalized once per value, not per row)."""
    col = table.column(name)
    if col.null_count:
        raise _Slow
    col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    enc = col.dictionary_encode()
    values = [normalize(v) for v in enc.dictionary.to_pylist()]
    uniq = sorted(set(values))
    remap = np.array([uniq.index(v) for v in values] if len(uniq) < 64 else
                     pd.Index(uniq).get_indexer(values), dtype=np.int32)
    return remap[enc.indices.to_numpy(zero_copy_only=False)], uniq


@dataclass
class PriceColumns:
    """One price file, cleaned exactly as `read_prices` cleans it, as arrays (dates sorted and unique)."""

    dates: np.ndarray               # datetime64[ns]
    columns: dict[str, np.ndarray]  # every column read_prices returns, in its order
    duplicates: int
    blank_close: np.ndarray = field(default_factory=lambda: np.zeros(0, "datetime64[ns]"))  # rows left out
    encoding: str | None = None     # None: UTF-8

    def frame(self, path: Path) -> pd.DataFrame:
        out = pd.DataFrame(self.columns, index=date_index(self.dates))
        out.attrs.update(duplicates=self.duplicates, path=str(path), blank_close=self.blank_close,
                         encoding=self.encoding)
        return out


def _clean_prices(dates: np.ndarray, raw: dict[str, np.ndarray]) -> PriceColumns:
    """Rows without a Close left out (their dates kept), duplicates keep the last row, date order, Open/High/Low
    filled from Close, Volume NaN and Dividends/Splits 0 when absent: one rule for both readers."""
    close = raw["Close"]
    keep = ~np.isnan(close)
    blank = np.setdiff1d(dates[~keep], dates[keep]).astype("datetime64[ns]")
    dates = dates[keep]
    order = np.argsort(dates[::-1], kind="stable")
    rev_dates = dates[::-1][order]
    first = np.ones(len(rev_dates), dtype=bool)
    first[1:] = rev_dates[1:] != rev_dates[:-1]
    rows = (len(dates) - 1 - order)[first]
    duplicates = int(len(dates) - first.sum())
    cols: dict[str, np.ndarray] = {c: v[keep][rows] for c, v in raw.items()}
    close = cols["Close"]
    for c in ("Open", "High", "Low"):
        cols[c] = close.copy() if c not in cols else np.where(np.isnan(cols[c]), close, cols[c])
    if "Volume" not in cols:
        cols["Volume"] = np.full(len(close), np.nan)
    for c in ("Dividends", "Splits"):
        cols[c] = np.zeros(len(close)) if c not in cols else np.where(np.isnan(cols[c]), 0.0, cols[c])
    order_out = [c for c in _PRICE_NUMERIC if c in raw]
    order_out += [c for c in ("Open", "High", "Low", "Volume", "Dividends", "Splits") if c not in raw]
    return PriceColumns(dates=dates[rows], columns={c: cols[c] for c in order_out}, duplicates=duplicates,
                        blank_close=blank)


def _fast_price_columns(path: Path, threads: bool = False) -> PriceColumns:
    names = _header(path)
    present = {_PRICE_ALIASES.get(n, n): n for n in names}
    if "Date" not in present or "Close" not in present or len(present) != len(names):
        raise _Slow
    types = {present["Date"]: "str", **{present[c]: "num" for c in _PRICE_NUMERIC if c in present}}
    table = _arrow_read(path, names, types, threads)
    days = _arrow_dates(table, present["Date"])
    raw = {c: _arrow_numbers(table, present[c]) for c in _PRICE_NUMERIC if c in present}
    if (raw["Close"] <= 0).any() or any(np.isinf(v).any() for v in raw.values()):  # the careful reader names the row
        raise _Slow
    return _clean_prices(days, raw)


def read_price_columns(path: Path) -> PriceColumns:
    """`read_prices` as arrays: the fast reader when it can, the careful one otherwise (same result)."""
    try:
        return _fast_price_columns(path)
    except _Slow:
        return _careful_price_columns(path)


def read_prices(path: Path) -> pd.DataFrame:
    """One prices/<TICKER>.csv as a float frame indexed by date; duplicates keep the last row."""
    return read_price_columns(path).frame(path)


def _read_prices_careful(path: Path) -> pd.DataFrame:
    return _careful_price_columns(path).frame(path)


def _careful_price_columns(path: Path) -> PriceColumns:
    """A price file row by row: any malformed row (a short one, NUL bytes, a value that is not a number, not
    finite, or a Close that is not positive) refuses the file, naming its first such row; a row with no Close
    is left out and its date kept, for the note to say so."""
    rows = read_rows(path)
    present: dict[str, str] = {}
    for h in rows.header:
        present.setdefault(_PRICE_ALIASES.get(h, h), h)
    missing = [c for c in _PRICE_REQUIRED if c not in present]
    if missing:
        raise DataError(path, f"missing column(s) {', '.join(missing)}; expected Date, Open, High, Low, Close, Volume",
                        row=1)
    problems = [(line, message, None) for line, _, message in rows.bad]
    days, bad = dates(rows.column(present["Date"]))
    col = rows.column(present["Date"])
    problems += [(rows.lines[i], f"expected a date YYYY-MM-DD in column 'Date', got {cell(col, i)!r}", None)
                 for i in np.flatnonzero(bad)]
    raw = {}
    for name in _PRICE_NUMERIC:
        if name not in present:
            continue
        col = rows.column(present[name])
        values, blank, bad = numbers(col)
        infinite = np.isinf(values)
        nonpositive = (values <= 0) if name == "Close" else np.zeros(len(values), dtype=bool)
        for i in np.flatnonzero(bad | infinite | nonpositive):
            what = ("a number" if bad[i] else "a finite number") + f" in column {name!r}"
            if nonpositive[i]:
                what = "a positive Close"
            problems.append((rows.lines[i], f"expected {what}, got {cell(col, i)!r}", None))
        raw[name] = values
    if problems:
        line, message, n = first_problems(problems)[None]
        raise DataError(path, message + more(n), row=int(line))
    out = _clean_prices(days, raw)
    out.encoding = rows.encoding
    return out


# ---- shares.csv and flows.csv --------------------------------------------------------------------

_KEYED = {"shares": ("shares_outstanding", "nav", "source"), "flows": ("flow_usd",)}


def _keyed_empty(kind: str) -> dict:
    out = {"date": np.zeros(0, "datetime64[ns]"), "codes": np.zeros(0, np.int32), "tickers": [], "errors": {},
           "notes": []}
    for c in _KEYED[kind]:
        out[c] = (np.zeros(0, np.int32), [""]) if c == "source" else np.zeros(0)
    return out


def _ticker(text: str | None) -> str | None:
    t = (text or "").replace("\x00", "").strip().upper()
    return t or None


def _keyed_careful(path: Path, kind: str) -> dict:
    """shares.csv or flows.csv row by row. The good rows as arrays (file order); `errors`: per ticker, its
    first malformed row as a DataError (the fund is refused, the others are not); `notes`: rows that name no
    ticker, and a fallback encoding, for every fund of the file to state."""
    if not path.is_file():
        return _keyed_empty(kind)
    import pyarrow.compute as pc

    value_col = _KEYED[kind][0]
    rows = read_rows(path)
    required = ("date", "ticker", value_col)
    missing = [c for c in required if c not in rows.header]
    if missing:
        raise DataError(path, f"missing column(s) {', '.join(missing)}; expected {', '.join(required)}", row=1)
    t_col = rows.column("ticker")
    enc = pc.utf8_upper(pc.utf8_trim_whitespace(pc.fill_null(t_col, ""))).dictionary_encode()
    names = enc.dictionary.to_pylist()
    tickers = sorted({v for v in names if v})
    lookup = {v: i for i, v in enumerate(tickers)}
    codes = np.array([lookup.get(v, -1) for v in names] or [-1], dtype=np.int32)[
        enc.indices.to_numpy(zero_copy_only=False)] if len(rows) else np.zeros(0, np.int32)
    ti = rows.header.index("ticker")
    problems = [(line, message, _ticker(cells[ti]) if ti < len(cells) else None) for line, cells, message in rows.bad]
    bad_row = np.zeros(len(rows), dtype=bool)

    def refuse(mask: np.ndarray, message) -> None:
        for i in np.flatnonzero(mask & ~bad_row):
            problems.append((int(rows.lines[i]), message(i), tickers[codes[i]] if codes[i] >= 0 else None))
        bad_row[mask] = True

    days, bad = dates(rows.column("date"))
    refuse(bad, lambda i: f"expected a date YYYY-MM-DD in column 'date', got {cell(rows.column('date'), i)!r}")
    refuse(codes < 0, lambda i: "expected a ticker in column 'ticker', got ''")
    out = {}
    for c in _KEYED[kind]:
        if c == "source":
            src = pc.fill_null(rows.column("source"), "").dictionary_encode()
            out[c] = (src.indices.to_numpy(zero_copy_only=False).astype(np.int32), src.dictionary.to_pylist())
            continue
        col = rows.column(c)
        values, blank, bad = numbers(col)
        if c == "shares_outstanding":
            refuse(bad | blank | (values < 0), lambda i, col=col: "expected a non-negative share count in column "
                   f"'shares_outstanding', got {cell(col, i)!r}")
            values = np.round(values)  # float: an absurd count must not wrap around
        else:
            refuse(bad, lambda i, c=c, col=col: f"expected a number in column {c!r}, got {cell(col, i)!r}")
        out[c] = values
    firsts = first_problems(problems)
    errors = {t: DataError(path, message + more(n), row=int(line)) for t, (line, message, n) in firsts.items() if t}
    notes = []
    if None in firsts:
        line, message, n = firsts[None]
        reason = expected_part(message)
        why = f": {literal(reason)}" if reason else ""
        text = (f"{path.name} row {{r}} names no fund it belongs to{why}, so it was left out" if n == 1 else
                f"{path.name} has {{n}} rows that name no fund they belong to (the first is row {{r}}{why}), so "
                "they were left out")
        notes.append(Note("rows_without_fund", text, (("n", n, "count"), ("r", int(line), "count"))))
    if rows.encoding:
        notes.append(Note("file_encoding", literal(encoding_note(path.name, rows.encoding))))
    keep = np.flatnonzero(~bad_row)
    for c, v in out.items():
        out[c] = (v[0][keep], v[1]) if c == "source" else v[keep]
    if "source" in _KEYED[kind] and "source" not in rows.header:
        out["source"] = (np.zeros(len(keep), np.int32), [""])
    if "nav" in _KEYED[kind] and "nav" not in rows.header:
        out["nav"] = np.full(len(keep), np.nan)
    return {"date": days[keep], "codes": codes[keep], "tickers": tickers, **out, "errors": errors, "notes": notes}
def _fast_keyed(path: Path, kind: str) -> dict:
    """The fast reader of shares.csv or flows.csv; it declines (to the careful reader) anything unusual."""
    value_col = _KEYED[kind][0]
    names = _header(path)
    if not {"date", "ticker", value_col} <= set(names):
        raise _Slow
    types = {"date": "str", "ticker": "str", value_col: "num"}
    types.update({c: ("num" if c == "nav" else "str") for c in _KEYED[kind][1:] if c in names})
    table = _arrow_read(path, names, types, threads=True)
    if not table.num_rows:
        raise _Slow
    values = _arrow_numbers(table, value_col)
    if value_col == "shares_outstanding":
        if np.isnan(values).any() or (values < 0).any():
            raise _Slow
        values = np.round(values)  # float: an absurd count must not wrap around
    codes, tickers = _arrow_codes(table, "ticker", lambda v: v.strip().upper())
    if "" in tickers:  # a row that names no fund: the careful reader says so
        raise _Slow
    out = {"date": _arrow_dates(table, "date"), "codes": codes, "tickers": tickers, value_col: values,
           "errors": {}, "notes": []}
    if "nav" in _KEYED[kind]:
        out["nav"] = _arrow_numbers(table, "nav") if "nav" in names else np.full(len(values), np.nan)
    if "source" in _KEYED[kind]:
        if "source" in names:
            import pyarrow.compute as pc

            table = table.set_column(table.column_names.index("source"), "source",
                                     pc.fill_null(table.column("source"), ""))
            out["source"] = _arrow_codes(table, "source", lambda v: v)
        else:
            out["source"] = (np.zeros(table.num_rows, dtype=np.int32), [""])
    return out


def _keyed_columns(path: Path, kind: str) -> dict:
    if path.is_file():
        try:
            return _fast_keyed(path, kind)
        except _Slow:
            pass
    return _keyed_careful(path, kind)


def read_shares_columns(path: Path) -> dict:
    """shares.csv as arrays (file order): date, ticker codes into `tickers`, shares_outstanding, nav, source
    (codes, values); `errors` per ticker refused for a malformed row, `notes` for every fund of the file."""
    return _keyed_columns(path, "shares")


def read_flows_columns(path: Path) -> dict:
    """flows.csv as arrays (file order): date, ticker codes into `tickers`, flow_usd; `errors` and `notes` as
    for `read_shares_columns`."""
    return _keyed_columns(path, "flows")


def _keyed_frame(path: Path, kind: str) -> pd.DataFrame:
    c = _keyed_careful(path, kind)
    if c["errors"]:
        raise min(c["errors"].values(), key=lambda e: e.row or 0)
    out = pd.DataFrame(index=date_index(c["date"]))
    out["ticker"] = np.asarray(c["tickers"] + [""], dtype=object)[c["codes"]]
    for col in _KEYED[kind]:
        if col == "source":
            codes, values = c[col]
            out[col] = np.asarray(values + [""], dtype=object)[codes]
        else:
            out[col] = c[col]
    return out


def read_shares_careful(path: Path) -> pd.DataFrame:
    """shares.csv read row by row, naming the first bad row: index date; ticker, shares_outstanding, nav, source."""
    return _keyed_frame(path, "shares")


def read_flows_careful(path: Path) -> pd.DataFrame:
    """flows.csv read row by row, naming the first bad row: index date; ticker, flow_usd."""
    return _keyed_frame(path, "flows")


def read_fund_info(path: Path) -> dict | None:
    """One funds/<TICKER>.json mapping, checked (`inputs.FundInfo`), or None when there is no such file."""
    return read_fund_info_file(path)[0]
