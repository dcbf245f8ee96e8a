"""yfinance-shaped frames and dicts turned into our tables, laid out per the data directory contract (pure)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import pandas as pd

from notewriter import calendar
from notewriter.errors import DataError

from .query import normalize_ticker

PROVIDER = "yfinance"
#: the zone yfinance stamps daily bars and share-count reports in
EXCHANGE_TZ = "America/New_York"

#: columns of prices/<TICKER>.csv written from yfinance (raw Close, adjusted close kept)
PRICE_COLUMNS = ["Date", "Open", "High", "Low", "Close", "AdjClose", "Volume", "Dividends", "Stock Splits"]
#: columns of shares.csv
SHARES_COLUMNS = ["date", "ticker", "shares_outstanding", "nav", "source"]

#: a share count unchanged for this many sessions is flagged as stale
STALE_SESSIONS = 20


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
