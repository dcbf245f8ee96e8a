"""Reference data shipped with the package (dated, with its source in each file), extendable by the user."""

from __future__ import annotations

import csv
import os
from functools import lru_cache
from pathlib import Path

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
