"""Readers of data-directory files: a fast pyarrow path, and a careful one that names the file, row and value.

Every reader takes the path of one file and knows nothing of the directory around it, the
columnar cache or the Source interface.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError

_PRICE_ALIASES = {"Adj Close": "AdjClose", "Stock Splits": "Splits", "date": "Date"}
_PRICE_REQUIRED = ("Date", "Close")
_PRICE_NUMERIC = ("Open", "High", "Low", "Close", "AdjClose", "Volume", "Dividends", "Splits")


def _parse_dates(values: pd.Series, path: Path, column: str, row_offset: int = 2) -> pd.DatetimeIndex:
    """ISO dates (a time or zone suffix is tolerated); names the first bad row."""
    text = values.astype("string").str.strip().str.slice(0, 10)
    parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    bad = parsed.isna().to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(path, f"expected a date YYYY-MM-DD in column {column!r}, got {values.iloc[i]!r}",
                        row=i + row_offset)
    return pd.DatetimeIndex(parsed)


def _parse_numbers(values: pd.Series, path: Path, column: str, row_offset: int = 2) -> pd.Series:
    """Floats; blanks become NaN, anything else unparseable names its row."""
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    text = values.astype("string").str.strip().str.replace(",", "", regex=False)
    out = pd.to_numeric(text, errors="coerce")
    bad = (out.isna() & text.notna() & (text != "")).to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(path, f"expected a number in column {column!r}, got {values.iloc[i]!r}", row=i + row_offset)
    return out.astype(float)


def _read_csv(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(path, f"not a readable CSV file ({exc})") from None
    except pd.errors.EmptyDataError:
        raise DataError(path, "the file is empty; expected a header row") from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DataError(path, f"missing column(s) {', '.join(missing)}; expected {', '.join(required)}", row=1)
    return frame

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
        return pacsv.read_csv(
            path,
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

    def frame(self, path: Path) -> pd.DataFrame:
        out = pd.DataFrame(self.columns, index=date_index(self.dates))
        out.attrs["duplicates"] = self.duplicates
        out.attrs["path"] = str(path)
        return out


def _fast_price_columns(path: Path, threads: bool = False) -> PriceColumns:
    names = _header(path)
    present = {_PRICE_ALIASES.get(n, n): n for n in names}
    if "Date" not in present or "Close" not in present or len(present) != len(names):
        raise _Slow
    types = {present["Date"]: "str", **{present[c]: "num" for c in _PRICE_NUMERIC if c in present}}
    table = _arrow_read(path, names, types, threads)
    dates = _arrow_dates(table, present["Date"])
    raw = {c: _arrow_numbers(table, present[c]) for c in _PRICE_NUMERIC if c in present}
    close = raw["Close"]
    if (close <= 0).any():  # the careful reader names the row
        raise _Slow
    keep = ~np.isnan(close)
    dates = dates[keep]
    # duplicates keep the last row; then date order
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
    return PriceColumns(dates=dates[rows], columns={c: cols[c] for c in order_out}, duplicates=duplicates)


def read_price_columns(path: Path) -> PriceColumns:
    """`read_prices` as arrays: the fast reader when it can, the careful one otherwise (same result)."""
    try:
        return _fast_price_columns(path)
    except _Slow:
        frame = _read_prices_careful(path)
        return PriceColumns(dates=frame.index.to_numpy(dtype="datetime64[ns]"),
                            columns={c: frame[c].to_numpy(dtype=float) for c in frame.columns},
                            duplicates=int(frame.attrs["duplicates"]))


def read_prices(path: Path) -> pd.DataFrame:
    """One prices/<TICKER>.csv as a float frame indexed by date; duplicates keep the last row."""
    try:
        return _fast_price_columns(path).frame(path)
    except _Slow:
        return _read_prices_careful(path)


def _read_prices_careful(path: Path) -> pd.DataFrame:
    frame = _read_csv(path, ()).rename(columns=_PRICE_ALIASES)
    missing = [c for c in _PRICE_REQUIRED if c not in frame.columns]
    if missing:
        raise DataError(path, f"missing column(s) {', '.join(missing)}; expected Date, Open, High, Low, Close, Volume",
                        row=1)
    index = _parse_dates(frame["Date"], path, "Date")
    out = pd.DataFrame(index=index)
    for column in _PRICE_NUMERIC:
        if column in frame.columns:
            out[column] = _parse_numbers(frame[column], path, column).to_numpy()
    out.index.name = "date"
    closes = out["Close"].to_numpy()
    nonpositive = ~np.isnan(closes) & (closes <= 0)
    if nonpositive.any():
        i = int(np.argmax(nonpositive))
        raise DataError(path, f"expected a positive Close, got {frame['Close'].iloc[i]!r}", row=i + 2)
    out = out[~np.isnan(closes)]
    duplicates = int(out.index.duplicated(keep="last").sum())
    out = out[~out.index.duplicated(keep="last")].sort_index()
    for column in ("Open", "High", "Low"):
        if column not in out.columns:
            out[column] = out["Close"]
        else:
            out[column] = out[column].fillna(out["Close"])
    if "Volume" not in out.columns:
        out["Volume"] = np.nan
    for column in ("Dividends", "Splits"):
        if column not in out.columns:
            out[column] = 0.0
        else:
            out[column] = out[column].fillna(0.0)
    out.attrs["duplicates"] = duplicates
    out.attrs["path"] = str(path)
    return out


def _factorize(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    codes, uniq = pd.factorize(values.to_numpy(dtype=object), sort=True)
    return codes.astype(np.int32), [str(u) for u in uniq]


def read_shares_columns(path: Path) -> dict:
    """shares.csv as arrays (file order): date, ticker codes into `tickers`, shares_outstanding, nav, source."""
    if path.is_file():
        try:
            names = _header(path)
            if not {"date", "ticker", "shares_outstanding"} <= set(names):
                raise _Slow
            types = {"date": "str", "ticker": "str", "shares_outstanding": "num"}
            types.update({c: ("num" if c == "nav" else "str") for c in ("nav", "source") if c in names})
            table = _arrow_read(path, names, types, threads=True)
            if not table.num_rows:
                raise _Slow
            shares = _arrow_numbers(table, "shares_outstanding")
            if np.isnan(shares).any() or (shares < 0).any():
                raise _Slow
            codes, tickers = _arrow_codes(table, "ticker", lambda v: v.strip().upper())
            if "source" in names:
                import pyarrow.compute as pc

                table = table.set_column(table.column_names.index("source"), "source",
                                         pc.fill_null(table.column("source"), ""))
                src_codes, sources = _arrow_codes(table, "source", lambda v: v)
            else:
                src_codes, sources = np.zeros(table.num_rows, dtype=np.int32), [""]
            return {"date": _arrow_dates(table, "date"), "codes": codes, "tickers": tickers,
                    "shares_outstanding": np.round(shares),  # float: an absurd count must not wrap around
                    "nav": _arrow_numbers(table, "nav") if "nav" in names else np.full(len(shares), np.nan),
                    "source": (src_codes, sources)}
        except _Slow:
            pass
    frame = read_shares_careful(path)
    codes, tickers = _factorize(frame["ticker"])
    src_codes, sources = _factorize(frame["source"].astype(str))
    return {"date": frame.index.to_numpy(dtype="datetime64[ns]"), "codes": codes, "tickers": tickers,
            "shares_outstanding": frame["shares_outstanding"].to_numpy(dtype="int64"),
            "nav": frame["nav"].to_numpy(dtype=float), "source": (src_codes, sources)}


def read_shares_careful(path: Path) -> pd.DataFrame:
    """shares.csv read row by row, naming the first bad row: index date; ticker, shares_outstanding, nav, source."""
    empty = pd.DataFrame({"ticker": pd.Series(dtype=str), "shares_outstanding": pd.Series(dtype="int64"),
                          "nav": pd.Series(dtype=float), "source": pd.Series(dtype=str)},
                         index=pd.DatetimeIndex([], name="date"))
    if not path.is_file():
        return empty
    raw = _read_csv(path, ("date", "ticker", "shares_outstanding"))
    if raw.empty:
        return empty
    out = pd.DataFrame(index=_parse_dates(raw["date"], path, "date"))
    out.index.name = "date"
    out["ticker"] = raw["ticker"].str.strip().str.upper().to_numpy()
    shares = _parse_numbers(raw["shares_outstanding"], path, "shares_outstanding")
    bad = (shares.isna() | (shares < 0)).to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(path, "expected a non-negative share count in column 'shares_outstanding', "
                              f"got {raw['shares_outstanding'].iloc[i]!r}", row=i + 2)
    out["shares_outstanding"] = shares.round().astype(float).to_numpy()
    out["nav"] = (_parse_numbers(raw["nav"], path, "nav").to_numpy() if "nav" in raw.columns
                  else np.nan)
    out["source"] = raw["source"].fillna("").to_numpy() if "source" in raw.columns else ""
    return out


def read_flows_columns(path: Path) -> dict:
    """flows.csv as arrays (file order): date, ticker codes into `tickers`, flow_usd."""
    if path.is_file():
        try:
            names = _header(path)
            if not {"date", "ticker", "flow_usd"} <= set(names):
                raise _Slow
            table = _arrow_read(path, names, {"date": "str", "ticker": "str", "flow_usd": "num"}, threads=True)
            if not table.num_rows:
                raise _Slow
            codes, tickers = _arrow_codes(table, "ticker", lambda v: v.strip().upper())
            return {"date": _arrow_dates(table, "date"), "codes": codes, "tickers": tickers,
                    "flow_usd": _arrow_numbers(table, "flow_usd")}
        except _Slow:
            pass
    frame = read_flows_careful(path)
    codes, tickers = _factorize(frame["ticker"])
    return {"date": frame.index.to_numpy(dtype="datetime64[ns]"), "codes": codes, "tickers": tickers,
            "flow_usd": frame["flow_usd"].to_numpy(dtype=float)}


def read_flows_careful(path: Path) -> pd.DataFrame:
    """flows.csv read row by row, naming the first bad row: index date; ticker, flow_usd."""
    empty = pd.DataFrame({"ticker": pd.Series(dtype=str), "flow_usd": pd.Series(dtype=float)},
                         index=pd.DatetimeIndex([], name="date"))
    if not path.is_file():
        return empty
    raw = _read_csv(path, ("date", "ticker", "flow_usd"))
    if raw.empty:
        return empty
    out = pd.DataFrame(index=_parse_dates(raw["date"], path, "date"))
    out.index.name = "date"
    out["ticker"] = raw["ticker"].str.strip().str.upper().to_numpy()
    out["flow_usd"] = _parse_numbers(raw["flow_usd"], path, "flow_usd").to_numpy()
    return out


def read_fund_info(path: Path) -> dict | None:
    """One funds/<TICKER>.json mapping, or None when there is no such file."""
    if not path.is_file():
        return None
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(path, f"expected a JSON object ({exc.msg})", row=exc.lineno) from None
    if not isinstance(info, dict):
        raise DataError(path, "expected a JSON object with fund fields such as longName and topHoldings")
    return info
