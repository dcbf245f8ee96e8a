"""Yahoo Finance through yfinance: build the query, call yfinance, normalize.

Each data kind is fetched in three steps, as in the OpenBB provider layer:

* ``query`` builds a frozen query object (pure);
* ``extract`` calls yfinance through an injectable ``client`` (the ``yfinance`` module
  or anything with the same ``Ticker(symbol)`` / ``download(...)`` surface) — the only
  module that asks Yahoo for data;
* ``normalize`` turns yfinance-shaped frames and dicts into frames and mappings laid
  out per the data directory contract (pure).

``fetch`` ties the steps together (``run_plans``, ``fetch_universe``) with the bounded retries
of ``retry`` on rate limits and connection blips, and records a failing ticker instead of
stopping the rest; ``reachability`` probes Yahoo first so that a missing network is one clear
line instead of a hang.

Code that replaces a step in tests patches the module that defines it (``extract.default_client``,
``reachability.unreachable_reason``): the names re-exported here are for calling.
"""

from .fetch import TickerData, UniverseResult, fetch_universe, run_plans
from .normalize import (
    EXCHANGE_TZ, PRICE_COLUMNS, PROVIDER, SHARES_COLUMNS, STALE_SESSIONS, FlatRun, SharesData, empty_prices,
    empty_shares, flat_run, normalize_fund_info, normalize_prices, normalize_shares, normalize_universe, utc_iso,
)
from .query import (
    FUND_TYPES, REQUEST_TIMEOUT, FundQuery, PriceQuery, SharesQuery, TickerPlan, UniverseQuery, fund_query,
    normalize_ticker, price_query, shares_query, universe_query, utc_date,
)
from .reachability import (
    PROBE_TIMEOUT, PROBE_URL_ENV, probe_url, rate_limited_error, unreachable_error, unreachable_reason,
)
from .retry import CallFailed, RetryPolicy, is_connection_error, is_missing_data, is_rate_limit

__all__ = [
    "CallFailed", "EXCHANGE_TZ", "FUND_TYPES", "FlatRun", "FundQuery", "PRICE_COLUMNS", "PROBE_TIMEOUT", "PROBE_URL_ENV",
    "PROVIDER", "PriceQuery", "REQUEST_TIMEOUT", "RetryPolicy", "SHARES_COLUMNS", "STALE_SESSIONS", "SharesData",
    "SharesQuery", "TickerData", "TickerPlan", "UniverseQuery", "UniverseResult", "empty_prices",
    "empty_shares", "fetch_universe", "flat_run", "fund_query", "is_connection_error", "is_missing_data",
    "is_rate_limit", "normalize_fund_info", "normalize_prices", "normalize_shares", "normalize_ticker",
    "normalize_universe", "price_query", "probe_url", "rate_limited_error", "run_plans", "shares_query",
    "unreachable_error", "unreachable_reason", "universe_query", "utc_date", "utc_iso",
]
