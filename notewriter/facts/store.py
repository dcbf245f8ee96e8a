"""Long tables of a whole universe, with a columnar cache so an unchanged CSV is parsed only once.

The cache lives in `<data dir>/.notewriter-cache/` (or under `$NOTEWRITER_CACHE_DIR/columnar/`) and is
keyed by each file's path, size and modification time; a changed file is re-parsed, the rest reloaded
from parquet. A data directory that cannot be written to simply runs without a cache.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, NotewriterError
from ..sources.base import Source
from ..sources.local import DataDirSource, read_prices

CACHE_VERSION = 2
PRICE_COLUMNS = ("Close", "High", "Low", "Volume", "Splits")


@dataclass
class Tables:
    """Every row the facts need, in long form; errors are kept per ticker, never raised here."""

    prices: pd.DataFrame            # ticker, date, Close, High, Low, Volume, Splits
    price_duplicates: dict[str, int]
    shares: pd.DataFrame            # date, ticker, shares_outstanding, nav (file order)
    flows: pd.DataFrame             # date, ticker, flow_usd (file order)
    info: dict[str, dict]
    funds: list[str]
    tickers: list[str]
    errors: dict[str, NotewriterError] = field(default_factory=dict)
    cache_hits: int = 0
    parsed: int = 0


def cache_dir(root: Path) -> Path | None:
    """Where a data directory's columnar cache lives (None: the bundled samples, unless a cache dir is set)."""
    env = os.environ.get("NOTEWRITER_CACHE_DIR")
    if env:
        key = hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:16]
        return Path(env).expanduser() / "columnar" / key
    from ..resources import samples_dir

    if root.resolve() == Path(samples_dir()).resolve():
        return None  # shipped inside the package: never write there
    return root / ".notewriter-cache"


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
        err.args = (row["message"],)
        return err
    return NotewriterError(row["message"])


def _empty_prices() -> pd.DataFrame:
    return pd.DataFrame({"ticker": pd.Series(dtype=str), "date": pd.Series(dtype="datetime64[ns]"),
                         **{c: pd.Series(dtype=float) for c in PRICE_COLUMNS}})


def _long(ticker: str, frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({c: frame[c].to_numpy(dtype=float) if c in frame.columns else np.zeros(len(frame))
                        for c in PRICE_COLUMNS})
    out.insert(0, "date", frame.index.to_numpy(dtype="datetime64[ns]"))
    out.insert(0, "ticker", ticker)
    return out


class _Cache:
    """One folder: a JSON index of file signatures beside parquet tables."""

    def __init__(self, root: Path):
        self.dir = cache_dir(root)
        self.index: dict = {}
        if self.dir is None:
            return
        path = self.dir / "index.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") == CACHE_VERSION:
                self.index = data
        except (OSError, ValueError):
            self.index = {}

    def table(self, name: str) -> pd.DataFrame | None:
        if self.dir is None:
            return None
        try:
            return pd.read_parquet(self.dir / f"{name}.parquet")
        except Exception:  # a missing or damaged cache file is just a miss
            return None

    def save(self, tables: dict[str, pd.DataFrame], index: dict) -> None:
        if self.dir is None:
            return
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            for name, frame in tables.items():
                tmp = self.dir / f".{name}.parquet.tmp"
                frame.to_parquet(tmp, index=False)
                os.replace(tmp, self.dir / f"{name}.parquet")
            tmp = self.dir / ".index.json.tmp"
            tmp.write_text(json.dumps({"version": CACHE_VERSION, **index}), encoding="utf-8")
            os.replace(tmp, self.dir / "index.json")
        except OSError:
            pass  # read-only data directory: run without a cache


def load_tables(source: Source) -> Tables:
    """The universe's long tables: the cached fast path for a data directory, the Source API otherwise."""
    if isinstance(source, DataDirSource):
        return _load_data_dir(source)
    return _load_generic(source)


def _load_generic(source: Source) -> Tables:
    parts, dups, errors = [], {}, {}
    tickers = source.tickers()
    for t in tickers:
        try:
            frame = source.prices(t)
        except NotewriterError as err:
            errors[t] = err
            continue
        dups[t] = int(frame.attrs.get("duplicates", 0) or 0)
        parts.append(_long(t, frame))
    funds = source.funds()
    shares, flows, info = [], [], {}
    for t in funds:
        try:
            info[t] = source.fund_info(t) or {}
            s = source.shares(t)
            if len(s):
                shares.append(pd.DataFrame({"date": s.index, "ticker": t, "shares_outstanding": s["shares_outstanding"],
                                            "nav": s["nav"] if "nav" in s.columns else np.nan}))
            v = source.vendor_flows(t)
            if len(v):
                flows.append(pd.DataFrame({"date": v.index, "ticker": t, "flow_usd": v["flow_usd"]}))
        except NotewriterError as err:
            errors.setdefault(t, err)
    prices = pd.concat(parts, ignore_index=True) if parts else _empty_prices()
    return Tables(prices=prices, price_duplicates=dups, shares=_concat_or_empty(shares, "shares"),
                  flows=_concat_or_empty(flows, "flows"), info=info, funds=funds, tickers=tickers, errors=errors,
                  parsed=len(tickers))


