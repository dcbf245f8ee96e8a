"""A data directory laid out per the contract (prices/, shares.csv, flows.csv, funds/, holdings/)."""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, UsageError
from .base import Source

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


def read_prices(path: Path) -> pd.DataFrame:
    """One prices/<TICKER>.csv as a float frame indexed by date; duplicates keep the last row."""
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


class DataDirSource(Source):
    """Reads one data directory; every file but the subject fund's prices is optional."""

    def __init__(self, root: str | Path):
        self.root = Path(root).expanduser()
        if not self.root.is_dir():
            raise UsageError(f"data directory {self.root} does not exist")
        if not (self.root / "prices").is_dir():
            raise UsageError(f"{self.root} is not a data directory: it has no prices/ folder")
        meta = self._dataset_meta()
        self.label = meta.get("label") or f"data directory {self.root.name}"
        self.synthetic = bool(meta.get("synthetic", False))
        self._prices: dict[str, pd.DataFrame] = {}

    def _dataset_meta(self) -> dict:
        path = self.root / "dataset.json"
        if not path.is_file():
            return {}
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataError(path, f"expected a JSON object ({exc.msg})", row=exc.lineno) from None
        return meta if isinstance(meta, dict) else {}

    # -- listings ---------------------------------------------------------------------------

    @cached_property
    def _tickers(self) -> list[str]:
        return sorted(p.stem.upper() for p in (self.root / "prices").glob("*.csv"))

    def tickers(self) -> list[str]:
        return list(self._tickers)

    def funds(self) -> list[str]:
        fund_like = set(self._shares_all["ticker"]) | set(self._flows_all["ticker"])
        fund_like |= {p.stem.upper() for p in (self.root / "funds").glob("*.json")}
        fund_like |= {p.stem.upper() for p in (self.root / "holdings").glob("*.csv")}
        return sorted(t for t in self._tickers if t in fund_like)

    def path_of(self, kind: str, ticker: str | None = None) -> str:
        names = {"prices": f"prices/{ticker}.csv", "shares": "shares.csv", "flows": "flows.csv",
                 "funds": f"funds/{ticker}.json", "holdings": f"holdings/{ticker}.csv"}
        return names[kind]

    def has_prices(self, ticker: str) -> bool:
        return ticker in self._tickers

    # -- per-file readers -------------------------------------------------------------------

    def prices(self, ticker: str) -> pd.DataFrame:
        ticker = ticker.upper()
        if ticker not in self._prices:
            path = self.root / "prices" / f"{ticker}.csv"
            if not path.is_file():
                raise UsageError(f"no prices for {ticker} in {self.root} (expected {path})")
            self._prices[ticker] = read_prices(path)
        return self._prices[ticker]

    @cached_property
    def _shares_all(self) -> pd.DataFrame:
        path = self.root / "shares.csv"
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
        out["shares_outstanding"] = shares.round().astype("int64").to_numpy()
        out["nav"] = (_parse_numbers(raw["nav"], path, "nav").to_numpy() if "nav" in raw.columns
                      else np.nan)
        out["source"] = raw["source"].fillna("").to_numpy() if "source" in raw.columns else ""
        return out

    @cached_property
    def _flows_all(self) -> pd.DataFrame:
        path = self.root / "flows.csv"
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

    def shares(self, ticker: str) -> pd.DataFrame:
        rows = self._shares_all[self._shares_all["ticker"] == ticker.upper()]
        rows = rows.drop(columns="ticker").sort_index(kind="stable")
        duplicates = int(rows.index.duplicated(keep="last").sum())
        rows = rows[~rows.index.duplicated(keep="last")]
        rows.attrs["duplicates"] = duplicates
        return rows

    def vendor_flows(self, ticker: str) -> pd.DataFrame:
        rows = self._flows_all[self._flows_all["ticker"] == ticker.upper()]
        rows = rows.drop(columns="ticker").sort_index(kind="stable")
        duplicates = int(rows.index.duplicated(keep="last").sum())
        rows = rows[~rows.index.duplicated(keep="last")]
        rows.attrs["duplicates"] = duplicates
        return rows

    def fund_info(self, ticker: str) -> dict | None:
        path = self.root / "funds" / f"{ticker.upper()}.json"
        if not path.is_file():
            return None
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataError(path, f"expected a JSON object ({exc.msg})", row=exc.lineno) from None
        if not isinstance(info, dict):
            raise DataError(path, "expected a JSON object with fund fields such as longName and topHoldings")
        return info

    def holdings(self, ticker: str) -> pd.DataFrame | None:
        path = self.root / "holdings" / f"{ticker.upper()}.csv"
        if not path.is_file():
            return None
        from .importers import read_ishares_holdings

        frame, meta = read_ishares_holdings(path)
        frame.attrs.update(meta)
        return frame
