"""Yahoo Finance through yfinance: build the query, call yfinance (the only I/O), normalize.

Each data kind is fetched in three steps, as in the OpenBB provider layer:

* ``*_query`` builds a frozen query object (pure);
* ``extract_*`` calls yfinance through an injectable ``client`` (the ``yfinance`` module
  or anything with the same ``Ticker(symbol)`` / ``download(...)`` surface) — the only
  step that touches the network;
* ``normalize_*`` turns yfinance-shaped frames and dicts into frames and mappings laid
  out per the data directory contract (pure).

``run_plans`` / ``fetch_universe`` tie the steps together with bounded retries on rate
limits and connection blips, and record a failing ticker instead of stopping the rest.
"""

from __future__ import annotations

import logging
import math
import os
import re
import socket
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from urllib.parse import urlsplit

import pandas as pd

from notewriter import calendar
from notewriter.errors import DataError, SourceUnavailable, UsageError

PROVIDER = "yfinance"
EXCHANGE_TZ = "America/New_York"

#: columns of prices/<TICKER>.csv written from yfinance (raw Close, adjusted close kept)
PRICE_COLUMNS = ["Date", "Open", "High", "Low", "Close", "AdjClose", "Volume", "Dividends", "Stock Splits"]
#: columns of shares.csv
SHARES_COLUMNS = ["date", "ticker", "shares_outstanding", "nav", "source"]

#: a share count unchanged for this many sessions is flagged as stale
STALE_SESSIONS = 20
#: quote types that are funds (fund info, top holdings and share counts are fetched)
FUND_TYPES = frozenset({"ETF", "MUTUALFUND"})

PROBE_URL_ENV = "NOTEWRITER_YF_PROBE_URL"
PROBE_TIMEOUT = 3.0
#: seconds yfinance waits for one price request (history/download accept a timeout)
REQUEST_TIMEOUT = 10.0

_TICKER_RE = re.compile(r"^[A-Z0-9^][A-Z0-9.\-=^]{0,19}$")


# ---------------------------------------------------------------------------
# Step 1: queries (pure)
# ---------------------------------------------------------------------------


def normalize_ticker(ticker: str) -> str:
    """Upper-case and validate a Yahoo symbol (SPY, BRK-B, ^GSPC); UsageError otherwise."""
    sym = str(ticker).strip().upper()
    if not _TICKER_RE.match(sym):
        raise UsageError(f"{ticker!r} is not a valid ticker symbol (letters, digits, '.', '-', '^', '=')")
    return sym


def _iso(d: date | None) -> str | None:
    return None if d is None else pd.Timestamp(d).date().isoformat()


@dataclass(frozen=True)
class PriceQuery:
    """Daily prices for one ticker: ``Ticker(ticker).history(**kwargs())``."""

    ticker: str
    start: date
    end: date | None = None  # exclusive, as in yfinance
    timeout: float = REQUEST_TIMEOUT

    def kwargs(self) -> dict:
        kw = {"start": _iso(self.start), "auto_adjust": False, "actions": True, "timeout": self.timeout}
        if self.end is not None:
            kw["end"] = _iso(self.end)
        return kw


@dataclass(frozen=True)
class SharesQuery:
    """Shares outstanding for one ticker: ``Ticker(ticker).get_shares_full(**kwargs())``."""

    ticker: str
    start: date
    end: date | None = None

    def kwargs(self) -> dict:
        kw = {"start": _iso(self.start)}
        if self.end is not None:
            kw["end"] = _iso(self.end)
        return kw


@dataclass(frozen=True)
class FundQuery:
    """Identity, NAV, AUM (``Ticker.info``) and components (``Ticker.funds_data``)."""

    ticker: str


@dataclass(frozen=True)
class UniverseQuery:
    """Daily prices for many tickers in one batched ``yfinance.download(**kwargs())``."""

    tickers: tuple[str, ...]
    start: date
    end: date | None = None
    threads: bool | int = True
    timeout: float = REQUEST_TIMEOUT

    def kwargs(self) -> dict:
        kw = {
            "tickers": list(self.tickers),
            "start": _iso(self.start),
            "auto_adjust": False,
            "actions": True,
            "group_by": "ticker",
            "threads": self.threads,
            "progress": False,
            "timeout": self.timeout,
        }
        if self.end is not None:
            kw["end"] = _iso(self.end)
        return kw


