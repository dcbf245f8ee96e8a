"""``cache.json``: per ticker and kind, when and from where data was fetched and its last data date.

It makes refreshes incremental and lets notes say when cached data is stale.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from notewriter.errors import DataError
from notewriter.files import write_atomic
from notewriter.sources.yfinance.normalize import utc_iso

MANIFEST = "cache.json"


def read_manifest(cache_dir: str | os.PathLike) -> dict:
    path = Path(cache_dir) / MANIFEST
    if not path.is_file():
        return {"version": 1, "tickers": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(path, f"expected the cache's JSON record ({exc.msg}); delete it to rebuild", row=exc.lineno) \
            from None
    if not isinstance(data, dict) or not isinstance(data.get("tickers", {}), dict):
        raise DataError(path, "expected an object with a 'tickers' mapping; delete it to rebuild")
    data.setdefault("version", 1)
    data.setdefault("tickers", {})
    return data


def write_manifest(cache_dir: str | os.PathLike, manifest: dict) -> None:
    write_atomic(Path(cache_dir) / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n", fsync=True)


def record(
    cache_dir: str | os.PathLike, ticker: str, kind: str, *, source: str, fetched_at: datetime,
    last_date: date | None = None, **extra,
) -> None:
    """Note in cache.json that ``kind`` data for ``ticker`` came from ``source`` at ``fetched_at``."""
    manifest = read_manifest(cache_dir)
    entry = {"fetched_at": utc_iso(fetched_at), "source": source}
    if last_date is not None:
        entry["last_date"] = pd.Timestamp(last_date).date().isoformat()
    entry.update({k: v for k, v in extra.items() if v is not None})
    manifest["tickers"].setdefault(ticker, {})[kind] = entry
    write_manifest(cache_dir, manifest)


def entry_of(manifest: dict, ticker: str, kind: str) -> dict:
    """The record of ``kind`` data for ``ticker`` ({} when there is none)."""
    return manifest.get("tickers", {}).get(ticker, {}).get(kind) or {}


def parse_time(text: str | None) -> datetime | None:
    """A recorded time as an aware UTC datetime (None when absent or unreadable)."""
    if not text:
        return None
    try:
        stamp = pd.Timestamp(text)
    except ValueError:
        return None
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.to_pydatetime()
