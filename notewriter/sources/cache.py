"""A local cache of fetched data, laid out per the data directory contract.

A cache directory is a valid data directory (``--data`` can point at it): prices/,
shares.csv, flows.csv, funds/, holdings/ and ``dataset.json``. ``cache.json`` at its root
records, per ticker and kind, when and from where data was fetched and the last data
date, so refreshes are incremental and notes can say when data is stale.

Every file is written atomically (a temporary file in the same folder, then ``os.replace``).
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd

from notewriter import calendar
from notewriter.config import user_cache_dir
from notewriter.errors import DataError, SourceUnavailable, UsageError
from notewriter.sources.yfinance import extract, reachability
from notewriter.sources.yfinance.fetch import TickerData, run_plans
from notewriter.sources.yfinance.normalize import PRICE_COLUMNS, PROVIDER, SHARES_COLUMNS, flat_run, utc_iso
from notewriter.sources.yfinance.query import FUND_TYPES, TickerPlan, normalize_ticker, utc_date
from notewriter.sources.yfinance.reachability import rate_limited_error, unreachable_error
from notewriter.sources.yfinance.retry import RetryPolicy
from notewriter.sources.base import Source

CACHE_SUBDIR = "yfinance"
MANIFEST = "cache.json"
DATASET = "dataset.json"
DATASET_INFO = {"label": "yfinance cache", "synthetic": False}

#: history fetched for a ticker the cache does not have yet
DEFAULT_PRICE_YEARS = 5
DEFAULT_SHARES_DAYS = 548  # yfinance's own default for get_shares_full
#: fund info and share counts are re-fetched when older than this
SNAPSHOT_MAX_AGE = timedelta(hours=20)
#: fund data fetched more than this many days before a note's as_of is called old
STALE_AFTER_DAYS = 7
#: a close on the overlapping session that moved more than this means a new price basis (a split)
_BASIS_TOLERANCE = 0.02


# ---------------------------------------------------------------------------
# Location and files
# ---------------------------------------------------------------------------


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
        atomic_write_text(root / DATASET, json.dumps(DATASET_INFO, indent=2) + "\n")
    return root


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so a reader sees the old file or the new one, never a part."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def _write_csv(path: Path, frame: pd.DataFrame, date_column: str) -> None:
    out = frame.copy()
    out[date_column] = pd.DatetimeIndex(out[date_column]).strftime("%Y-%m-%d")
    atomic_write_text(path, out.to_csv(index=False, lineterminator="\n"))


# ---------------------------------------------------------------------------
# Manifest (cache.json)
# ---------------------------------------------------------------------------


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
    atomic_write_text(Path(cache_dir) / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")


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


def _entry(manifest: dict, ticker: str, kind: str) -> dict:
    return manifest.get("tickers", {}).get(ticker, {}).get(kind) or {}


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        stamp = pd.Timestamp(text)
    except ValueError:
        return None
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.to_pydatetime()


# ---------------------------------------------------------------------------
# Cached data and merges
# ---------------------------------------------------------------------------


def cached_tickers(cache_dir: str | os.PathLike, *, components: bool = True) -> list[str]:
    """Tickers with cached prices; without ``components``, those fetched only as a fund's top holding are left out."""
    tickers = sorted(p.stem.upper() for p in (Path(cache_dir) / "prices").glob("*.csv"))
    if components:
        return tickers
    manifest = read_manifest(cache_dir)
    return [t for t in tickers if _entry(manifest, t, "prices").get("role") != "component"]