def price_query(ticker: str, start: date, end: date | None = None, timeout: float = REQUEST_TIMEOUT) -> PriceQuery:
    return PriceQuery(normalize_ticker(ticker), pd.Timestamp(start).date(), end, timeout)


def shares_query(ticker: str, start: date, end: date | None = None) -> SharesQuery:
    return SharesQuery(normalize_ticker(ticker), pd.Timestamp(start).date(), end)


def fund_query(ticker: str) -> FundQuery:
    return FundQuery(normalize_ticker(ticker))


def universe_query(
    tickers: Iterable[str], start: date, end: date | None = None, threads: bool | int = True,
    timeout: float = REQUEST_TIMEOUT,
) -> UniverseQuery:
    syms = tuple(sorted({normalize_ticker(t) for t in tickers}))
    if not syms:
        raise UsageError("no tickers given")
    return UniverseQuery(syms, pd.Timestamp(start).date(), end, threads, timeout)


# ---------------------------------------------------------------------------
# Step 2: extract (the only I/O)
# ---------------------------------------------------------------------------


def default_client():
    """The ``yfinance`` module, with its error log and its pandas deprecation warnings kept off
    stderr (failures are reported by us, in one line)."""
    try:
        import yfinance
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise UsageError(
            "live data needs yfinance, which is not installed; install it with: pip install 'notewriter[live]'"
        ) from exc
    warnings.filterwarnings("ignore", module=r"yfinance(\..*)?$")
    yf_logger = logging.getLogger("yfinance")
    if not any(isinstance(h, logging.NullHandler) for h in yf_logger.handlers):
        yf_logger.addHandler(logging.NullHandler())
    return yfinance


# A fresh Ticker per call: yfinance memoizes a failed `info` fetch on the Ticker object,
# so a retry on the same object would return the cached failure.


def extract_prices(query: PriceQuery, client) -> pd.DataFrame:
    return client.Ticker(query.ticker).history(**query.kwargs())


def extract_shares(query: SharesQuery, client) -> pd.Series | None:
    return client.Ticker(query.ticker).get_shares_full(**query.kwargs())


def extract_info(query: FundQuery, client) -> dict:
    info = client.Ticker(query.ticker).info
    return dict(info) if info else {}


def extract_fund_data(query: FundQuery, client) -> tuple[pd.DataFrame | None, dict | None]:
    """``funds_data.top_holdings`` (DataFrame indexed by Symbol) and ``.sector_weightings`` (dict)."""
    funds = client.Ticker(query.ticker).funds_data
    if funds is None:
        return None, None
    return funds.top_holdings, funds.sector_weightings


def extract_universe(query: UniverseQuery, client) -> pd.DataFrame:
    return client.download(**query.kwargs())


# ---------------------------------------------------------------------------
# Step 3: normalize (pure)
# ---------------------------------------------------------------------------


def empty_prices() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in PRICE_COLUMNS})
    frame["Date"] = pd.Series(dtype="datetime64[ns]")
    frame["Volume"] = pd.Series(dtype="int64")
    return frame


def empty_shares() -> pd.DataFrame:
    return pd.DataFrame({
        "date": pd.Series(dtype="datetime64[ns]"),
        "ticker": pd.Series(dtype="object"),
        "shares_outstanding": pd.Series(dtype="int64"),
        "nav": pd.Series(dtype="float64"),
        "source": pd.Series(dtype="object"),
    })


