"""Import vendor files into the cache: an iShares holdings download, a generic flows CSV.

Parsing is in `vendor_files`; this module writes what it parsed into the cache and records where it came from.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd

from notewriter.errors import DataError
from notewriter.files import write_atomic
from notewriter.sources import cache
from notewriter.sources.inputs import encoding_note
from notewriter.sources.vendor_files import read_flows_csv, read_ishares_holdings
from notewriter.sources.yfinance.query import normalize_ticker

ISHARES_SOURCE = "ishares-holdings"
FLOWS_SOURCE = "flows-csv"


@dataclass
class ImportResult:
    """What an import wrote into the cache."""

    kind: str  # holdings | flows
    path: Path  # the file imported
    cache_dir: Path
    tickers: list[str]
    rows: int
    as_of: date | None = None
    first_date: date | None = None
    last_date: date | None = None
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def import_ishares_holdings(
    path: str | os.PathLike, ticker: str, cache_dir: str | os.PathLike | None = None, *,
    now: datetime | None = None,
) -> ImportResult:
    """Copy an iShares holdings download into holdings/<TICKER>.csv of the cache (as is, so the
    preamble's dates stay with it), and add its shares-outstanding figure, dated by its
    as-of date, to shares.csv (source ``ishares-holdings``)."""
    src = Path(path)
    sym = normalize_ticker(ticker)
    frame, meta = read_ishares_holdings(src)
    if frame.empty:
        raise DataError(src, "no holdings rows after the header row")
    root = cache.init_cache(cache_dir)
    now = now or datetime.now(timezone.utc)
    target = root / "holdings" / f"{sym}.csv"
    with src.open("rb") as handle:
        write_atomic(target, handle.read(), fsync=True)
    result = ImportResult("holdings", src, root, [sym], len(frame), as_of=meta["as_of"], written=[target])
    if meta["shares_outstanding"] is not None and meta["as_of"] is not None:
        row = pd.DataFrame({"date": [pd.Timestamp(meta["as_of"])], "ticker": [sym],
                            "shares_outstanding": [meta["shares_outstanding"]], "nav": [float("nan")],
                            "source": [ISHARES_SOURCE]})
        cache.merge_shares(root, row)
        result.written.append(root / "shares.csv")
    elif meta["shares_outstanding"] is not None:
        result.notes.append(f"{src.name} gives shares outstanding but no as-of date; not added to shares.csv")
    else:
        result.notes.append(f"{src.name} has no preamble with shares outstanding; only the holdings were imported")
    if meta["as_of"] is None:
        result.notes.append(f"{src.name} has no 'Fund Holdings as of' date; the holdings are undated")
    if meta.get("encoding"):
        result.notes.append(encoding_note(src.name, meta["encoding"]))
    cache.record(root, sym, "holdings", source=ISHARES_SOURCE, fetched_at=now, last_date=meta["as_of"],
                 file=src.name, rows=len(frame), shares_outstanding=meta["shares_outstanding"])
    return result


def import_flows_csv(
    path: str | os.PathLike, cache_dir: str | os.PathLike | None = None, *, now: datetime | None = None,
) -> ImportResult:
    """Merge a flows CSV into the cache's flows.csv; a (date, ticker) already there is replaced."""
    src = Path(path)
    frame = read_flows_csv(src)
    if frame.empty:
        raise DataError(src, "no flow rows after the header row")
    root = cache.init_cache(cache_dir)
    now = now or datetime.now(timezone.utc)
    cache.merge_flows(root, frame)
    tickers = sorted(frame["ticker"].unique())
    for sym in tickers:
        rows = frame[frame["ticker"] == sym]
        cache.record(root, sym, "flows", source=f"{FLOWS_SOURCE}:{src.name}", fetched_at=now,
                     last_date=rows["date"].max().date(), rows=len(rows))
    return ImportResult("flows", src, root, tickers, len(frame), first_date=frame["date"].min().date(),
                        last_date=frame["date"].max().date(), written=[root / "flows.csv"],
                        notes=[encoding_note(src.name, frame.attrs["encoding"])] if frame.attrs.get("encoding") else [])


__all__ = ["ImportResult", "import_flows_csv", "import_ishares_holdings"]
