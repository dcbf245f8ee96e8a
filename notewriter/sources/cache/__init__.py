"""A local cache of fetched data, laid out per the data directory contract.

A cache directory is a valid data directory (``--data`` can point at it): prices/,
shares.csv, flows.csv, funds/, holdings/ and ``dataset.json``. ``cache.json`` at its root
records, per ticker and kind, when and from where data was fetched and the last data
date, so refreshes are incremental and notes can say when data is stale.

``layout`` where the cache is and how its files are written; ``manifest`` cache.json;
``stored`` the cached tables and merging new rows into them; ``plans`` what a refresh asks
Yahoo for; ``refresh`` the fetch into the cache; ``staleness`` the notes' staleness sentences;
``serve`` the CLI's entry (fetch what is missing, then open the cache as a data directory).
"""

from .layout import CACHE_SUBDIR, DATASET, DATASET_INFO, init_cache, resolve_cache_dir
from .manifest import MANIFEST, read_manifest, record, write_manifest
from .plans import DEFAULT_PRICE_YEARS, DEFAULT_SHARES_DAYS, SNAPSHOT_MAX_AGE, component_symbols
from .refresh import FetchResult, TickerOutcome, fetch
from .serve import CachedSource, ensure_cached
from .staleness import STALE_AFTER_DAYS, staleness
from .stored import (
    PriceMerge, cached_shares, cached_tickers, merge_flows, merge_prices, merge_shares, merge_table, read_cached_prices,
    write_prices,
)

__all__ = [
    "CACHE_SUBDIR", "CachedSource", "DATASET", "DATASET_INFO", "DEFAULT_PRICE_YEARS", "DEFAULT_SHARES_DAYS",
    "FetchResult", "MANIFEST", "PriceMerge", "SNAPSHOT_MAX_AGE", "STALE_AFTER_DAYS", "TickerOutcome",
    "cached_shares", "cached_tickers", "component_symbols", "ensure_cached", "fetch", "init_cache", "merge_flows",
    "merge_prices", "merge_shares", "merge_table", "read_cached_prices", "read_manifest", "record",
    "resolve_cache_dir", "staleness", "write_manifest", "write_prices",
]