def _exchange_dates(index: pd.Index, tz: str, *, naive_is_utc: bool) -> pd.DatetimeIndex:
    """Calendar dates at the exchange for a DatetimeIndex, as tz-naive midnight timestamps.

    yfinance's daily bars are stamped at midnight in the exchange's own zone, so their wall
    date is the session date. UTC stamps (and naive ones where ``naive_is_utc``) are first
    converted to ``tz``.
    """
    idx = pd.DatetimeIndex(index)
    if idx.tz is None:
        if naive_is_utc:
            idx = idx.tz_localize("UTC").tz_convert(tz)
        else:
            return idx.normalize().as_unit("ns")
    elif str(idx.tz) in ("UTC", "utc", "Etc/UTC") or naive_is_utc:
        idx = idx.tz_convert(tz)
    return idx.tz_localize(None).normalize().as_unit("ns")


def normalize_prices(
    frame: pd.DataFrame | None, ticker: str, *, complete_through: date | None = None, tz: str = EXCHANGE_TZ,
) -> pd.DataFrame:
    """``history(auto_adjust=False, actions=True)`` frame -> rows of prices/<TICKER>.csv.

    Keeps raw OHLC and Close, renames ``Adj Close`` to ``AdjClose``, drops ``Capital Gains``,
    rows without a Close, repeated dates (the last wins) and rows after ``complete_through``
    (a session still trading gives a partial bar). Empty input gives an empty frame.
    """
    if frame is None or len(frame) == 0:
        return empty_prices()
    df = frame.rename(columns={"Adj Close": "AdjClose"})
    if "Date" in df.columns:
        df = df.set_index("Date")
    missing = [c for c in ("Open", "High", "Low", "Close", "Volume") if c not in df.columns]
    if missing:
        raise DataError(
            f"{PROVIDER}:{ticker} history", f"expected columns Open, High, Low, Close, Volume; missing {', '.join(missing)}"
        )
    try:
        dates = _exchange_dates(df.index, tz, naive_is_utc=False)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{PROVIDER}:{ticker} history", f"expected a DatetimeIndex of trading days ({exc})") from exc
    out = pd.DataFrame({"Date": dates})
    for col in PRICE_COLUMNS[1:]:
        if col in df.columns:
            out[col] = pd.to_numeric(pd.Series(df[col].to_numpy()), errors="coerce").astype("float64")
        elif col in ("Dividends", "Stock Splits"):
            out[col] = 0.0
        else:
            out[col] = float("nan")
    out = out[out["Close"].notna()]
    if complete_through is not None:
        out = out[out["Date"] <= pd.Timestamp(complete_through)]
    out = out.drop_duplicates("Date", keep="last").sort_values("Date", kind="stable")
    out["Volume"] = out["Volume"].fillna(0).round().astype("int64")
    out["Dividends"] = out["Dividends"].fillna(0.0)
    out["Stock Splits"] = out["Stock Splits"].fillna(0.0)
    return out.reset_index(drop=True)[PRICE_COLUMNS]


def _price_level(columns: pd.MultiIndex) -> int:
    for level in range(columns.nlevels):
        if "Close" in set(columns.get_level_values(level)):
            return level
    raise DataError(f"{PROVIDER}:download", "expected a (Ticker, Price) column MultiIndex with a Close field")


def normalize_universe(
    frame: pd.DataFrame | None, tickers: Iterable[str], *, complete_through: date | None = None,
    tz: str = EXCHANGE_TZ,
) -> dict[str, pd.DataFrame]:
    """Batched ``download(group_by="ticker")`` frame -> one normalized price frame per ticker.

    yfinance puts a failed ticker in as all-NaN columns reindexed to the others' dates;
    such a ticker (or one absent from the frame) gets an empty frame.
    """
    syms = [normalize_ticker(t) for t in tickers]
    out = {t: empty_prices() for t in syms}
    if frame is None or frame.empty:
        return out
    if not isinstance(frame.columns, pd.MultiIndex):
        if len(syms) != 1:
            raise DataError(f"{PROVIDER}:download", "expected (Ticker, Price) columns for a batch of tickers")
        out[syms[0]] = normalize_prices(frame.dropna(how="all"), syms[0], complete_through=complete_through, tz=tz)
        return out
    price_level = _price_level(frame.columns)
    ticker_level = 1 - price_level if frame.columns.nlevels == 2 else 0
    present = set(frame.columns.get_level_values(ticker_level))
    for sym in syms:
        if sym not in present:
            continue
        sub = frame.xs(sym, axis=1, level=ticker_level).dropna(how="all")
        out[sym] = normalize_prices(sub, sym, complete_through=complete_through, tz=tz)
    return out


