"""A data directory read whole as columns, with a columnar cache so an unchanged CSV is parsed only once.

The cache lives in the user cache folder (`columnar/<key of the data directory>`), never in the data
directory, and is keyed by each file's path, size and modification time; a changed file is re-parsed,
the rest reloaded from parquet. A cache folder that cannot be written to simply means running without
a cache.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from ..config import user_cache_dir
from ..errors import DataError, NotewriterError
from .inputs import FundInfoError, encoding_note, read_fund_info_file
from .readers import read_flows_columns, read_price_columns, read_shares_columns
from .tables import PRICE_COLUMNS, KeyedRows, Note, PriceRows, Tables, literal, price_block, price_rows

CACHE_VERSION = 6  # 6: fund files with half a surrogate pair are refused


def cache_dir(root: Path) -> Path:
    """Where a data directory's columnar cache lives: the user cache, keyed by the directory's path
    (never inside the data directory itself)."""
    key = hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:16]
    return user_cache_dir("columnar") / key


def _sig(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def _error_row(err: NotewriterError) -> dict:
    if isinstance(err, DataError):
        return {"type": "data", "path": err.path, "row": err.row, "message": str(err)}
    return {"type": "other", "message": str(err)}


def _error_from(row: dict) -> NotewriterError:
    if row.get("type") == "data":
        err = DataError(row["path"], "", row=row.get("row"))
        err.message = row["message"]
        err.args = (row["message"],)
        return err
    return NotewriterError(row["message"])


def _encoding_notes(path: Path, encoding: str | None) -> list[Note]:
    text = encoding_note(f"{path.parent.name}/{path.name}", encoding)
    return [Note("file_encoding", literal(text))] if text else []

class _Cache:
    """One folder: a JSON index of file signatures beside parquet tables."""

    def __init__(self, root: Path):
        self.dir = cache_dir(root)
        self.index: dict = {}
        path = self.dir / "index.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") == CACHE_VERSION:
                self.index = data
        except (OSError, ValueError):
            self.index = {}

    def table(self, name: str, rows: int | None) -> dict[str, np.ndarray] | None:
        """One cached table as numpy columns (None: missing, damaged or not the expected length)."""
        if rows is None:
            return None
        try:
            import pyarrow.parquet as pq

            table = pq.read_table(self.dir / f"{name}.parquet", memory_map=True)
            if table.num_rows != rows:
                return None
            out = {}
            for col in table.column_names:
                arr = table.column(col)
                arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
                out[col] = arr.to_numpy(zero_copy_only=False)
            return out
        except Exception:  # a missing or damaged cache file is just a miss
            return None

    def save(self, tables: dict[str, dict[str, np.ndarray]], index: dict) -> None:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq

            self.dir.mkdir(parents=True, exist_ok=True)
            for name, cols in tables.items():
                tmp = self.dir / f".{name}.parquet.tmp"
                pq.write_table(pa.table(cols), tmp, compression="none")
                os.replace(tmp, self.dir / f"{name}.parquet")
            tmp = self.dir / ".index.json.tmp"
            tmp.write_text(json.dumps({"version": CACHE_VERSION, **index}), encoding="utf-8")
            os.replace(tmp, self.dir / "index.json")
        except OSError:
            pass  # a cache folder that cannot be written to: run without a cache

def _parse_prices(files: dict[str, Path], todo: list[str]) -> dict[str, object]:
    """Parse price files on a few threads (the CSV reader runs outside the GIL); errors are values."""
    from concurrent.futures import ThreadPoolExecutor

    def one(t):
        try:
            return read_price_columns(files[t])
        except NotewriterError as err:
            return err

    if len(todo) < 8:
        return {t: one(t) for t in todo}
    with ThreadPoolExecutor(max_workers=max(1, min(8, os.cpu_count() or 1))) as pool:
        return dict(zip(todo, pool.map(one, todo)))


def load_data_dir(root: Path) -> Tables:
    """Every file of the data directory at `root` as columns: the cached columns of unchanged files,
    the others parsed. A malformed price or fund file's DataError is kept for its ticker, as is one for a
    malformed row of shares.csv or flows.csv (for the ticker the row names); only a shared file that cannot be
    read at all (no header, a missing column) raises."""
    root = Path(root)
    cache = _Cache(root)
    old = cache.index
    new: dict = {"prices": {}, "price_order": [], "errors": {}, "duplicates": {}, "shares": None, "flows": None,
                 "info": {}, "blank": {}, "notes": {}}
    tables: dict[str, dict[str, np.ndarray]] = {}
    errors: dict[str, NotewriterError] = {}
    notes: dict[str, list[Note]] = {}
    file_notes: dict[str, list[Note]] = {}
    hits = parsed = 0

    # ---- prices: reuse unchanged files, parse the rest --------------------------------------
    files = {p.stem.upper(): p for p in sorted((root / "prices").glob("*.csv"))}
    sigs = {t: _sig(p) for t, p in files.items()}
    old_prices = old.get("prices", {})
    old_order = old.get("price_order", [])
    old_errors = old.get("errors", {})
    offsets = np.concatenate([[0], np.cumsum([n for _, n in old_order], dtype=np.int64)]).astype(np.int64)
    where = {t: (int(offsets[k]), int(offsets[k + 1])) for k, (t, _) in enumerate(old_order)}
    keep = [t for t, s in sigs.items() if old_prices.get(t) == s and (t in old_errors or t in where)]
    cached = cache.table("prices", int(offsets[-1])) if any(t in where for t in keep) else None
    if cached is None:
        keep = [t for t in keep if t in old_errors and t not in where]
    blocks: dict[str, tuple] = {}
    for t in keep:
        if t in old_errors:
            errors[t] = _error_from(old_errors[t])
            new["errors"][t] = old_errors[t]
        else:
            blocks[t] = where[t]
        new["duplicates"][t] = old.get("duplicates", {}).get(t, 0)
        new["prices"][t] = sigs[t]
        for key in ("blank", "notes"):
            if t in old.get(key, {}):
                new[key][t] = old[key][t]
    hits += len(keep)
    todo = sorted(set(files) - set(keep))
    fresh = _parse_prices(files, todo)
    for t in todo:
        parsed += 1
        new["prices"][t] = sigs[t]
        got = fresh[t]
        if isinstance(got, NotewriterError):
            errors[t] = got
            new["errors"][t] = _error_row(got)
            continue
        new["duplicates"][t] = int(got.duplicates)
        blocks[t] = (got.dates, price_block(got.columns, len(got.dates)))
        if len(got.blank_close):
            new["blank"][t] = [str(d)[:10] for d in got.blank_close]
        if got.encoding:
            new["notes"][t] = [n.as_json() for n in _encoding_notes(files[t], got.encoding)]
    blank = {t: np.array(d, dtype="datetime64[ns]") for t, d in new["blank"].items()}
    for t, rows in new["notes"].items():
        notes.setdefault(t, []).extend(Note.from_json(r) for r in rows)
    order = sorted(blocks)
    if cached is not None and order == [t for t, _ in old_order] and all(isinstance(blocks[t][0], int) for t in order):
        # nothing changed: the cached columns are the table as they are
        prices = PriceRows(tickers=order, counts=np.array([n for _, n in old_order], dtype=np.int64),
                           date=cached["date"].astype("datetime64[ns]", copy=False),
                           cols={c: cached[c] for c in PRICE_COLUMNS})
    else:
        parts = []
        for t in order:
            b = blocks[t]
            if isinstance(b[0], int):
                lo, hi = b
                parts.append((t, cached["date"][lo:hi], {c: cached[c][lo:hi] for c in PRICE_COLUMNS}))
            else:
                parts.append((t, b[0], b[1]))
        prices = price_rows(parts)
    new["price_order"] = [[t, int(n)] for t, n in zip(prices.tickers, prices.counts)]
    price_changed = parsed > 0 or set(old_prices) != set(sigs) or new["price_order"] != old_order
    if price_changed:
        tables["prices"] = {"date": prices.date, **prices.cols}

    # ---- shares.csv and flows.csv -------------------------------------------------------------
    frames: dict[str, KeyedRows] = {}
    refused: set[str] = set()  # tickers with a malformed row: funds whatever their other rows
    for name, read, cols in (("shares", read_shares_columns, ["shares_outstanding", "nav"]),
                             ("flows", read_flows_columns, ["flow_usd"])):
        path = root / f"{name}.csv"
        sig = _sig(path) if path.is_file() else None
        entry = old.get(name)
        got = None
        if sig is not None and entry and entry.get("sig") == sig:
            got = cache.table(name, entry.get("rows"))
        if got is None:
            parsed += 1
            raw = read(path)  # a malformed row is an error of its ticker; an unreadable file raises
            rows = KeyedRows(list(raw["tickers"]), raw["codes"].astype(np.int32),
                             raw["date"].astype("datetime64[ns]"),
                             {c: np.asarray(raw[c], dtype=float) for c in cols})
            row_errors = {t: _error_row(e) for t, e in raw["errors"].items()}
            row_notes = [n.as_json() for n in raw["notes"]]
            if sig is not None:  # a missing file has nothing to cache
                tables[name] = {"date": rows.date, "code": rows.codes, **rows.cols}
        else:
            hits += 1
            rows = KeyedRows(list(entry["tickers"]), got["code"], got["date"].astype("datetime64[ns]", copy=False),
                             {c: got[c] for c in cols})
            row_errors, row_notes = entry.get("errors", {}), entry.get("notes", [])
        for t, e in row_errors.items():
            if t in files:  # a ticker without a price file has no note to refuse
                errors.setdefault(t, _error_from(e))
                refused.add(t)
        if row_notes:
            file_notes[name] = [Note.from_json(n) for n in row_notes]
        new[name] = ({"sig": sig, "rows": int(len(rows.date)), "tickers": rows.tickers, "errors": row_errors,
                      "notes": row_notes} if sig is not None else None)
        frames[name] = rows

    # ---- fund info -------------------------------------------------------------------------------
    holdings = {p.stem.upper() for p in (root / "holdings").glob("*.csv")}
    info_files = {p.stem.upper(): p for p in (root / "funds").glob("*.json")}

    def present(rows: KeyedRows) -> set[str]:
        used = np.zeros(len(rows.tickers) + 1, dtype=bool)
        used[rows.codes] = True
        return {t for t, u in zip(rows.tickers, used) if u}

    fund_like = present(frames["shares"]) | present(frames["flows"]) | set(info_files) | holdings | refused
    tickers = sorted(files)
    funds = sorted(t for t in tickers if t in fund_like)
    old_info = old.get("info", {})
    info: dict[str, dict] = {}
    info_changed = False
    for t in funds:
        p = info_files.get(t)
        if p is None:
            info[t] = {}
            continue
        sig = _sig(p)
        entry = old_info.get(t)
        if not (entry and entry[0] == sig):
            info_changed = True
            try:
                got, encoding = read_fund_info_file(p)
                entry = [sig, {"info": got or {}, "notes": [n.as_json() for n in _encoding_notes(p, encoding)]}]
            except NotewriterError as err:
                identity = err.identity if isinstance(err, FundInfoError) else {}
                entry = [sig, {"error": _error_row(err), "identity": identity}]
        new["info"][t] = entry
        if "error" in entry[1]:
            errors.setdefault(t, _error_from(entry[1]["error"]))
            if entry[1].get("identity"):  # the name and category that did check out, for its peers' notes
                info[t] = entry[1]["identity"]
        else:
            info[t] = entry[1]["info"]
            if entry[1].get("notes"):
                notes.setdefault(t, []).extend(Note.from_json(n) for n in entry[1]["notes"])
    if tables or info_changed or set(old_info) != set(new["info"]) or new["shares"] != old.get("shares") \
            or new["flows"] != old.get("flows"):
        cache.save(tables, new)
    return Tables(price_rows=prices, price_duplicates=new["duplicates"], share_rows=frames["shares"],
                  flow_rows=frames["flows"], info=info, funds=funds, tickers=tickers, errors=errors,
                  cache_hits=hits, parsed=parsed, price_blank=blank, notes=notes, file_notes=file_notes)
