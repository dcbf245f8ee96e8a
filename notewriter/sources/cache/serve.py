"""The CLI's entry: make sure the cache can serve a note (fetching what it lacks), then open it as a data directory."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from notewriter import calendar
from notewriter.errors import SourceUnavailable, UsageError
from notewriter.sources.base import Source
from notewriter.sources.yfinance.query import normalize_ticker
from notewriter.sources.yfinance.reachability import rate_limited_error, unreachable_error
from notewriter.sources.yfinance.retry import RetryPolicy

from .layout import resolve_cache_dir
from .refresh import FetchResult, fetch
from .staleness import staleness
from .stored import cached_tickers, read_cached_prices


@dataclass
class CachedSource:
    """A Source over the cache, with what the fetch did and per-ticker staleness sentences."""

    source: Source
    result: FetchResult
    stale: dict[str, str] = field(default_factory=dict)


def ensure_cached(
    tickers: Iterable[str] | None, as_of: date | None, cache_dir: str | os.PathLike | None = None,
    offline: bool = False, *, client=None, now: datetime | None = None, retry: RetryPolicy | None = None,
    probe: Callable[[], str | None] | None = None, source_factory: Callable[[Path], Source] | None = None,
) -> CachedSource:
    """Fetch what the cache lacks for ``tickers`` up to ``as_of`` (nothing when it already
    covers it), then open the cache as a data directory.

    ``tickers`` None means every cached ticker. Offline, nothing but the cache is read and
    a ticker not in it is a UsageError. Online, an unreachable Yahoo is a SourceUnavailable
    that points at ``--offline``; a ticker that failed but is cached is served from the
    cache with a warning, one that is not cached raises.
    """
    root = resolve_cache_dir(cache_dir)
    if tickers is None:
        syms = cached_tickers(root, components=False) if root.is_dir() else []
        if not syms:
            raise UsageError(f"the cache at {root} is empty; fetch data first with: notewriter fetch TICKER...")
    else:
        syms = list(dict.fromkeys(normalize_ticker(t) for t in tickers))
    if offline:
        result = fetch(syms, cache_dir=root, offline=True)
        missing = sorted(result.failed)
        if missing:
            names = ", ".join(missing)
            raise UsageError(
                f"{names} {'is' if len(missing) == 1 else 'are'} not in the cache at {root}; "
                f"run without --offline to fetch, or: notewriter fetch {' '.join(missing)}"
            )
    else:
        result = fetch(syms, cache_dir=root, client=client, now=now, retry=retry, probe=probe, as_of=as_of,
                       refresh_snapshots=as_of is None or _is_latest(as_of, now))
        for sym, outcome in sorted(result.outcomes.items()):
            if outcome.status != "failed":
                continue
            old = read_cached_prices(root, sym)
            if old is not None and not old.empty:
                outcome.warnings.append(f"{sym}: using cached data through {old['Date'].max().date()} "
                                        f"({outcome.message})")
                continue
            if outcome.error_kind == "network":
                raise unreachable_error(outcome.message, root)
            if outcome.error_kind == "rate_limit":
                raise rate_limited_error(outcome.message, root)
            if outcome.error_kind == "no_data":
                raise UsageError(outcome.message)
            raise SourceUnavailable(f"fetching {sym} from Yahoo Finance failed: {outcome.message}")
    factory = source_factory
    if factory is None:
        from notewriter.sources.local import DataDirSource

        factory = DataDirSource
    source = factory(root)
    day = as_of if as_of is not None else calendar.last_closed_session(now or datetime.now(timezone.utc))
    stale = {s: msg for s in syms if (msg := staleness(root, s, day))}
    return CachedSource(source, result, stale)


def _is_latest(as_of: date, now: datetime | None) -> bool:
    moment = now or datetime.now(timezone.utc)
    return calendar.session_on_or_before(as_of).date() >= calendar.last_closed_session(moment)