@dataclass(frozen=True)
class SharesData:
    """Normalized share counts plus what was resolved on the way."""

    frame: pd.DataFrame  # SHARES_COLUMNS, one row per exchange date
    duplicates: dict[str, list[int]] = field(default_factory=dict)  # ISO date -> counts reported that day
    dropped_null: int = 0


def normalize_shares(series: pd.Series | pd.DataFrame | None, ticker: str, *, tz: str = EXCHANGE_TZ) -> SharesData:
    """``get_shares_full()`` Series -> shares.csv rows (source ``yfinance``, nav left empty).

    Timestamps become exchange dates; several counts on one date keep the last reported
    one and the date is listed in ``duplicates``; ``None`` (yfinance's "no data") gives
    an empty frame.
    """
    sym = normalize_ticker(ticker)
    if series is None:
        return SharesData(empty_shares())
    if isinstance(series, pd.DataFrame):
        if series.shape[1] == 0:
            return SharesData(empty_shares())
        series = series.iloc[:, 0]
    if len(series) == 0:
        return SharesData(empty_shares())
    values = pd.to_numeric(pd.Series(series.to_numpy()), errors="coerce")
    try:
        # yfinance stamps the raw epoch with the exchange zone (tz_localize, not tz_convert);
        # for its own output this is a no-op, and frames stamped in UTC are converted.
        dates = _exchange_dates(series.index, tz, naive_is_utc=True)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{PROVIDER}:{sym} shares", f"expected a DatetimeIndex of report times ({exc})") from exc
    raw = pd.DataFrame({"date": dates, "value": values.to_numpy(), "order": range(len(values))})
    dropped = int(raw["value"].isna().sum())
    raw = raw[raw["value"].notna() & (raw["value"] > 0)]
    raw = raw.sort_values(["date", "order"], kind="stable")
    counts = raw.groupby("date")["value"].size()
    duplicates = {
        d.date().isoformat(): [int(v) for v in raw.loc[raw["date"] == d, "value"]]
        for d in counts[counts > 1].index
    }
    last = raw.drop_duplicates("date", keep="last")
    frame = pd.DataFrame({
        "date": last["date"].to_numpy(),
        "ticker": sym,
        "shares_outstanding": last["value"].round().astype("int64").to_numpy(),
        "nav": float("nan"),
        "source": PROVIDER,
    })
    if frame.empty:
        frame = empty_shares()
    return SharesData(frame.reset_index(drop=True), duplicates, dropped)


@dataclass(frozen=True)
class FlatRun:
    """The final run of an unchanged share count."""

    since: date  # first date the latest count was reported
    sessions: int  # exchange sessions after `since`, up to the end date, without a change
    stale: bool


def flat_run(frame: pd.DataFrame, as_of: date | None = None, sessions: int = STALE_SESSIONS) -> FlatRun | None:
    """How long the latest share count has stood unchanged, up to ``as_of`` (default: last row)."""
    if frame is None or frame.empty:
        return None
    df = frame.sort_values("date", kind="stable")
    if as_of is not None:
        df = df[df["date"] <= pd.Timestamp(as_of)]
        if df.empty:
            return None
    values = df["shares_outstanding"].to_numpy()
    dates = pd.DatetimeIndex(df["date"])
    i = len(values) - 1
    while i > 0 and values[i - 1] == values[i]:
        i -= 1
    since = dates[i].date()
    end = as_of if as_of is not None else dates[-1].date()
    n = len(calendar.sessions_between(since, end))
    return FlatRun(since, n, n >= sessions)


_INFO_KEYS = (
    "quoteType", "category", "fundFamily", "legalType", "totalAssets", "navPrice", "previousClose",
    "fiftyTwoWeekHigh", "fiftyTwoWeekLow", "yield", "fundInceptionDate", "beta3Year", "currency",
)