def read_cached_prices(cache_dir: str | os.PathLike, ticker: str) -> pd.DataFrame | None:
    """The cached prices/<TICKER>.csv in the columns this module writes, or None."""
    path = Path(cache_dir) / "prices" / f"{ticker}.csv"
    if not path.is_file():
        return None
    try:
        frame = pd.read_csv(path, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(path, f"not a readable prices file ({exc}); delete it to fetch again") from None
    frame = frame.rename(columns={"Adj Close": "AdjClose", "Splits": "Stock Splits", "date": "Date"})
    if "Date" not in frame.columns or "Close" not in frame.columns:
        raise DataError(path, "expected columns Date and Close; delete the file to fetch again", row=1)
    frame["Date"] = pd.to_datetime(frame["Date"].astype(str).str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    if frame["Date"].isna().any():
        row = int(frame["Date"].isna().to_numpy().argmax()) + 2
        raise DataError(path, "expected a date YYYY-MM-DD in column 'Date'", row=row)
    for col in PRICE_COLUMNS[1:]:
        if col not in frame.columns:
            frame[col] = 0.0 if col in ("Dividends", "Stock Splits") else float("nan")
    frame["Volume"] = pd.to_numeric(frame["Volume"], errors="coerce").fillna(0).round().astype("int64")
    return frame[PRICE_COLUMNS].sort_values("Date", kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class PriceMerge:
    frame: pd.DataFrame
    needs_full_refetch: bool = False  # the new rows are on a different price basis (a split)
    rebased: bool = False  # older adjusted closes were re-based on the overlapping session


def merge_prices(old: pd.DataFrame | None, new: pd.DataFrame) -> PriceMerge:
    """Append newly fetched rows to cached ones; fetched rows win on shared dates.

    Yahoo re-bases the adjusted close of every earlier day at each dividend, so the ratio of
    adjustment factors on the overlapping session re-bases the cached AdjClose. A split in the
    new rows, or a raw close that moved on the overlap, means Yahoo re-based the raw prices
    too: then only a full re-fetch is consistent.
    """
    if old is None or old.empty:
        return PriceMerge(new.reset_index(drop=True))
    if new.empty:
        return PriceMerge(old.reset_index(drop=True))
    first_new = new["Date"].min()
    old_part = old[old["Date"] < first_new].copy()
    overlap = old.merge(new, on="Date", suffixes=("_old", "_new"))
    later = new[new["Date"] > old["Date"].max()]
    if (later["Stock Splits"].fillna(0) != 0).any():
        return PriceMerge(new, needs_full_refetch=True)
    rebased = False
    if not overlap.empty:
        row = overlap.sort_values("Date").iloc[-1]
        close_old, close_new = row["Close_old"], row["Close_new"]
        if close_old and abs(close_new / close_old - 1) > _BASIS_TOLERANCE:
            return PriceMerge(new, needs_full_refetch=True)
        adj_old, adj_new = row["AdjClose_old"], row["AdjClose_new"]
        if all(isinstance(v, float) and not math.isnan(v) and v for v in (adj_old, adj_new, close_old, close_new)):
            ratio = (adj_new / close_new) / (adj_old / close_old)
            if abs(ratio - 1) > 1e-12:
                old_part["AdjClose"] = old_part["AdjClose"] * ratio
                rebased = True
    elif (later["Dividends"].fillna(0) != 0).any() and old_part["AdjClose"].notna().any():
        return PriceMerge(new, needs_full_refetch=True)
    merged = pd.concat([old_part, new], ignore_index=True)
    merged = merged.drop_duplicates("Date", keep="last").sort_values("Date", kind="stable")
    return PriceMerge(merged.reset_index(drop=True)[PRICE_COLUMNS], rebased=rebased)


def write_prices(cache_dir: str | os.PathLike, ticker: str, frame: pd.DataFrame) -> Path:
    path = Path(cache_dir) / "prices" / f"{ticker}.csv"
    _write_csv(path, frame[PRICE_COLUMNS], "Date")
    return path


def _read_table(path: Path, columns: list[str], keys: list[str]) -> pd.DataFrame:
    if not path.is_file():
        return pd.DataFrame(columns=columns)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(path, f"not a readable CSV file ({exc})") from None
    except pd.errors.EmptyDataError:
        return pd.DataFrame(columns=columns)
    missing = [c for c in keys if c not in frame.columns]
    if missing:
        raise DataError(path, f"missing column(s) {', '.join(missing)}; expected {', '.join(columns)}", row=1)
    for col in columns:
        if col not in frame.columns:
            frame[col] = ""
    return frame[columns]


def _as_text_rows(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Rows rendered as the strings they are written as (dates ISO, ints without .0, NaN blank)."""
    out = pd.DataFrame(index=frame.index)
    for col in columns:
        values = frame[col] if col in frame.columns else pd.Series("", index=frame.index)
        if col == "date":
            out[col] = pd.DatetimeIndex(pd.to_datetime(values)).strftime("%Y-%m-%d")
        elif col == "shares_outstanding":
            out[col] = [str(int(v)) for v in values]
        elif col in ("nav", "flow_usd"):
            out[col] = ["" if v is None or (isinstance(v, float) and math.isnan(v)) else repr(float(v))
                        for v in values]
        else:
            out[col] = ["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in values]
    return out


def merge_table(path: Path, rows: pd.DataFrame, columns: list[str], keys: list[str]) -> int:
    """Merge ``rows`` into the CSV at ``path``: rows with the same ``keys`` are replaced, the
    rest kept; sorted by ticker, then date. Returns the number of rows in ``rows``."""
    existing = _read_table(path, columns, keys)
    new = _as_text_rows(rows, columns)
    merged = pd.concat([existing, new], ignore_index=True)
    merged["ticker"] = merged["ticker"].str.strip().str.upper()
    merged = merged.drop_duplicates(keys, keep="last")
    merged = merged.sort_values(["ticker", "date"] + [k for k in keys if k not in ("ticker", "date")], kind="stable")
    atomic_write_text(path, merged.to_csv(index=False, lineterminator="\n"))
    return len(new)


def merge_shares(cache_dir: str | os.PathLike, rows: pd.DataFrame) -> int:
    """Merge share-count rows into shares.csv, keyed by (date, ticker, source)."""
    return merge_table(Path(cache_dir) / "shares.csv", rows, SHARES_COLUMNS, ["date", "ticker", "source"])


def merge_flows(cache_dir: str | os.PathLike, rows: pd.DataFrame) -> int:
    """Merge vendor flow rows into flows.csv, keyed by (date, ticker)."""
    return merge_table(Path(cache_dir) / "flows.csv", rows, ["date", "ticker", "flow_usd"], ["date", "ticker"])


def cached_shares(cache_dir: str | os.PathLike, ticker: str, source: str = PROVIDER) -> pd.DataFrame:
    """Cached share counts for one ticker and source (columns date, shares_outstanding)."""
    table = _read_table(Path(cache_dir) / "shares.csv", SHARES_COLUMNS, ["date", "ticker", "shares_outstanding"])
    rows = table[(table["ticker"].str.upper() == ticker) & (table["source"] == source)]
    return pd.DataFrame({
        "date": pd.to_datetime(rows["date"], format="%Y-%m-%d"),
        "shares_outstanding": pd.to_numeric(rows["shares_outstanding"]).astype("int64"),
    }).sort_values("date", kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------
# Staleness
# ---------------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def staleness(cache_dir: str | os.PathLike, ticker: str, as_of: date) -> str | None:
    """A sentence when cached yfinance data for ``ticker`` ends before ``as_of``'s last session,
    or its fund data was fetched more than a week before ``as_of``; None when it is current
    (or the ticker's data did not come from a fetch)."""
    ticker = normalize_ticker(ticker)
    manifest = read_manifest(resolve_cache_dir(cache_dir))
    as_of = pd.Timestamp(as_of).date()
    parts = []
    prices = _entry(manifest, ticker, "prices")
    if prices.get("last_date"):
        last = date.fromisoformat(prices["last_date"])
        session = calendar.session_on_or_before(as_of).date()
        if last < session:
            behind = len(calendar.sessions_between(last, session))
            parts.append(f"ends on {last.isoformat()}, {_plural(behind, 'trading session')} before the "
                         f"{session.isoformat()} session")
    info = _entry(manifest, ticker, "info")
    fetched = _parse_time(info.get("fetched_at"))
    if fetched is not None:
        age = (as_of - fetched.date()).days
        if age > STALE_AFTER_DAYS:
            parts.append(f"has fund data (NAV, assets, holdings) fetched on {fetched.date().isoformat()}, "
                         f"{_plural(age, 'day')} before {as_of.isoformat()}")
    if not parts:
        return None
    return f"The yfinance cache for {ticker} " + ", and ".join(parts) + "."


# ---------------------------------------------------------------------------
# Fetch into the cache
# ---------------------------------------------------------------------------


@dataclass
class TickerOutcome:
    """What a fetch did for one ticker."""

    ticker: str
    status: str  # updated | current | cached | failed
    message: str = ""
    rows_added: int = 0
    last_date: date | None = None
    error_kind: str | None = None  # network | rate_limit | no_data | error | not_cached
    warnings: list[str] = field(default_factory=list)


@dataclass
class FetchResult:
    """Per-ticker outcomes of :func:`fetch`."""

    cache_dir: Path
    outcomes: dict[str, TickerOutcome] = field(default_factory=dict)
    offline: bool = False
    contacted: bool = False  # whether Yahoo was asked for anything
    components: dict[str, TickerOutcome] = field(default_factory=dict)  # top holdings' prices

    @property
    def ok(self) -> list[str]:
        return sorted(t for t, o in self.outcomes.items() if o.status != "failed")

    @property
    def failed(self) -> dict[str, str]:
        return {t: o.message for t, o in sorted(self.outcomes.items()) if o.status == "failed"}

    @property
    def warnings(self) -> list[str]:
        return [w for _, o in sorted(self.outcomes.items()) for w in o.warnings]

    def lines(self) -> list[str]:
        """One human line per ticker, then warnings."""
        out = []
        for t, o in sorted(self.outcomes.items()):
            through = f" through {o.last_date.isoformat()}" if o.last_date else ""
            if o.status == "updated":
                out.append(f"{t}: {o.rows_added} new price row(s){through}")
            elif o.status == "current":
                out.append(f"{t}: already current{through}")
            elif o.status == "cached":
                out.append(f"{t}: cached{through}")
            else:
                out.append(f"{t}: FAILED: {o.message}")
        if self.components:
            missing = sorted(t for t, o in self.components.items() if o.status == "failed")
            done = len(self.components) - len(missing)
            line = f"components: prices for {done} of {len(self.components)} top holdings brought up to date"
            out.append(line + (f"; none for {', '.join(missing)}" if missing else ""))
        out.extend(f"warning: {w}" for w in self.warnings)
        return out


def _plan(
    ticker: str, manifest: dict, cache_dir: Path, since: date | None, target: date, now: datetime,
    refresh_snapshots: bool,
) -> tuple[TickerPlan, pd.DataFrame | None]:
    old = read_cached_prices(cache_dir, ticker)
    today = utc_date(now)
    price_start: date | None
    if old is None or old.empty:
        # enough history for 52-week ranges and year-to-date at the target session, too
        default = min(today - timedelta(days=366 * DEFAULT_PRICE_YEARS), target - timedelta(days=2 * 366))
        price_start = since or default
    else:
        first, last = old["Date"].min().date(), old["Date"].max().date()
        if since is not None and since < first:
            price_start = since
        elif last < target:
            price_start = last  # one overlapping session, to re-base the adjusted close
        else:
            price_start = None
    quote_type = (_entry(manifest, ticker, "info").get("quote_type") or None)
    is_fund = quote_type is None or quote_type in FUND_TYPES

    def due(kind: str) -> bool:
        fetched = _parse_time(_entry(manifest, ticker, kind).get("fetched_at"))
        return fetched is None or (refresh_snapshots and now - fetched > SNAPSHOT_MAX_AGE)

    info = is_fund and due("info")
    shares_start = None
    if is_fund and due("shares"):
        last_shares = _entry(manifest, ticker, "shares").get("last_date")
        if since is not None:
            shares_start = since
        elif last_shares:
            shares_start = date.fromisoformat(last_shares)
        else:
            shares_start = today - timedelta(days=DEFAULT_SHARES_DAYS)
    return TickerPlan(ticker, price_start, shares_start, info, quote_type), old


def _needs_network(plan: TickerPlan) -> bool:
    return plan.price_start is not None or plan.shares_start is not None or plan.info


def fetch(
    tickers: Iterable[str], since: date | None = None, cache_dir: str | os.PathLike | None = None, client=None,
    offline: bool = False, *, now: datetime | None = None, retry: RetryPolicy | None = None,
    probe: Callable[[], str | None] | None = None, threads: bool | int = True, as_of: date | None = None,
    refresh_snapshots: bool = True, components: bool = True,
) -> FetchResult:
    """Bring the cache up to date for ``tickers`` from Yahoo Finance.

    Prices are fetched from the last cached session on (or from ``since``, or five years
    back, for a ticker not cached yet); fund info and share counts when older than
    ``SNAPSHOT_MAX_AGE``. Sessions still trading at ``now`` are not cached. With
    ``offline`` nothing is fetched: tickers are reported cached or failed (not cached).
    Raises SourceUnavailable (one line) when Yahoo cannot be reached at all; any other
    failure is recorded for its ticker and the rest continue. With ``components``, prices
    of the funds' disclosed top holdings are brought up to date too (one batched request),
    so notes can say how the largest components moved; their failures are only warnings.
    """
    syms = list(dict.fromkeys(normalize_ticker(t) for t in tickers))
    if not syms:
        raise UsageError("no tickers given")
    root = resolve_cache_dir(cache_dir)
    result = FetchResult(root, offline=offline)
    if offline:
        for sym in syms:
            old = read_cached_prices(root, sym) if root.is_dir() else None
            if old is None or old.empty:
                result.outcomes[sym] = TickerOutcome(
                    sym, "failed", f"{sym} is not in the cache at {root}", error_kind="not_cached")
            else:
                result.outcomes[sym] = TickerOutcome(sym, "cached", last_date=old["Date"].max().date())
        return result

    now = now or datetime.now(timezone.utc)
    since = pd.Timestamp(since).date() if since is not None else None
    complete = calendar.last_closed_session(now)
    target = min(complete, calendar.session_on_or_before(as_of).date()) if as_of is not None else complete
    root = init_cache(root)
    manifest = read_manifest(root)
    plans, olds = {}, {}
    for sym in syms:
        plans[sym], olds[sym] = _plan(sym, manifest, root, since, target, now, refresh_snapshots)
        old = olds[sym]
        result.outcomes[sym] = TickerOutcome(sym, "current", last_date=None if old is None or old.empty
                                             else old["Date"].max().date())
    todo = [p for p in plans.values() if _needs_network(p)]
    # components never fetched (or missing at Yahoo) are tried along with their funds only
    if not todo and not (components and _component_plans(root, syms, target, now, manifest, new=False)[0]):
        return result

    probe = probe or reachability.unreachable_reason
    reason = probe()
    if reason:
        raise unreachable_error(reason, root)
    result.contacted = True
    client = client if client is not None else extract.default_client()
    retry = retry or RetryPolicy()
    refetch: dict[str, pd.DataFrame | None] = {}
    if todo:
        fetched = run_plans(todo, client=client, retry=retry, complete_through=complete, fetched_at=now,
                                threads=threads, recheck=probe)
        for plan in todo:
            sym, data, outcome = plan.ticker, fetched.data[plan.ticker], result.outcomes[plan.ticker]
            outcome.warnings.extend(data.warnings)
            if not data.ok and data.error_kind == "no_data" and olds[sym] is not None and not olds[sym].empty:
                outcome.warnings.append(f"{sym}: no new sessions from Yahoo Finance since {plan.price_start}")
            elif not data.ok:
                outcome.status, outcome.message, outcome.error_kind = "failed", data.error, data.error_kind
                continue
            if _absorb_prices(root, sym, olds[sym], data, outcome, now):
                refetch[sym] = olds[sym]
            _store_fund_side(root, sym, data, outcome, now)

    source_down = any(o.error_kind in ("network", "rate_limit") for o in result.outcomes.values())
    if components and not source_down:
        funds = [s for s in syms if result.outcomes[s].status != "failed"]
        comp_plans, comp_olds = _component_plans(root, funds, target, now, read_manifest(root), new=bool(todo))
        if comp_plans:
            fetched = run_plans(comp_plans, client=client, retry=retry, complete_through=complete,
                                    fetched_at=now, threads=threads, recheck=probe)
            for plan in comp_plans:
                sym, data = plan.ticker, fetched.data[plan.ticker]
                outcome = result.components[sym] = TickerOutcome(sym, "current")
                if not data.ok:
                    outcome.status, outcome.message, outcome.error_kind = "failed", data.error, data.error_kind
                    if data.error_kind == "no_data" and (comp_olds[sym] is None or comp_olds[sym].empty):
                        record(root, sym, "prices", source=PROVIDER, fetched_at=now, role="component",
                               missing=True)
                    continue
                if _absorb_prices(root, sym, comp_olds[sym], data, outcome, now, role="component"):
                    refetch[sym] = comp_olds[sym]

    if refetch:
        again = run_plans([TickerPlan(s, old["Date"].min().date(), None, False) for s, old in refetch.items()],
                              client=client, retry=retry, complete_through=complete, fetched_at=now,
                              threads=threads, recheck=probe)
        for sym, old in refetch.items():
            is_component = sym in result.components
            outcome, data = (result.components if is_component else result.outcomes)[sym], again.data[sym]
            if not data.ok:
                outcome.status, outcome.message, outcome.error_kind = "failed", data.error, data.error_kind
                continue
            outcome.warnings.append(f"{sym}: Yahoo re-based its prices (a split); fetched the full history again")
            _store_prices(root, sym, data.prices, old, outcome, now, role="component" if is_component else None)
    return result


def _absorb_prices(root: Path, sym: str, old: pd.DataFrame | None, data: TickerData, outcome: TickerOutcome,
                   now: datetime, role: str | None = None) -> bool:
    """Merge fetched prices into the cache; True when only a full re-fetch can be consistent."""
    if data.prices is None or data.prices.empty:
        return False
    merge = merge_prices(old, data.prices)
    if merge.needs_full_refetch:
        return True
    _store_prices(root, sym, merge.frame, old, outcome, now, role=role)
    return False


_LISTED = re.compile(r"[A-Z][A-Z0-9.\-]{0,9}")
_CASH = re.compile(r"\b(cash|treasury sl agency|money market|futures?|fut\b)", re.I)
#: a component Yahoo had no prices for is not asked about again for this long
_MISSING_RETRY = timedelta(days=7)


def component_symbols(cache_dir: str | os.PathLike, funds: Iterable[str]) -> list[str]:
    """Symbols of the disclosed top holdings of ``funds`` (from their cached fund info) that
    look like listed tickers, without cash lines and without the funds themselves."""
    root = Path(cache_dir)
    funds = set(funds)
    out: set[str] = set()
    for fund in funds:
        path = root / "funds" / f"{fund}.json"
        if not path.is_file():
            continue
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            continue
        for holding in info.get("topHoldings") or []:
            sym = str((holding or {}).get("symbol") or "").strip().upper()
            name = str((holding or {}).get("name") or "")
            if _LISTED.fullmatch(sym) and not _CASH.search(name) and sym not in funds:
                out.add(sym)
    return sorted(out)


def _component_plans(root: Path, funds: list[str], target: date, now: datetime, manifest: dict,
                     new: bool = True) -> tuple[list[TickerPlan], dict[str, pd.DataFrame | None]]:
    """Price plans for the funds' top holdings that lag ``target`` (and, with ``new``, those not cached)."""
    plans, olds = [], {}
    for sym in component_symbols(root, funds):
        entry = _entry(manifest, sym, "prices")
        if entry.get("role") is None and entry:
            continue  # fetched in its own right; refreshed when asked for
        old = olds[sym] = read_cached_prices(root, sym)
        if old is None or old.empty:
            if not new:
                continue
            tried = _parse_time(entry.get("fetched_at")) if entry.get("missing") else None
            if tried is not None and now - tried < _MISSING_RETRY:
                continue
            start = min(utc_date(now) - timedelta(days=366 * DEFAULT_PRICE_YEARS), target - timedelta(days=2 * 366))
        elif old["Date"].max().date() < target:
            start = old["Date"].max().date()
        else:
            continue
        plans.append(TickerPlan(sym, start, None, False))
    return plans, olds


def _store_prices(root: Path, sym: str, frame: pd.DataFrame, old: pd.DataFrame | None, outcome: TickerOutcome,
                  now: datetime, role: str | None = None) -> None:
    write_prices(root, sym, frame)
    before = set() if old is None else set(old["Date"])
    outcome.rows_added = int(sum(1 for d in frame["Date"] if d not in before))
    outcome.last_date = frame["Date"].max().date()
    outcome.status = "updated" if outcome.rows_added else "current"
    record(root, sym, "prices", source=PROVIDER, fetched_at=now, last_date=outcome.last_date,
           first_date=frame["Date"].min().date().isoformat(), rows=int(len(frame)), role=role)


def _store_fund_side(root: Path, sym: str, data: TickerData, outcome: TickerOutcome, now: datetime) -> None:
    if data.fund_info is not None:
        path = root / "funds" / f"{sym}.json"
        info = dict(data.fund_info)
        if "topHoldings" not in info and path.is_file():
            try:
                previous = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError:
                previous = {}
            for key in ("topHoldings", "sectorWeightings"):
                if key in previous:
                    info[key] = previous[key]
                    outcome.warnings.append(f"{sym}: kept the previously cached {key}")
        atomic_write_text(path, json.dumps(info, indent=2, sort_keys=False, ensure_ascii=False) + "\n")
    if data.fund_info is not None or data.quote_type:
        record(root, sym, "info", source=PROVIDER, fetched_at=now, quote_type=data.quote_type,
               has_fund_info=data.fund_info is not None)
    if data.shares is not None:
        if not data.shares.frame.empty:
            merge_shares(root, data.shares.frame)
        history = cached_shares(root, sym)
        run = None
        if not history.empty:
            end = max(calendar.last_closed_session(now), history["date"].max().date())
            run = flat_run(history, as_of=end)
        if run is not None and run.stale:
            outcome.warnings.append(
                f"{sym}: the Yahoo share count has not changed since {run.since.isoformat()} "
                f"({run.sessions} sessions); flows estimated from it will read as zero"
            )
        record(root, sym, "shares", source=PROVIDER, fetched_at=now,
               last_date=None if history.empty else history["date"].max().date(),
               duplicates=data.shares.duplicates or None,
               flat_since=None if run is None else run.since.isoformat(),
               flat_sessions=None if run is None else run.sessions,
               stale=None if run is None else run.stale)


# ---------------------------------------------------------------------------
# The CLI's entry: make sure the cache can serve a note, then read it
# ---------------------------------------------------------------------------


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
