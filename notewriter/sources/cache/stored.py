"""What the cache holds: its tickers, its prices and share counts, and merging newly fetched rows into them."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from notewriter.errors import DataError
from notewriter.files import write_atomic
from notewriter.sources.yfinance.normalize import PRICE_COLUMNS, PROVIDER, SHARES_COLUMNS

from .layout import write_csv
from .manifest import entry_of, read_manifest

#: a close on the overlapping session that moved more than this means a new price basis (a split)
_BASIS_TOLERANCE = 0.02


def cached_tickers(cache_dir: str | os.PathLike, *, components: bool = True) -> list[str]:
    """Tickers with cached prices; without ``components``, those fetched only as a fund's top holding are left out."""
    tickers = sorted(p.stem.upper() for p in (Path(cache_dir) / "prices").glob("*.csv"))
    if components:
        return tickers
    manifest = read_manifest(cache_dir)
    return [t for t in tickers if entry_of(manifest, t, "prices").get("role") != "component"]


def read_cached_prices(cache_dir: str | os.PathLike, ticker: str) -> pd.DataFrame | None:
    """The cached prices/<TICKER>.csv in the columns this module writes, or None."""
    path = Path(cache_dir) / "prices" / f"{ticker}.csv"
    if not path.is_file():
        return None
    try:
        frame = pd.read_csv(path, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(path, f"not a readable prices file ({exc}); delete it to fetch again") from None
    frame = frame.rename(columns={"Adj Close": "AdjClose", "Splits": "Stock Splits", "date": "Date"})
    if "Date" not in frame.columns or "Close" not in frame.columns:
        raise DataError(path, "expected columns Date and Close; delete the file to fetch again", row=1)
    frame["Date"] = pd.to_datetime(frame["Date"].astype(str).str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    if frame["Date"].isna().any():
        row = int(frame["Date"].isna().to_numpy().argmax()) + 2
        raise DataError(path, "expected a date YYYY-MM-DD in column 'Date'", row=row)
    for col in PRICE_COLUMNS[1:]:
        if col not in frame.columns:
            frame[col] = 0.0 if col in ("Dividends", "Stock Splits") else float("nan")
    frame["Volume"] = pd.to_numeric(frame["Volume"], errors="coerce").fillna(0).round().astype("int64")
    return frame[PRICE_COLUMNS].sort_values("Date", kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class PriceMerge:
    frame: pd.DataFrame
    needs_full_refetch: bool = False  # the new rows are on a different price basis (a split)
    rebased: bool = False  # older adjusted closes were re-based on the overlapping session


def merge_prices(old: pd.DataFrame | None, new: pd.DataFrame) -> PriceMerge:
    """Append newly fetched rows to cached ones; fetched rows win on shared dates.

    Yahoo re-bases the adjusted close of every earlier day at each dividend, so the ratio of
    adjustment factors on the overlapping session re-bases the cached AdjClose. A split in the
    new rows, or a raw close that moved on the overlap, means Yahoo re-based the raw prices
    too: then only a full re-fetch is consistent.
    """
    if old is None or old.empty:
        return PriceMerge(new.reset_index(drop=True))
    if new.empty:
        return PriceMerge(old.reset_index(drop=True))
    first_new = new["Date"].min()
    old_part = old[old["Date"] < first_new].copy()
    overlap = old.merge(new, on="Date", suffixes=("_old", "_new"))
    later = new[new["Date"] > old["Date"].max()]
    if (later["Stock Splits"].fillna(0) != 0).any():
        return PriceMerge(new, needs_full_refetch=True)
    rebased = False
    if not overlap.empty:
        row = overlap.sort_values("Date").iloc[-1]
        close_old, close_new = row["Close_old"], row["Close_new"]
        if close_old and abs(close_new / close_old - 1) > _BASIS_TOLERANCE:
            return PriceMerge(new, needs_full_refetch=True)
        adj_old, adj_new = row["AdjClose_old"], row["AdjClose_new"]
        if all(isinstance(v, float) and not math.isnan(v) and v for v in (adj_old, adj_new, close_old, close_new)):
            ratio = (adj_new / close_new) / (adj_old / close_old)
            if abs(ratio - 1) > 1e-12:
                old_part["AdjClose"] = old_part["AdjClose"] * ratio
                rebased = True
    elif (later["Dividends"].fillna(0) != 0).any() and old_part["AdjClose"].notna().any():
        return PriceMerge(new, needs_full_refetch=True)
    merged = pd.concat([old_part, new], ignore_index=True)
    merged = merged.drop_duplicates("Date", keep="last").sort_values("Date", kind="stable")
    return PriceMerge(merged.reset_index(drop=True)[PRICE_COLUMNS], rebased=rebased)


def write_prices(cache_dir: str | os.PathLike, ticker: str, frame: pd.DataFrame) -> Path:
    path = Path(cache_dir) / "prices" / f"{ticker}.csv"
    write_csv(path, frame[PRICE_COLUMNS], "Date")
    return path


def _read_table(path: Path, columns: list[str], keys: list[str]) -> pd.DataFrame:
    if not path.is_file():
        return pd.DataFrame(columns=columns)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(path, f"not a readable CSV file ({exc})") from None
    except pd.errors.EmptyDataError:
        return pd.DataFrame(columns=columns)
    missing = [c for c in keys if c not in frame.columns]
    if missing:
        raise DataError(path, f"missing column(s) {', '.join(missing)}; expected {', '.join(columns)}", row=1)
    for col in columns:
        if col not in frame.columns:
            frame[col] = ""
    return frame[columns]


def _as_text_rows(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Rows rendered as the strings they are written as (dates ISO, ints without .0, NaN blank)."""
    out = pd.DataFrame(index=frame.index)
    for col in columns:
        values = frame[col] if col in frame.columns else pd.Series("", index=frame.index)
        if col == "date":
            out[col] = pd.DatetimeIndex(pd.to_datetime(values)).strftime("%Y-%m-%d")
        elif col == "shares_outstanding":
            out[col] = [str(int(v)) for v in values]
        elif col in ("nav", "flow_usd"):
            out[col] = ["" if v is None or (isinstance(v, float) and math.isnan(v)) else repr(float(v))
                        for v in values]
        else:
            out[col] = ["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in values]
    return out


def merge_table(path: Path, rows: pd.DataFrame, columns: list[str], keys: list[str]) -> int:
    """Merge ``rows`` into the CSV at ``path``: rows with the same ``keys`` are replaced, the
    rest kept; sorted by ticker, then date. Returns the number of rows in ``rows``."""
    existing = _read_table(path, columns, keys)
    new = _as_text_rows(rows, columns)
    merged = pd.concat([existing, new], ignore_index=True)
    merged["ticker"] = merged["ticker"].str.strip().str.upper()
    merged = merged.drop_duplicates(keys, keep="last")
    merged = merged.sort_values(["ticker", "date"] + [k for k in keys if k not in ("ticker", "date")], kind="stable")
    write_atomic(path, merged.to_csv(index=False, lineterminator="\n"), fsync=True)
    return len(new)


def merge_shares(cache_dir: str | os.PathLike, rows: pd.DataFrame) -> int:
    """Merge share-count rows into shares.csv, keyed by (date, ticker, source)."""
    return merge_table(Path(cache_dir) / "shares.csv", rows, SHARES_COLUMNS, ["date", "ticker", "source"])


def merge_flows(cache_dir: str | os.PathLike, rows: pd.DataFrame) -> int:
    """Merge vendor flow rows into flows.csv, keyed by (date, ticker)."""
    return merge_table(Path(cache_dir) / "flows.csv", rows, ["date", "ticker", "flow_usd"], ["date", "ticker"])


def cached_shares(cache_dir: str | os.PathLike, ticker: str, source: str = PROVIDER) -> pd.DataFrame:
    """Cached share counts for one ticker and source (columns date, shares_outstanding)."""
    table = _read_table(Path(cache_dir) / "shares.csv", SHARES_COLUMNS, ["date", "ticker", "shares_outstanding"])
    rows = table[(table["ticker"].str.upper() == ticker) & (table["source"] == source)]
    return pd.DataFrame({
        "date": pd.to_datetime(rows["date"], format="%Y-%m-%d"),
        "shares_outstanding": pd.to_numeric(rows["shares_outstanding"]).astype("int64"),
    }).sort_values("date", kind="stable").reset_index(drop=True)
