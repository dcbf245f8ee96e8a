"""Reference data shipped with the package (dated, with its source in each file), extendable by the user."""

from __future__ import annotations

import csv
import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .. import calendar
from ..errors import DataError, UsageError

HERE = Path(__file__).resolve().parent


def _rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    reader = csv.DictReader(lines)
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise DataError(path, f"expected columns {', '.join(columns)}; missing {', '.join(missing)}", row=1)
    out = []
    for i, row in enumerate(reader, start=2):
        if any(not (row.get(c) or "").strip() for c in columns):
            raise DataError(path, f"expected a value in every column ({', '.join(columns)})", row=i)
        out.append({c: row[c].strip() for c in columns})
    return out


@lru_cache(maxsize=4)
def _same_index(user: str | None) -> dict[str, str]:
    out = {r["ticker"].upper(): r["index"] for r in _rows(HERE / "same_index.csv", ("ticker", "index"))}
    if user:
        path = Path(user)
        if not path.is_file():
            raise UsageError(f"NOTEWRITER_INDEX_MAP names {path}, which is not a file")
        out.update({r["ticker"].upper(): r["index"] for r in _rows(path, ("ticker", "index"))})
    return out


def same_index() -> dict[str, str]:
    """ticker -> the index (or underlying) it tracks, for funds known to share one with another fund."""
    return _same_index(os.environ.get("NOTEWRITER_INDEX_MAP") or None)


# Events a note may name, by the code used in events.csv (and in a user's file).
EVENT_KINDS = ("options_expiry", "sp_rebalance", "russell_reconstitution", "fomc")


def _on_or_before_session(day: pd.Timestamp) -> pd.Timestamp:
    """An event fixed to a weekday moves to the session before when the exchange is closed that day."""
    return calendar.session_on_or_before(day)


def _third_friday(year: int, month: int) -> pd.Timestamp:
    first = pd.Timestamp(year, month, 1)
    return first + pd.Timedelta(days=(4 - first.weekday()) % 7 + 14)


def ruled_events(start: pd.Timestamp, end: pd.Timestamp) -> list[tuple[pd.Timestamp, str]]:
    """Events set by a standing rule, in [start, end]: the monthly equity options expiry (third Friday,
    the session before when that Friday is a holiday) and the S&P quarterly rebalance (effective after
    the close of the third Friday of March, June, September and December)."""
    out = []
    for month in pd.period_range(pd.Timestamp(start).to_period("M"), pd.Timestamp(end).to_period("M"), freq="M"):
        day = _on_or_before_session(_third_friday(month.year, month.month))
        if start <= day <= end:
            out.append((day, "options_expiry"))
            if month.month in (3, 6, 9, 12):
                out.append((day, "sp_rebalance"))
    return out


@lru_cache(maxsize=4)
def _listed_events(user: str | None) -> tuple[tuple[pd.Timestamp, str, str], ...]:
    files = [HERE / "events.csv"]
    if user:
        path = Path(user)
        if not path.is_file():
            raise UsageError(f"NOTEWRITER_EVENTS names {path}, which is not a file")
        files.append(path)
    out = set()
    for path in files:
        for i, row in enumerate(_rows(path, ("date", "event", "source")), start=2):
            try:
                day = pd.Timestamp(row["date"])
            except ValueError:
                raise DataError(path, f"expected a date (YYYY-MM-DD), got {row['date']!r}", row=i) from None
            if row["event"] not in EVENT_KINDS:
                raise DataError(path, f"expected an event of {', '.join(EVENT_KINDS)}, got {row['event']!r}", row=i)
            out.add((day.normalize(), row["event"], row["source"]))
    return tuple(sorted(out))


def scheduled_events(start, end) -> list[tuple[pd.Timestamp, str]]:
    """Every scheduled event in [start, end], by date then kind: the listed ones (events.csv and the
    file named by NOTEWRITER_EVENTS) and the ones set by a standing rule."""
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    listed = [(d, e) for d, e, _ in _listed_events(os.environ.get("NOTEWRITER_EVENTS") or None) if start <= d <= end]
    both = set(listed) | set(ruled_events(start, end))
    return sorted(both, key=lambda x: (x[0], EVENT_KINDS.index(x[1])))
