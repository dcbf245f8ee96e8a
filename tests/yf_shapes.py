"""yfinance-shaped inputs for tests, made by yfinance's own code from Yahoo-shaped JSON.

Rather than imitating yfinance's frames by hand, a stub stands in for Yahoo's HTTP
answers (the chart, fundamentals-timeseries and quoteSummary endpoints) and yfinance's
real parsing turns them into exactly what it returns to callers:

* ``Ticker.history(auto_adjust=False, actions=True)`` -> ``PriceHistory.history``;
* ``Ticker.get_shares_full()`` -> ``TickerBase.get_shares_full`` (a Series or None);
* ``Ticker.funds_data`` -> ``FundsData`` (top_holdings DataFrame, sector_weightings dict);
* ``yfinance.download(group_by="ticker")`` -> the real ``download`` with its per-ticker
  ``Ticker`` replaced by :class:`FakeTicker`.

``Ticker.info`` is a plain dict in yfinance, so it is built directly with Yahoo's keys.
:class:`FakeYF` is the client the code under test receives in place of the yfinance module;
outcomes can be scripted per call (a value, or an exception such as ``YFRateLimitError``).
"""

from __future__ import annotations

import copy
import json
import logging
import math
from pathlib import Path
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

yf = pytest.importorskip("yfinance", reason="yfinance is not installed (pip install 'notewriter[live]')")

from yfinance import multi as yf_multi  # noqa: E402
from yfinance.base import TickerBase  # noqa: E402
from yfinance.exceptions import YFRateLimitError  # noqa: E402
from yfinance.scrapers.funds import FundsData  # noqa: E402
from yfinance.scrapers.history import PriceHistory  # noqa: E402

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
MARKET = SHARED_DATA / "market"
NY = "America/New_York"

# yfinance logs what it swallows (and download's "N Failed downloads"); keep test output clean.
logging.getLogger("yfinance").addHandler(logging.NullHandler())
logging.getLogger("yfinance").propagate = False


def require_market() -> Path:
    if not MARKET.is_dir():
        pytest.skip(f"real market data not found at {MARKET} (../shared/data is absent in this checkout)")
    return MARKET


