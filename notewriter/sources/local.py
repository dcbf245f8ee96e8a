"""A data directory laid out per the contract (prices/, shares.csv, flows.csv, funds/, holdings/).

The files are parsed by `readers`; a whole universe is read as columns, through the columnar
cache, by `tables()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import UsageError
from .base import Source
from .columnar import load_data_dir
from .inputs import encoding_note, read_dataset_meta
from .readers import date_index, read_flows_careful, read_flows_columns, read_fund_info, read_prices
from .readers import read_shares_careful, read_shares_columns
from .tables import Note, Tables, literal


class DataDirSource(Source):
    """Reads one data directory; every file but the subject fund's prices is optional."""

    def __init__(self, root: str | Path):
        self.root = Path(root).expanduser()
        if not self.root.is_dir():
            raise UsageError(f"data directory {self.root} does not exist")
        if not (self.root / "prices").is_dir():
            raise UsageError(f"{self.root} is not a data directory: it has no prices/ folder")
        # dataset.json names every note's data: a malformed one stops the run (exit 2), it does not guess
        meta, encoding = read_dataset_meta(self.root / "dataset.json")
        self.label = meta.get("label") or f"data directory {self.root.name}"
        self.synthetic = bool(meta.get("synthetic") or False)
        note = encoding_note("dataset.json", encoding)
        self._dataset_notes = [Note("file_encoding", literal(note))] if note else []
        self._prices: dict[str, pd.DataFrame] = {}

    # -- listings ---------------------------------------------------------------------------

    @cached_property
    def _tickers(self) -> list[str]:
        return sorted(p.stem.upper() for p in (self.root / "prices").glob("*.csv"))

    def tickers(self) -> list[str]:
        return list(self._tickers)

    def funds(self) -> list[str]:
        fund_like = set(self._shares_columns["tickers"]) | set(self._flows_columns["tickers"])
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
    def _shares_columns(self) -> dict:
        """shares.csv as arrays (file order): date, ticker codes into `tickers`, shares_outstanding, nav, source."""
        return read_shares_columns(self.root / "shares.csv")

    @cached_property
    def _shares_all(self) -> pd.DataFrame:
        c = self._shares_columns
        if not len(c["date"]):
            return self._shares_careful()
        out = pd.DataFrame(index=date_index(c["date"]))
        out["ticker"] = np.asarray(c["tickers"], dtype=object)[c["codes"]]
        out["shares_outstanding"] = c["shares_outstanding"]
        out["nav"] = c["nav"]
        src_codes, sources = c["source"]
        out["source"] = np.asarray(sources, dtype=object)[src_codes]
        return out

    def _shares_careful(self) -> pd.DataFrame:
        return read_shares_careful(self.root / "shares.csv")

    @cached_property
    def _flows_columns(self) -> dict:
        """flows.csv as arrays (file order): date, ticker codes into `tickers`, flow_usd."""
        return read_flows_columns(self.root / "flows.csv")

    @cached_property
    def _flows_all(self) -> pd.DataFrame:
        c = self._flows_columns
        if not len(c["date"]):
            return self._flows_careful()
        out = pd.DataFrame(index=date_index(c["date"]))
        out["ticker"] = np.asarray(c["tickers"], dtype=object)[c["codes"]]
        out["flow_usd"] = c["flow_usd"]
        return out

    def _flows_careful(self) -> pd.DataFrame:
        return read_flows_careful(self.root / "flows.csv")

    def shares(self, ticker: str) -> pd.DataFrame:
        if ticker.upper() in self._shares_columns["errors"]:
            raise self._shares_columns["errors"][ticker.upper()]
        rows = self._shares_all[self._shares_all["ticker"] == ticker.upper()]
        rows = rows.drop(columns="ticker").sort_index(kind="stable")
        duplicates = int(rows.index.duplicated(keep="last").sum())
        rows = rows[~rows.index.duplicated(keep="last")]
        rows.attrs["duplicates"] = duplicates
        return rows

    def vendor_flows(self, ticker: str) -> pd.DataFrame:
        if ticker.upper() in self._flows_columns["errors"]:
            raise self._flows_columns["errors"][ticker.upper()]
        rows = self._flows_all[self._flows_all["ticker"] == ticker.upper()]
        rows = rows.drop(columns="ticker").sort_index(kind="stable")
        duplicates = int(rows.index.duplicated(keep="last").sum())
        rows = rows[~rows.index.duplicated(keep="last")]
        rows.attrs["duplicates"] = duplicates
        return rows

    def fund_info(self, ticker: str) -> dict | None:
        return read_fund_info(self.root / "funds" / f"{ticker.upper()}.json")

    def holdings(self, ticker: str) -> pd.DataFrame | None:
        path = self.root / "holdings" / f"{ticker.upper()}.csv"
        if not path.is_file():
            return None
        from .vendor_files import read_ishares_holdings

        frame, meta = read_ishares_holdings(path)
        frame.attrs.update(meta)
        note = encoding_note(self.path_of("holdings", ticker.upper()), meta.get("encoding"))
        if note:
            frame.attrs["encoding_note"] = literal(note)
        return frame

    # -- the whole universe as columns ----------------------------------------------------------

    def tables(self, tickers: Iterable[str] | None = None) -> Tables:
        """Every file of the directory as columns, through the columnar cache in the user cache folder
        (an unchanged file is not parsed again); a malformed fund's error is kept for that fund."""
        tables = load_data_dir(self.root).select(tickers)
        if self._dataset_notes:
            tables = replace(tables, file_notes={**tables.file_notes, "dataset": list(self._dataset_notes)})
        return tables