def _plain(value):
    """A JSON-friendly scalar: numpy types unwrapped, NaN and empty strings to None."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def normalize_fund_info(
    ticker: str, info: Mapping | None, top_holdings: pd.DataFrame | None = None,
    sector_weightings: Mapping | None = None, *, fetched_at: datetime,
) -> dict | None:
    """``info`` + ``funds_data`` -> the funds/<TICKER>.json mapping (None when Yahoo gave nothing).

    ``expenseRatio`` is in percent, like Yahoo's ``netExpenseRatio`` (0.09 means 0.09%);
    ``topHoldings`` weights and ``sectorWeightings`` are fractions, as Yahoo gives them.
    ``navPrice`` and ``totalAssets`` are a snapshot as of ``fetchedAt``.
    """
    sym = normalize_ticker(ticker)
    info = dict(info or {})
    out: dict = {"ticker": sym}
    name = _plain(info.get("longName")) or _plain(info.get("shortName"))
    if name:
        out["longName"] = name
    for key in _INFO_KEYS:
        val = _plain(info.get(key))
        if val is not None:
            out[key] = val
    net = _plain(info.get("netExpenseRatio"))
    annual = _plain(info.get("annualReportExpenseRatio"))
    if net is not None:
        out["expenseRatio"] = float(net)
    elif annual is not None:
        out["expenseRatio"] = round(float(annual) * 100, 10)
    summary = _plain(info.get("longBusinessSummary"))
    if summary:
        out["summary"] = summary
    if top_holdings is not None:
        holdings = []
        for symbol, row in top_holdings.iterrows():
            weight = _plain(row.get("Holding Percent"))
            holdings.append({
                "symbol": _plain(symbol),
                "name": _plain(row.get("Name")),
                "weight": None if weight is None else float(weight),
            })
        out["topHoldings"] = holdings
    if sector_weightings:
        out["sectorWeightings"] = {
            str(k): float(v) for k, v in sector_weightings.items() if _plain(v) is not None
        }
    if len(out) == 1:
        return None
    out["source"] = PROVIDER
    out["fetchedAt"] = utc_iso(fetched_at)
    return out


def utc_iso(moment: datetime) -> str:
    """``2026-05-01T20:15:00Z`` (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# ---------------------------------------------------------------------------
# Reachability and retries
# ---------------------------------------------------------------------------


def probe_url() -> str:
    """Where the reachability probe connects: ``$NOTEWRITER_YF_PROBE_URL`` or Yahoo's API host."""
    from notewriter.config import settings

    return settings().yf_probe_url


def _proxy_for(url: str) -> str | None:
    host = urlsplit(url).hostname or ""
    no_proxy = os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or ""
    for entry in (e.strip().lstrip(".") for e in no_proxy.split(",")):
        if entry and (entry == "*" or host == entry or host.endswith("." + entry)):
            return None
    scheme = urlsplit(url).scheme or "https"
    for var in (f"{scheme}_proxy", f"{scheme.upper()}_PROXY", "all_proxy", "ALL_PROXY"):
        if os.environ.get(var):
            return os.environ[var]
    return None


def unreachable_reason(url: str | None = None, timeout: float = PROBE_TIMEOUT) -> str | None:
    """None when a TCP connection to the Yahoo host (or the configured proxy) opens within
    ``timeout`` seconds; otherwise a short reason. Name resolution is bounded too."""
    target = url or probe_url()
    proxy = _proxy_for(target) if url is None else None
    parts = urlsplit(proxy if proxy and "://" in proxy else (f"http://{proxy}" if proxy else target))
    host = parts.hostname
    if not host:
        return f"bad probe address {target!r}"
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return f"bad probe address {target!r}"
    label = f"proxy {host}:{port}" if proxy else f"{host}:{port}"
    outcome: dict = {}

    def connect():
        try:
            with socket.create_connection((host, port), timeout=timeout):
                outcome["ok"] = True
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcome["error"] = exc

    worker = threading.Thread(target=connect, name="notewriter-yahoo-probe", daemon=True)
    worker.start()
    worker.join(timeout + 0.5)
    if outcome.get("ok"):
        return None
    exc = outcome.get("error")
    if exc is None or isinstance(exc, (socket.timeout, TimeoutError)):
        return f"no answer from {label} within {timeout:g} s"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve {'proxy ' if proxy else ''}{host}"
    if isinstance(exc, ConnectionRefusedError):
        return f"connection to {label} refused"
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"{label}: {reason}"


def unreachable_error(reason: str, cache_dir) -> SourceUnavailable:
    return SourceUnavailable(f"cannot reach Yahoo Finance ({reason}); run with --offline to use the cache at {cache_dir}")


def rate_limited_error(detail: str, cache_dir) -> SourceUnavailable:
    return SourceUnavailable(
        f"Yahoo Finance is rate-limiting requests ({detail}); try again in a few minutes, "
        f"or run with --offline to use the cache at {cache_dir}"
    )


def _type_names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def is_rate_limit(exc: BaseException) -> bool:
    """yfinance's ``YFRateLimitError`` (raised on HTTP 429), recognized without importing yfinance."""
    return "YFRateLimitError" in _type_names(exc) or "Too Many Requests" in str(exc)


def is_connection_error(exc: BaseException) -> bool:
    """A transport failure (DNS, refused, reset, timeout) from requests, curl_cffi or the socket layer."""
    names = _type_names(exc)
    if names & {"HTTPError", "JSONDecodeError"}:
        return False
    return bool(names & {"ConnectionError", "ConnectTimeout", "ReadTimeout", "Timeout", "ProxyError", "SSLError"}) or \
        isinstance(exc, (ConnectionError, TimeoutError, socket.timeout, socket.gaierror))


def is_missing_data(exc: BaseException) -> bool:
    return "YFTickerMissingError" in _type_names(exc) or "YFDataException" in _type_names(exc)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with exponential backoff for rate limits and connection blips.

    ``wait`` is a tenacity wait strategy; ``sleep`` is what waits (tests pass a recorder).
    The default waits 1 s, 2 s, 4 s between four attempts, and starts none after a minute
    (yfinance's info and share-count requests wait up to 30 s each).
    """

    attempts: int = 4
    wait: Callable | None = None
    sleep: Callable[[float], None] = time.sleep
    max_seconds: float = 60.0  # no new attempt once this long has passed since the first

    def retrying(self):
        import tenacity

        wait = self.wait if self.wait is not None else tenacity.wait_exponential(multiplier=1, min=1, max=8)
        return tenacity.Retrying(
            stop=tenacity.stop_after_attempt(max(1, self.attempts)) | tenacity.stop_after_delay(self.max_seconds),
            wait=wait,
            sleep=self.sleep,
            retry=tenacity.retry_if_exception(lambda e: is_rate_limit(e) or is_connection_error(e)),
            reraise=True,
        )


class CallFailed(Exception):
    """A yfinance call that failed for good; ``kind`` is network, rate_limit, no_data or error."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


def _short(exc: BaseException, limit: int = 160) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Session:
    """Runs yfinance calls under one retry policy; after a source-wide failure (network gone,
    rate limit past its retries) the remaining calls fail at once instead of waiting again."""

    def __init__(self, client, retry: RetryPolicy):
        self.client = client
        self.retry = retry
        self.tripped: CallFailed | None = None

    def call(self, fn: Callable, what: str):
        if self.tripped is not None:
            raise CallFailed(self.tripped.kind, f"skipped {what}: {self.tripped.message}")
        attempts = 0

        def attempt():
            nonlocal attempts
            attempts += 1
            return fn()

        try:
            return self.retry.retrying()(attempt)
        except Exception as exc:  # noqa: BLE001 - classified below
            if is_rate_limit(exc):
                tries = f"{attempts} attempt" + ("" if attempts == 1 else "s")
                self.tripped = CallFailed("rate_limit", f"rate-limited by Yahoo Finance, gave up after {tries}")
                raise CallFailed("rate_limit", f"{what}: {self.tripped.message}") from exc
            if is_connection_error(exc):
                self.tripped = CallFailed("network", f"connection to Yahoo Finance failed: {_short(exc)}")
                raise CallFailed("network", f"{what}: {self.tripped.message}") from exc
            if is_missing_data(exc):
                raise CallFailed("no_data", f"{what}: {_short(exc)}") from exc
            raise CallFailed("error", f"{what}: {type(exc).__name__}: {_short(exc)}") from exc


# ---------------------------------------------------------------------------
# Fetching many tickers
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TickerPlan:
    """What to fetch for one ticker; a None start skips that kind."""

    ticker: str
    price_start: date | None
    shares_start: date | None = None
    info: bool = True
    quote_type: str | None = None  # known from an earlier fetch, if any


@dataclass
class TickerData:
    """What came back for one ticker (normalized), or why it did not."""

    ticker: str
    prices: pd.DataFrame | None = None
    shares: SharesData | None = None
    fund_info: dict | None = None
    quote_type: str | None = None
    error: str | None = None
    error_kind: str | None = None  # network | rate_limit | no_data | error
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class UniverseResult:
    """Per-ticker results of a fetch; failed tickers carry a one-line message."""

    data: dict[str, TickerData]

    @property
    def ok(self) -> list[str]:
        return sorted(t for t, d in self.data.items() if d.ok)

    @property
    def failed(self) -> dict[str, str]:
        return {t: d.error for t, d in sorted(self.data.items()) if not d.ok}


def _no_prices_message(ticker: str, start: date | None) -> str:
    since = f" since {start.isoformat()}" if start else ""
    return f"Yahoo Finance returned no prices for {ticker}{since} (unknown or delisted symbol, or no new sessions)"


def run_plans(
    plans: Iterable[TickerPlan], *, client=None, retry: RetryPolicy | None = None,
    complete_through: date | None = None, fetched_at: datetime | None = None, threads: bool | int = True,
    recheck: Callable[[], str | None] | None = None,
) -> UniverseResult:
    """Fetch what each plan asks for: prices batched per start date (one ``download`` per
    group, ``history`` for a lone ticker or one the batch left empty), then fund info and
    share counts per fund. A ticker's failure is recorded and the others continue.

    yfinance turns a dropped connection into an empty frame; ``recheck`` (a reachability
    probe returning a reason or None) tells that apart from a symbol without data.
    """
    client = client if client is not None else default_client()
    session = _Session(client, retry or RetryPolicy())
    fetched_at = fetched_at or datetime.now(timezone.utc)
    plans = {p.ticker: p for p in (TickerPlan(normalize_ticker(p.ticker), p.price_start, p.shares_start, p.info,
                                              p.quote_type) for p in plans)}
    result = UniverseResult({t: TickerData(t, quote_type=p.quote_type) for t, p in sorted(plans.items())})

    groups: dict[date, list[str]] = {}
    for sym, plan in sorted(plans.items()):
        if plan.price_start is not None:
            groups.setdefault(plan.price_start, []).append(sym)

    for start, syms in sorted(groups.items()):
        pending = list(syms)
        if len(syms) > 1:
            query = universe_query(syms, start, threads=threads)
            try:
                frame = session.call(lambda q=query: extract_universe(q, client), f"prices for {len(syms)} tickers")
                batch = normalize_universe(frame, syms, complete_through=complete_through)
                for sym in syms:
                    if not batch[sym].empty:
                        result.data[sym].prices = batch[sym]
                pending = [s for s in syms if batch[s].empty]
            except CallFailed as exc:
                if exc.kind in ("network", "rate_limit"):
                    for sym in syms:
                        result.data[sym].error, result.data[sym].error_kind = exc.message, exc.kind
                    continue
            except DataError:
                pass  # an unexpected batch shape: fall back to one request per ticker
        for sym in pending:
            query = price_query(sym, start)
            try:
                frame = session.call(lambda q=query: extract_prices(q, client), f"{sym} prices")
                prices = normalize_prices(frame, sym, complete_through=complete_through)
            except CallFailed as exc:
                result.data[sym].error, result.data[sym].error_kind = exc.message, exc.kind
                continue
            except DataError as exc:
                result.data[sym].error, result.data[sym].error_kind = str(exc), "error"
                continue
            if prices.empty:
                reason = recheck() if recheck is not None else None
                if reason:
                    session.tripped = CallFailed("network", f"lost the connection to Yahoo Finance ({reason})")
                    result.data[sym].error, result.data[sym].error_kind = f"{sym} prices: {session.tripped.message}", \
                        "network"
                else:
                    result.data[sym].error = _no_prices_message(sym, start)
                    result.data[sym].error_kind = "no_data"
            else:
                result.data[sym].prices = prices

    for sym, plan in sorted(plans.items()):
        data = result.data[sym]
        if not data.ok:
            continue
        _fetch_fund_side(session, client, plan, data, fetched_at)
    return result


def _fetch_fund_side(session: _Session, client, plan: TickerPlan, data: TickerData, fetched_at: datetime) -> None:
    """Fund info, top holdings and share counts; failures here are warnings, not ticker failures."""
    sym = plan.ticker
    info: dict = {}
    if plan.info:
        try:
            info = session.call(lambda: extract_info(fund_query(sym), client), f"{sym} fund info")
        except CallFailed as exc:
            data.warnings.append(exc.message)
        if info.get("quoteType"):
            data.quote_type = str(info["quoteType"]).upper()
    is_fund = data.quote_type is None or data.quote_type in FUND_TYPES
    if plan.info and is_fund:
        top, sectors = None, None
        try:
            top, sectors = session.call(lambda: extract_fund_data(fund_query(sym), client), f"{sym} fund holdings")
        except CallFailed as exc:
            if exc.kind == "no_data":
                data.warnings.append(f"Yahoo Finance has no fund holdings for {sym}")
            else:
                data.warnings.append(exc.message)
        data.fund_info = normalize_fund_info(sym, info, top, sectors, fetched_at=fetched_at) if (info or top is not None) \
            else None
        if data.fund_info is None:
            data.warnings.append(f"Yahoo Finance returned no fund info for {sym}")
    if plan.shares_start is not None and is_fund:
        try:
            series = session.call(lambda: extract_shares(shares_query(sym, plan.shares_start), client),
                                  f"{sym} share counts")
            data.shares = normalize_shares(series, sym)
        except CallFailed as exc:
            data.warnings.append(exc.message)
        except DataError as exc:
            data.warnings.append(str(exc))
        else:
            if data.shares.frame.empty:
                data.warnings.append(f"Yahoo Finance returned no share counts for {sym}")
            for day, counts in sorted(data.shares.duplicates.items()):
                data.warnings.append(
                    f"{sym} share count reported {len(counts)} times on {day} "
                    f"({', '.join(f'{c:,}' for c in counts)}); kept the last"
                )


def fetch_universe(
    tickers: Iterable[str], since: date, *, client=None, retry: RetryPolicy | None = None,
    kinds: Iterable[str] = ("prices", "shares", "info"), complete_through: date | None = None,
    fetched_at: datetime | None = None, threads: bool | int = True,
) -> UniverseResult:
    """Prices (one batched download), and for funds share counts and fund info, for every
    ticker since ``since``; each ticker's failure is listed in ``result.failed``."""
    kinds = set(kinds)
    unknown = kinds - {"prices", "shares", "info"}
    if unknown:
        raise UsageError(f"unknown data kind(s): {', '.join(sorted(unknown))} (use prices, shares, info)")
    start = pd.Timestamp(since).date()
    plans = [
        TickerPlan(normalize_ticker(t), start, start if "shares" in kinds else None, "info" in kinds)
        for t in dict.fromkeys(tickers)
    ]
    if not plans:
        raise UsageError("no tickers given")
    return run_plans(plans, client=client, retry=retry, complete_through=complete_through,
                     fetched_at=fetched_at, threads=threads)


def utc_date(moment: datetime) -> date:
    """The UTC calendar date of ``moment`` (naive = UTC)."""
    stamp = pd.Timestamp(moment)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.date()