def _concat_or_empty(parts, kind: str) -> pd.DataFrame:
    if parts:
        return pd.concat(parts, ignore_index=True)
    if kind == "shares":
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "ticker": pd.Series(dtype=str),
                             "shares_outstanding": pd.Series(dtype=float), "nav": pd.Series(dtype=float)})
    return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "ticker": pd.Series(dtype=str),
                         "flow_usd": pd.Series(dtype=float)})


def _load_data_dir(source: DataDirSource) -> Tables:
    root = source.root
    cache = _Cache(root)
    old = cache.index
    new: dict = {"prices": {}, "errors": {}, "duplicates": {}, "shares": None, "flows": None, "info": {}}
    tables: dict[str, pd.DataFrame] = {}
    errors: dict[str, NotewriterError] = {}
    hits = parsed = 0

    # ---- prices: reuse unchanged files, parse the rest --------------------------------------
    files = {p.stem.upper(): p for p in sorted((root / "prices").glob("*.csv"))}
    sigs = {t: _sig(p) for t, p in files.items()}
    old_prices = old.get("prices", {})
    keep = [t for t, s in sigs.items() if old_prices.get(t) == s]
    cached = cache.table("prices") if keep else None
    parts = []
    if cached is not None:
        keep_set = set(keep)
        parts.append(cached[cached["ticker"].isin(keep_set)])
        for t in keep:
            if t in old.get("errors", {}):
                errors[t] = _error_from(old["errors"][t])
                new["errors"][t] = old["errors"][t]
            new["duplicates"][t] = old.get("duplicates", {}).get(t, 0)
            new["prices"][t] = sigs[t]
        hits += len(keep)
    else:
        keep = []
    for t in sorted(set(files) - set(keep)):
        parsed += 1
        new["prices"][t] = sigs[t]
        try:
            frame = read_prices(files[t])
        except NotewriterError as err:
            errors[t] = err
            new["errors"][t] = _error_row(err)
            continue
        new["duplicates"][t] = int(frame.attrs.get("duplicates", 0))
        parts.append(_long(t, frame))
    prices = pd.concat(parts, ignore_index=True) if parts else _empty_prices()
    prices["ticker"] = prices["ticker"].astype(str)
    price_changed = parsed > 0 or set(old_prices) != set(sigs)
    if price_changed:
        tables["prices"] = prices

    # ---- shares.csv and flows.csv -------------------------------------------------------------
    frames = {}
    for name, attr, cols in (("shares", "_shares_all", ["shares_outstanding", "nav"]),
                             ("flows", "_flows_all", ["flow_usd"])):
        path = root / f"{name}.csv"
        sig = _sig(path) if path.is_file() else None
        new[name] = sig
        frame = cache.table(name) if sig is not None and old.get(name) == sig else None
        if frame is None:
            parsed += 1
            raw = getattr(source, attr)  # raises DataError naming file and row
            frame = pd.DataFrame({"date": raw.index.to_numpy(dtype="datetime64[ns]"),
                                  "ticker": raw["ticker"].astype(str).to_numpy(),
                                  **{c: raw[c].to_numpy(dtype=float) for c in cols}})
            tables[name] = frame
        else:
            hits += 1
        frames[name] = frame

    # ---- fund info -------------------------------------------------------------------------------
    holdings = {p.stem.upper() for p in (root / "holdings").glob("*.csv")}
    info_files = {p.stem.upper(): p for p in (root / "funds").glob("*.json")}
    fund_like = (set(frames["shares"]["ticker"].unique()) | set(frames["flows"]["ticker"].unique())
                 | set(info_files) | holdings)
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
        if entry and entry[0] == sig:
            if "error" in entry[1]:
                errors.setdefault(t, _error_from(entry[1]["error"]))
            else:
                info[t] = entry[1]["info"]
            new["info"][t] = entry
            continue
        info_changed = True
        try:
            info[t] = source.fund_info(t) or {}
            new["info"][t] = [sig, {"info": info[t]}]
        except NotewriterError as err:
            errors.setdefault(t, err)
            new["info"][t] = [sig, {"error": _error_row(err)}]
    if tables or info_changed or set(old_info) != set(new["info"]):
        cache.save(tables, new)
    return Tables(prices=prices, price_duplicates=new["duplicates"], shares=frames["shares"], flows=frames["flows"],
                  info=info, funds=funds, tickers=tickers, errors=errors, cache_hits=hits, parsed=parsed)