def shared_prices(ticker: str, start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Rows of ../shared/data/market/prices/<TICKER>.csv (yfinance history(auto_adjust=False))."""
    frame = pd.read_csv(require_market() / "prices" / f"{ticker}.csv")
    if start:
        frame = frame[frame["Date"] >= start]
    if end:
        frame = frame[frame["Date"] <= end]
    return frame.reset_index(drop=True)


def shared_fund(ticker: str) -> dict:
    return json.loads((require_market() / "funds" / f"{ticker}.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------
# Yahoo JSON payloads
# ---------------------------------------------------------------------------


def _open_epoch(day: str) -> int:
    """Yahoo stamps a daily bar (and its events) at the session's 09:30 open, as a UTC epoch."""
    return int(pd.Timestamp(f"{day} 09:30", tz=NY).timestamp())


def _num(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else v


def chart_payload(rows: pd.DataFrame, symbol: str, instrument: str = "ETF") -> dict:
    """A /v8/finance/chart answer for daily bars. ``rows``: Date (YYYY-MM-DD), Open, High, Low,
    Close, Volume and optionally AdjClose, Dividends, Stock Splits (ratio, e.g. 4.0)."""
    days = [str(d)[:10] for d in rows["Date"]]
    stamps = [_open_epoch(d) for d in days]
    events: dict = {}
    if "Dividends" in rows:
        divs = {str(t): {"amount": float(a), "date": t} for t, a in zip(stamps, rows["Dividends"]) if a}
        if divs:
            events["dividends"] = divs
    if "Stock Splits" in rows:
        splits = {str(t): {"date": t, "numerator": float(r), "denominator": 1.0, "splitRatio": f"{r:g}:1"}
                  for t, r in zip(stamps, rows["Stock Splits"]) if r}
        if splits:
            events["splits"] = splits
    adj = rows["AdjClose"] if "AdjClose" in rows else rows["Close"]
    result = {
        "meta": {"currency": "USD", "symbol": symbol, "exchangeName": "PCX", "instrumentType": instrument,
                 "exchangeTimezoneName": NY, "timezone": "EDT", "priceHint": 2, "dataGranularity": "1d",
                 "range": "", "validRanges": ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"]},
        "timestamp": stamps,
        "indicators": {
            "quote": [{"open": [_num(v) for v in rows["Open"]], "high": [_num(v) for v in rows["High"]],
                       "low": [_num(v) for v in rows["Low"]], "close": [_num(v) for v in rows["Close"]],
                       "volume": [None if _num(v) is None else int(v) for v in rows["Volume"]]}],
            "adjclose": [{"adjclose": [_num(v) for v in adj]}],
        },
    }
    if events:
        result["events"] = events
    return {"chart": {"result": [result], "error": None}}


def _slice_chart(payload: dict, period1: int | None, period2: int | None) -> dict:
    """What Yahoo answers for [period1, period2): the bars (and events) in range, or an empty quote."""
    if payload["chart"]["result"] is None:
        return payload
    out = copy.deepcopy(payload)
    res = out["chart"]["result"][0]
    lo = period1 if period1 is not None else -(10**12)
    hi = period2 if period2 is not None else 10**12
    keep = [i for i, t in enumerate(res.get("timestamp", [])) if lo <= t < hi]
    if not keep:
        res.pop("timestamp", None)
        res.pop("events", None)
        res["indicators"] = {"quote": [{}], "adjclose": [{}]}
        return out
    res["timestamp"] = [res["timestamp"][i] for i in keep]
    quote = res["indicators"]["quote"][0]
    for key in list(quote):
        quote[key] = [quote[key][i] for i in keep]
    adj = res["indicators"]["adjclose"][0]["adjclose"]
    res["indicators"]["adjclose"][0]["adjclose"] = [adj[i] for i in keep]
    for kind, items in list(res.get("events", {}).items()):
        res["events"][kind] = {k: v for k, v in items.items() if lo <= v["date"] < hi}
    return out


NOT_FOUND_CHART = {"chart": {"result": None, "error": {"code": "Not Found",
                                                        "description": "No data found, symbol may be delisted"}}}


def shares_payload(points: list[tuple[str, float | None]]) -> dict:
    """A fundamentals-timeseries answer for ``shares_out``: (UTC time 'YYYY-MM-DD HH:MM', count)."""
    stamps = [int(pd.Timestamp(t, tz="UTC").timestamp()) for t, _ in points]
    return {"timeseries": {"result": [{"meta": {"symbol": ["X"], "type": ["shares_out"]},
                                       "timestamp": stamps, "shares_out": [v for _, v in points]}],
                           "error": None}}


NO_SHARES_PAYLOAD = {"timeseries": {"result": [{"meta": {"symbol": ["X"], "type": ["shares_out"]}}], "error": None}}


def funds_payload(fund: dict) -> dict:
    """A quoteSummary answer (quoteType, summaryProfile, topHoldings, fundProfile) from a
    funds/<TICKER>.json mapping (topHoldings [{symbol,name,weight}], sectorWeightings {})."""
    holdings = [{"symbol": h["symbol"], "holdingName": h["name"], "holdingPercent": h["weight"]}
                for h in fund.get("topHoldings", [])]
    sectors = [{k: v} for k, v in fund.get("sectorWeightings", {}).items()]
    return {"quoteSummary": {"result": [{
        "quoteType": {"quoteType": "ETF"},
        "summaryProfile": {"longBusinessSummary": fund.get("summary", "")},
        "topHoldings": {"holdings": holdings, "sectorWeightings": sectors, "stockPosition": 0.99},
        "fundProfile": {"categoryName": fund.get("category"), "family": fund.get("fundFamily"),
                        "legalType": "Exchange Traded Fund"},
    }], "error": None}}


NOT_A_FUND_PAYLOAD = {"quoteSummary": {"result": [{"quoteType": {"quoteType": "EQUITY"}}], "error": None}}


def info_from_fund(fund: dict, quote_type: str = "ETF") -> dict:
    """A ``Ticker.info`` dict with Yahoo's own keys, from a funds/<TICKER>.json mapping."""
    info = {
        "symbol": fund["ticker"], "quoteType": quote_type, "longName": fund.get("longName"),
        "shortName": fund.get("longName"), "category": fund.get("category"), "fundFamily": fund.get("fundFamily"),
        "totalAssets": fund.get("totalAssets"), "navPrice": fund.get("navPrice"),
        "netExpenseRatio": fund.get("expenseRatio"), "yield": fund.get("yield"),
        "previousClose": fund.get("previousClose"), "fiftyTwoWeekHigh": fund.get("fiftyTwoWeekHigh"),
        "fiftyTwoWeekLow": fund.get("fiftyTwoWeekLow"), "fundInceptionDate": fund.get("fundInceptionDate"),
        "beta3Year": fund.get("beta3Year"), "longBusinessSummary": fund.get("summary"),
        "legalType": "Exchange Traded Fund", "currency": "USD", "exchange": "PCX",
        "exchangeTimezoneName": NY, "trailingPegRatio": None,
    }
    return {k: v for k, v in info.items() if v is not None}


# ---------------------------------------------------------------------------
# yfinance objects over stubbed HTTP answers
# ---------------------------------------------------------------------------


class _Response:
    def __init__(self, payload):
        self._payload = payload
        self.text = json.dumps(payload)
        self.url = "https://query2.finance.yahoo.com/"
        self.status_code = 200

    def json(self):
        return json.loads(self.text)


class YahooStub:
    """Answers yfinance's YfData calls from payloads, slicing by the requested period."""

    def __init__(self, chart: dict | None = None, shares: dict | None = None, summary: dict | None = None):
        self.chart, self.shares, self.summary = chart, shares, summary

    def get(self, url, params=None, timeout=30):
        params = dict(params or {})
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        if "/v8/finance/chart/" in url:
            payload = self.chart or NOT_FOUND_CHART
            p1, p2 = params.get("period1"), params.get("period2")
            return _Response(_slice_chart(payload, p1, p2))
        if "timeseries" in url:
            payload = self.shares or NO_SHARES_PAYLOAD
            p1, p2 = int(query.get("period1", 0)), int(query.get("period2", 10**12))
            return _Response(_slice_shares(payload, p1, p2))
        raise AssertionError(f"unexpected Yahoo request in a test: {url}")

    cache_get = get

    def get_raw_json(self, url, params=None, timeout=30):
        if "quoteSummary" in url:
            return copy.deepcopy(self.summary or {"quoteSummary": {"result": [{}], "error": None}})
        raise AssertionError(f"unexpected Yahoo request in a test: {url}")


def _slice_shares(payload: dict, p1: int, p2: int) -> dict:
    out = copy.deepcopy(payload)
    res = out["timeseries"]["result"][0]
    if "timestamp" in res:
        keep = [i for i, t in enumerate(res["timestamp"]) if p1 <= t <= p2]
        res["timestamp"] = [res["timestamp"][i] for i in keep]
        res["shares_out"] = [res["shares_out"][i] for i in keep]
    return out


def history_frame(rows: pd.DataFrame, symbol: str = "SPY", instrument: str = "ETF", **kwargs) -> pd.DataFrame:
    """``Ticker(symbol).history(start=first row, auto_adjust=False, actions=True)`` as yfinance returns it."""
    stub = YahooStub(chart=chart_payload(rows, symbol, instrument))
    kw = {"start": str(rows["Date"].iloc[0])[:10], "auto_adjust": False, "actions": True}
    kw.update(kwargs)
    return PriceHistory(stub, symbol, NY).history(**kw)


def empty_history() -> pd.DataFrame:
    """What history returns when Yahoo has no bars (yfinance's own empty frame)."""
    return yf.utils.empty_df()


class _SharesSelf:
    def __init__(self, symbol, stub):
        self.ticker, self._data = symbol, stub

    def _get_ticker_tz(self, timeout):
        return NY


def shares_series(points: list[tuple[str, float | None]], symbol: str = "SPY", start: str = "2020-01-01"):
    """``get_shares_full(start)`` as yfinance returns it: an int Series stamped in exchange time."""
    return TickerBase.get_shares_full(_SharesSelf(symbol, YahooStub(shares=shares_payload(points))), start=start)


def funds_data(fund: dict, symbol: str | None = None) -> FundsData:
    return FundsData(YahooStub(summary=funds_payload(fund)), symbol or fund["ticker"])


def rate_limit() -> Exception:
    return YFRateLimitError()


def connection_error(host: str = "query2.finance.yahoo.com") -> Exception:
    """The error yfinance's HTTP layer raises when DNS or the connection fails."""
    try:
        from curl_cffi.requests.exceptions import ConnectionError as CurlConnectionError

        return CurlConnectionError(f"Failed to perform, curl: (6) Could not resolve host: {host}. "
                                   "See https://curl.se/libcurl/c/libcurl-errors.html first for more details.")
    except ImportError:  # yfinance falls back to requests without curl_cffi
        import requests

        return requests.exceptions.ConnectionError(f"Failed to resolve '{host}'")


# ---------------------------------------------------------------------------
# The fake yfinance module
# ---------------------------------------------------------------------------


class _Script:
    """Outcomes handed out in order per (method, symbol); exhausted -> the default answer."""

    def __init__(self):
        self.queues: dict[tuple[str, str], list] = {}

    def push(self, method, symbol, outcomes):
        self.queues.setdefault((method, symbol), []).extend(outcomes)

    def next(self, method, symbol):
        queue = self.queues.get((method, symbol))
        if queue:
            outcome = queue.pop(0)
            if isinstance(outcome, BaseException):
                raise outcome
            return True, outcome
        return False, None


class FakeTicker:
    """yfinance.Ticker over :class:`FakeYF`'s data; methods run yfinance's real parsing."""

    def __init__(self, yf_fake: FakeYF, symbol: str, session=None, *, via: str = "Ticker"):
        self._yf = yf_fake
        self.ticker = symbol.upper()
        self._via = via
        self._price_history = None

    def _log(self, method, kwargs):
        self._yf.calls.append({"method": method, "symbol": self.ticker, "kwargs": dict(kwargs), "via": self._via})

    def history(self, **kwargs):
        self._log("history", kwargs)
        scripted, value = self._yf.script.next("history", self.ticker)
        if scripted:
            return value
        chart = self._yf.charts.get(self.ticker)
        self._price_history = PriceHistory(YahooStub(chart=chart), self.ticker, NY)
        return self._price_history.history(**kwargs)

    def get_shares_full(self, start=None, end=None):
        self._log("get_shares_full", {"start": start, "end": end})
        scripted, value = self._yf.script.next("get_shares_full", self.ticker)
        if scripted:
            return value
        stub = YahooStub(shares=self._yf.shares.get(self.ticker))
        return TickerBase.get_shares_full(_SharesSelf(self.ticker, stub), start=start, end=end)

    @property
    def info(self) -> dict:
        self._log("info", {})
        scripted, value = self._yf.script.next("info", self.ticker)
        if scripted:
            return value
        return copy.deepcopy(self._yf.infos.get(self.ticker, {"trailingPegRatio": None}))

    @property
    def funds_data(self) -> FundsData:
        self._log("funds_data", {})
        scripted, value = self._yf.script.next("funds_data", self.ticker)
        if scripted:
            return value
        return FundsData(YahooStub(summary=self._yf.summaries.get(self.ticker, NOT_A_FUND_PAYLOAD)), self.ticker)


class FakeYF:
    """Stands in for the ``yfinance`` module: ``Ticker(symbol)`` and ``download(...)``.

    Add data with :meth:`add_prices`, :meth:`add_shares`, :meth:`add_fund`; script failures
    with :meth:`script_calls`. Every call is recorded in ``calls``.
    """

    def __init__(self):
        self.charts: dict[str, dict] = {}
        self.shares: dict[str, dict] = {}
        self.infos: dict[str, dict] = {}
        self.summaries: dict[str, dict] = {}
        self.script = _Script()
        self.calls: list[dict] = []

    # data
    def add_prices(self, symbol: str, rows: pd.DataFrame, instrument: str = "ETF") -> FakeYF:
        self.charts[symbol] = chart_payload(rows, symbol, instrument)
        return self

    def add_shares(self, symbol: str, points: list[tuple[str, float | None]]) -> FakeYF:
        self.shares[symbol] = shares_payload(points)
        return self

    def add_fund(self, symbol: str, fund: dict) -> FakeYF:
        self.infos[symbol] = info_from_fund({**fund, "ticker": symbol})
        self.summaries[symbol] = funds_payload(fund)
        return self

    def add_stock_info(self, symbol: str, name: str) -> FakeYF:
        self.infos[symbol] = {"symbol": symbol, "quoteType": "EQUITY", "longName": name, "currency": "USD"}
        return self

    def script_calls(self, method: str, symbol: str, *outcomes) -> FakeYF:
        """The next calls of ``method`` for ``symbol`` give these outcomes (exceptions are raised)."""
        self.script.push(method, symbol.upper(), outcomes)
        return self

    # the yfinance surface
    def Ticker(self, symbol: str, session=None) -> FakeTicker:  # noqa: N802 - yfinance's name
        return FakeTicker(self, symbol, session)

    def download(self, tickers, **kwargs) -> pd.DataFrame:
        self.calls.append({"method": "download", "symbol": None, "kwargs": {"tickers": tickers, **kwargs},
                           "via": "download"})
        scripted, value = self.script.next("download", "*")
        if scripted:
            return value

        def make(symbol, session=None):
            return FakeTicker(self, symbol, session, via="download")

        with mock.patch.object(yf_multi, "Ticker", make):
            return yf.download(tickers, **kwargs)

    def calls_of(self, method: str, symbol: str | None = None, via: str | None = None) -> list[dict]:
        return [c for c in self.calls if c["method"] == method and (symbol is None or c["symbol"] == symbol)
                and (via is None or c["via"] == via)]
