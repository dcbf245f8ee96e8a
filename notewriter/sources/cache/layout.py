"""Where the yfinance cache is, its folders and ``dataset.json``, and how its CSV files are written.

A cache directory is a valid data directory (``--data`` can point at it): prices/, shares.csv,
flows.csv, funds/, holdings/ and ``dataset.json``. Every file is written atomically, and flushed
to disk before it replaces the old one (notewriter.files.write_atomic).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from notewriter.config import user_cache_dir
from notewriter.errors import UsageError
from notewriter.files import write_atomic

CACHE_SUBDIR = "yfinance"
DATASET = "dataset.json"
DATASET_INFO = {"label": "yfinance cache", "synthetic": False}


def resolve_cache_dir(cache_dir: str | os.PathLike | None = None) -> Path:
    return Path(cache_dir).expanduser() if cache_dir else user_cache_dir(CACHE_SUBDIR)


def init_cache(cache_dir: str | os.PathLike | None = None) -> Path:
    """Create the cache folders and ``dataset.json`` if missing; returns the cache path."""
    root = resolve_cache_dir(cache_dir)
    try:
        (root / "prices").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the cache directory {root} ({exc.strerror or exc})") from None
    if not (root / DATASET).exists():
        write_atomic(root / DATASET, json.dumps(DATASET_INFO, indent=2) + "\n", fsync=True)
    return root


def write_csv(path: Path, frame: pd.DataFrame, date_column: str) -> None:
    out = frame.copy()
    out[date_column] = pd.DatetimeIndex(out[date_column]).strftime("%Y-%m-%d")
    write_atomic(path, out.to_csv(index=False, lineterminator="\n"), fsync=True)
