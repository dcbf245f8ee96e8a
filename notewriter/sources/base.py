"""The one interface every data source implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from datetime import date

import pandas as pd

from .tables import Tables, from_source


class Source(ABC):
    """A universe of funds and their data, laid out per the data directory contract.

    Frames are normalized: prices indexed by `date` (datetime.date-like Timestamp, sorted,
    unique) with float columns Open, High, Low, Close, Volume and, when present, AdjClose,
    Dividends, Splits. Missing optional data is an empty frame or None, never an error.
    """

    #: short human name used in note footers ("bundled sample data", "yfinance cache", ...)
    label: str = "data"
    #: True when the data is synthetic (the bundled samples); notes then say so
    synthetic: bool = False

    @abstractmethod
    def tickers(self) -> list[str]:
        """Every ticker with a price file, sorted."""

    @abstractmethod
    def funds(self) -> list[str]:
        """Tickers that are funds (have fund info, share counts, flows or holdings), sorted."""

    @abstractmethod
    def prices(self, ticker: str) -> pd.DataFrame:
        """Daily prices for `ticker`; raises UsageError if there is no price file."""

    def has_prices(self, ticker: str) -> bool:
        return ticker in self.tickers()

    @abstractmethod
    def shares(self, ticker: str) -> pd.DataFrame:
        """Shares outstanding rows for `ticker`: index date; columns shares_outstanding (int),
        nav (float, may be NaN), source (str). Empty frame when none."""

    @abstractmethod
    def vendor_flows(self, ticker: str) -> pd.DataFrame:
        """Vendor-reported flows: index date; column flow_usd (float, NaN = no data). Empty when none."""

    @abstractmethod
    def fund_info(self, ticker: str) -> dict | None:
        """The funds/<TICKER>.json mapping, or None."""

    @abstractmethod
    def holdings(self, ticker: str) -> pd.DataFrame | None:
        """Full holdings (columns ticker, name, weight as fraction, sector, asset_class), or None."""

    @abstractmethod
    def path_of(self, kind: str, ticker: str | None = None) -> str:
        """Where a given kind of data comes from, for provenance (a path or a provider name)."""

    def last_date(self, ticker: str) -> date:
        return self.prices(ticker).index[-1].date()

    def tables(self, tickers: Iterable[str] | None = None) -> Tables:
        """The long tables of `tickers` (None: the whole universe) as columns, for the facts stage.

        Built here through the per-ticker methods above; a source that can read its universe
        faster as a whole (a data directory) overrides this. Errors of single tickers are kept
        in `Tables.errors`, not raised."""
        return from_source(self, tickers)
