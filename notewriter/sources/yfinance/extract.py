"""Calls into yfinance: the only module that asks Yahoo Finance for anything.

``client`` is the ``yfinance`` module or anything with the same ``Ticker(symbol)`` /
``download(...)`` surface (tests pass a fake shaped by yfinance's own parsers).
"""

from __future__ import annotations

import logging
import warnings

import pandas as pd

from notewriter.errors import UsageError

from .query import FundQuery, PriceQuery, SharesQuery, UniverseQuery


def default_client():
    """The ``yfinance`` module, with its error log and its pandas deprecation warnings kept off
    stderr (failures are reported by us, in one line)."""
    try:
        import yfinance
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise UsageError(
            "live data needs yfinance, which is not installed; install it with: pip install 'notewriter[live]'"
        ) from exc
    warnings.filterwarnings("ignore", module=r"yfinance(\..*)?$")
    yf_logger = logging.getLogger("yfinance")
    if not any(isinstance(h, logging.NullHandler) for h in yf_logger.handlers):
        yf_logger.addHandler(logging.NullHandler())
    return yfinance


# A fresh Ticker per call: yfinance memoizes a failed `info` fetch on the Ticker object,
# so a retry on the same object would return the cached failure.


def extract_prices(query: PriceQuery, client) -> pd.DataFrame:
    return client.Ticker(query.ticker).history(**query.kwargs())


def extract_shares(query: SharesQuery, client) -> pd.Series | None:
    return client.Ticker(query.ticker).get_shares_full(**query.kwargs())


def extract_info(query: FundQuery, client) -> dict:
    info = client.Ticker(query.ticker).info
    return dict(info) if info else {}


def extract_fund_data(query: FundQuery, client) -> tuple[pd.DataFrame | None, dict | None]:
    """``funds_data.top_holdings`` (DataFrame indexed by Symbol) and ``.sector_weightings`` (dict)."""
    funds = client.Ticker(query.ticker).funds_data
    if funds is None:
        return None, None
    return funds.top_holdings, funds.sector_weightings


def extract_universe(query: UniverseQuery, client) -> pd.DataFrame:
    return client.download(**query.kwargs())
