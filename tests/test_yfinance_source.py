"""The yfinance source: queries, normalization of yfinance-shaped data, retries and failures.

No test touches the network: yfinance is replaced at its boundary by tests/yf_shapes.py,
whose frames come out of yfinance's own parsing code.
"""

from __future__ import annotations

import inspect
import socket
import time
from datetime import date, datetime, timezone

import pandas as pd
import pytest

try:
    import yf_shapes as ys
except ImportError:
    from tests import yf_shapes as ys

import yfinance
from yfinance.base import TickerBase
from yfinance.exceptions import YFPricesMissingError
from yfinance.scrapers.history import PriceHistory

from notewriter.errors import DataError, SourceUnavailable, UsageError
from notewriter.sources import yfinance as yfs
from notewriter.sources.yfinance import reachability

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*inplace keyword.*"),
    pytest.mark.filterwarnings("ignore:.*Series.values returning an ndarray.*"),
]

NOW = datetime(2026, 5, 2, 12, 0, tzinfo=timezone.utc)  # a Saturday


class Sleeps(list):
    """Records what the retry policy would have slept, without sleeping."""

    def __call__(self, seconds):
        self.append(seconds)


def fast_retry(attempts=4):
    sleeps = Sleeps()
    return yfs.RetryPolicy(attempts=attempts, sleep=sleeps), sleeps


# ---------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------


def test_price_query_asks_for_raw_prices_with_actions():
    q = yfs.price_query("spy", date(2026, 4, 1))
    assert q.ticker == "SPY"
    assert q.kwargs() == {"start": "2026-04-01", "auto_adjust": False, "actions": True, "timeout": 10.0}


def test_query_kwargs_fit_yfinance_signatures():
    inspect.signature(PriceHistory.history).bind(None, **yfs.price_query("SPY", date(2026, 1, 2)).kwargs())
    inspect.signature(TickerBase.get_shares_full).bind(None, **yfs.shares_query("SPY", date(2026, 1, 2)).kwargs())
    kw = yfs.universe_query(["QQQ", "SPY"], date(2026, 1, 2), threads=False).kwargs()
    inspect.signature(yfinance.download).bind(**kw)
    assert kw["group_by"] == "ticker" and kw["auto_adjust"] is False and kw["actions"] is True
    assert kw["progress"] is False and kw["tickers"] == ["QQQ", "SPY"]


@pytest.mark.parametrize("bad", ["", "SP Y", "../etc", "A" * 30, "spy/x"])
def test_bad_ticker_is_a_usage_error(bad):
    with pytest.raises(UsageError):
        yfs.normalize_ticker(bad)


@pytest.mark.parametrize("good", ["BRK-B", "^GSPC", "EURUSD=X", "bf.b"])
def test_yahoo_symbols_are_accepted(good):
    assert yfs.normalize_ticker(good) == good.upper()


# ---------------------------------------------------------------------------
# Prices
# ---------------------------------------------------------------------------


def test_history_frame_has_yfinance_shape():
    rows = pd.DataFrame({"Date": ["2026-04-01", "2026-04-02"], "Open": [1.0, 2.0], "High": [1.5, 2.5],
                         "Low": [0.5, 1.5], "Close": [1.2, 2.2], "AdjClose": [1.1, 2.1], "Volume": [10, 20],
                         "Dividends": [0.0, 0.1]})
    frame = ys.history_frame(rows)
    assert list(frame.columns) == ["Open", "High", "Low", "Close", "Adj Close", "Volume", "Dividends",
                                   "Stock Splits", "Capital Gains"]
    assert frame.index.name == "Date" and str(frame.index.tz) == "America/New_York"
    assert frame.index[0] == pd.Timestamp("2026-04-01", tz="America/New_York")
    assert str(frame["Volume"].dtype) == "int64"


def test_normalize_prices_keeps_yfinance_values_of_real_file():
    rows = ys.shared_prices("SPY", "2026-03-02", "2026-05-01")
    out = yfs.normalize_prices(ys.history_frame(rows), "SPY")
    assert list(out.columns) == yfs.PRICE_COLUMNS
    assert list(out["Date"].dt.strftime("%Y-%m-%d")) == list(rows["Date"])
    for col in ("Open", "High", "Low", "Close", "AdjClose", "Dividends"):
        assert out[col].tolist() == pytest.approx(rows[col].tolist(), rel=1e-12), col
    assert out["Volume"].tolist() == rows["Volume"].tolist()
    assert (out["Stock Splits"] == 0).all()
    # the 2026-03-20 distribution in the file survives the round trip
    assert out.loc[out["Date"] == "2026-03-20", "Dividends"].item() == pytest.approx(1.797)
    # raw close, not adjusted: the file's Close, which differs from its AdjClose before the dividend
    before = rows[rows["Date"] == "2026-03-02"]
    assert out.loc[out["Date"] == "2026-03-02", "Close"].item() == pytest.approx(before["Close"].item())
    assert before["Close"].item() != pytest.approx(before["AdjClose"].item())


def test_normalize_prices_of_empty_history_is_empty():
    out = yfs.normalize_prices(ys.empty_history(), "SPY")
    assert out.empty and list(out.columns) == yfs.PRICE_COLUMNS
    assert yfs.normalize_prices(None, "SPY").empty


def test_normalize_prices_drops_sessions_not_yet_closed():
    rows = ys.shared_prices("SPY", "2026-04-27", "2026-05-01")
    out = yfs.normalize_prices(ys.history_frame(rows), "SPY", complete_through=date(2026, 4, 30))
    assert out["Date"].max() == pd.Timestamp("2026-04-30")
    assert len(out) == 4


def test_normalize_prices_converts_utc_stamps_to_exchange_dates():
    idx = pd.DatetimeIndex(["2026-04-01 13:30", "2026-04-02 02:00"], tz="UTC", name="Date")
    frame = pd.DataFrame({"Open": [1.0, 2.0], "High": [1.0, 2.0], "Low": [1.0, 2.0], "Close": [1.0, 2.0],
                          "Adj Close": [1.0, 2.0], "Volume": [1, 2]}, index=idx)
    out = yfs.normalize_prices(frame, "SPY")
    # 02:00 UTC on Apr 2 is 22:00 on Apr 1 in New York (EDT, UTC-4): both rows are Apr 1, the later wins
    assert out["Date"].tolist() == [pd.Timestamp("2026-04-01")]
    assert out["Close"].tolist() == [2.0]


def test_normalize_prices_names_missing_columns():
    frame = pd.DataFrame({"Open": [1.0]}, index=pd.DatetimeIndex(["2026-04-01"], tz="America/New_York"))
    with pytest.raises(DataError, match="yfinance:SPY history.*missing High, Low, Close, Volume"):
        yfs.normalize_prices(frame, "SPY")


def test_normalize_universe_splits_batched_download_and_flags_failures():
    fake = ys.FakeYF()
    fake.add_prices("SPY", ys.shared_prices("SPY", "2026-04-01", "2026-05-01"))
    fake.add_prices("QQQ", ys.shared_prices("QQQ", "2026-04-01", "2026-05-01"))
    fake.script_calls("history", "IWM", ys.rate_limit())
    fake.add_prices("IWM", ys.shared_prices("IWM", "2026-04-01", "2026-05-01"))
    frame = fake.download(**yfs.universe_query(["SPY", "QQQ", "IWM", "NOPE"], date(2026, 4, 20),
                                               threads=False).kwargs())
    assert isinstance(frame.columns, pd.MultiIndex) and frame.columns.names == ["Ticker", "Price"]
    out = yfs.normalize_universe(frame, ["SPY", "QQQ", "IWM", "NOPE"])
    assert out["NOPE"].empty and out["IWM"].empty  # unknown symbol; rate-limited inside the batch
    for sym in ("SPY", "QQQ"):
        expected = ys.shared_prices(sym, "2026-04-20", "2026-05-01")
        assert list(out[sym]["Date"].dt.strftime("%Y-%m-%d")) == list(expected["Date"])
        assert out[sym]["Close"].tolist() == pytest.approx(expected["Close"].tolist(), rel=1e-12)
        assert out[sym]["Volume"].tolist() == expected["Volume"].tolist()


# ---------------------------------------------------------------------------
# Share counts
# ---------------------------------------------------------------------------


def test_shares_series_has_yfinance_shape():
    s = ys.shares_series([("2026-03-02 21:00", 100), ("2026-03-03 21:00", 120)])
    assert isinstance(s, pd.Series) and str(s.index.tz) == "America/New_York" and str(s.dtype) == "int64"


def test_normalize_shares_resolves_same_day_duplicates_and_flags_them():
    s = ys.shares_series([
        ("2026-03-02 05:00", 649_550_000), ("2026-03-02 21:00", 645_650_000),
        ("2026-03-03 21:00", 645_650_000), ("2026-03-04 21:00", None),
    ], symbol="IJR")
    data = yfs.normalize_shares(s, "IJR")
    assert data.frame.columns.tolist() == yfs.SHARES_COLUMNS
    assert data.frame["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-03-02", "2026-03-03"]
    assert data.frame["shares_outstanding"].tolist() == [645_650_000, 645_650_000]  # the last report of the day
    assert data.duplicates == {"2026-03-02": [649_550_000, 645_650_000]}
    assert data.dropped_null == 1
    assert set(data.frame["source"]) == {"yfinance"} and data.frame["nav"].isna().all()


def test_normalize_shares_of_none_is_empty():
    none = TickerBase.get_shares_full(ys._SharesSelf("SPY", ys.YahooStub(shares=ys.NO_SHARES_PAYLOAD)),
                                      start="2026-01-01")
    assert none is None  # what yfinance returns when Yahoo has no shares_out
    data = yfs.normalize_shares(none, "SPY")
    assert data.frame.empty and data.frame.columns.tolist() == yfs.SHARES_COLUMNS and not data.duplicates


def test_normalize_shares_converts_utc_stamps_to_new_york_dates():
    s = pd.Series([10, 20], index=pd.DatetimeIndex(["2026-03-03 02:00", "2026-03-03 15:00"], tz="UTC"))
    data = yfs.normalize_shares(s, "SPY")
    # 02:00 UTC on Mar 3 is 21:00 on Mar 2 in New York (EST, UTC-5)
    assert data.frame["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-03-02", "2026-03-03"]


def _shares_frame(points):
    return pd.DataFrame({"date": pd.to_datetime([d for d, _ in points]),
                         "shares_outstanding": [v for _, v in points]})


def test_flat_run_counts_sessions_since_last_change():
    frame = _shares_frame([("2026-02-27", 100), ("2026-03-02", 110), ("2026-03-16", 110)])
    # sessions after Mon 2026-03-02, counted by hand: Mar 3-6 (4), 9-13 (5), 16-20 (5), 23-27 (5) = 19
    run = yfs.flat_run(frame, as_of=date(2026, 3, 27))
    assert run.since == date(2026, 3, 2) and run.sessions == 19 and not run.stale
    # ... then Mar 30, 31 and Apr 1 (3 more) = 22 >= 20
    run = yfs.flat_run(frame, as_of=date(2026, 4, 1))
    assert run.sessions == 22 and run.stale
    # Good Friday (2026-04-03) is no session: Apr 2 then Apr 6 add 2 -> 24
    assert yfs.flat_run(frame, as_of=date(2026, 4, 6)).sessions == 24


def test_flat_run_of_a_changing_series_is_not_stale():
    frame = _shares_frame([("2026-03-02", 100), ("2026-03-03", 101), ("2026-03-04", 102)])
    run = yfs.flat_run(frame)
    assert run.since == date(2026, 3, 4) and run.sessions == 0 and not run.stale


# ---------------------------------------------------------------------------
# Fund info
# ---------------------------------------------------------------------------


def test_normalize_fund_info_reproduces_the_real_fund_file():
    fund = ys.shared_fund("IJR")
    fd = ys.funds_data(fund)
    out = yfs.normalize_fund_info("IJR", ys.info_from_fund(fund), fd.top_holdings, fd.sector_weightings,
                                  fetched_at=NOW)
    for key in ("longName", "category", "fundFamily", "totalAssets", "navPrice", "fiftyTwoWeekHigh",
                "fiftyTwoWeekLow", "expenseRatio", "yield", "topHoldings", "sectorWeightings"):
        assert out[key] == fund[key], key
    assert out["fetchedAt"] == "2026-05-02T12:00:00Z" and out["source"] == "yfinance"
    assert out["quoteType"] == "ETF"


def test_expense_ratio_from_annual_report_fraction_is_in_percent():
    out = yfs.normalize_fund_info("VTI", {"longName": "Vanguard Total Stock Market ETF",
                                          "annualReportExpenseRatio": 0.0004}, fetched_at=NOW)
    assert out["expenseRatio"] == pytest.approx(0.04)  # 0.04%, as netExpenseRatio would give it


def test_normalize_fund_info_without_data_is_none():
    assert yfs.normalize_fund_info("SPY", {}, None, None, fetched_at=NOW) is None
    assert yfs.normalize_fund_info("SPY", {"trailingPegRatio": None}, None, {}, fetched_at=NOW) is None


def test_empty_top_holdings_give_an_empty_list():
    fd = ys.funds_data({"ticker": "GLD", "topHoldings": [], "sectorWeightings": {}})
    assert fd.top_holdings.empty and list(fd.top_holdings.columns) == ["Name", "Holding Percent"]
    out = yfs.normalize_fund_info("GLD", {"longName": "SPDR Gold Shares"}, fd.top_holdings,
                                  fd.sector_weightings, fetched_at=NOW)
    assert out["topHoldings"] == [] and "sectorWeightings" not in out


# ---------------------------------------------------------------------------
# Fetching: batches, failures, retries
# ---------------------------------------------------------------------------


def _universe_fake():
    fake = ys.FakeYF()
    for sym in ("SPY", "QQQ", "IJR"):
        fake.add_prices(sym, ys.shared_prices(sym, "2026-03-02", "2026-05-01"))
        fake.add_fund(sym, ys.shared_fund(sym))
    fake.add_shares("IJR", [("2026-04-01 21:00", 649_550_000), ("2026-04-02 21:00", 645_650_000)])
    return fake


def test_fetch_universe_batches_prices_and_records_one_failure():
    fake = _universe_fake()
    retry, sleeps = fast_retry()
    result = yfs.fetch_universe(["SPY", "QQQ", "IJR", "NOPE"], date(2026, 4, 1), client=fake, retry=retry,
                                fetched_at=NOW, threads=False)
    assert result.ok == ["IJR", "QQQ", "SPY"]
    assert list(result.failed) == ["NOPE"] and "no prices for NOPE" in result.failed["NOPE"]
    assert len(fake.calls_of("download")) == 1
    assert [c["symbol"] for c in fake.calls_of("history", via="Ticker")] == ["NOPE"]  # only the batch's gap
    assert sleeps == []
    ijr = result.data["IJR"]
    assert ijr.prices["Date"].min() == pd.Timestamp("2026-04-01")
    assert ijr.fund_info["longName"] == "iShares Core S&P Small-Cap ETF"
    assert ijr.shares.frame["shares_outstanding"].tolist() == [649_550_000, 645_650_000]
    assert result.data["SPY"].warnings == ["Yahoo Finance returned no share counts for SPY"]


def test_rate_limit_is_retried_with_exponential_backoff():
    fake = _universe_fake()
    fake.script_calls("history", "SPY", ys.rate_limit(), ys.rate_limit())
    retry, sleeps = fast_retry()
    result = yfs.fetch_universe(["SPY"], date(2026, 4, 1), client=fake, retry=retry, kinds=["prices"])
    assert result.ok == ["SPY"]
    assert sleeps == [1.0, 2.0]
    assert len(fake.calls_of("history", "SPY")) == 3


def test_rate_limit_past_retries_fails_the_ticker_and_spares_the_others_the_wait():
    fake = _universe_fake()
    fake.script_calls("history", "IJR", *[ys.rate_limit()] * 10)
    retry, sleeps = fast_retry(attempts=4)
    started = time.monotonic()
    result = yfs.run_plans([yfs.TickerPlan("IJR", date(2026, 4, 1)), yfs.TickerPlan("SPY", date(2026, 4, 2))],
                           client=fake, retry=retry, fetched_at=NOW)
    assert time.monotonic() - started < 5
    assert sleeps == [1.0, 2.0, 4.0]  # bounded: 4 attempts
    assert result.data["IJR"].error_kind == "rate_limit"
    assert "rate-limited by Yahoo Finance, gave up after 4 attempts" in result.failed["IJR"]
    # SPY came after the source-wide failure: failed at once, not retried again
    assert result.data["SPY"].error_kind == "rate_limit" and "skipped SPY prices" in result.failed["SPY"]
    assert fake.calls_of("history", "SPY") == []


def test_connection_error_is_retried_then_reported_as_network():
    fake = _universe_fake()
    fake.script_calls("history", "SPY", *[ys.connection_error()] * 3)
    retry, sleeps = fast_retry(attempts=3)
    result = yfs.fetch_universe(["SPY"], date(2026, 4, 1), client=fake, retry=retry, kinds=["prices"])
    assert result.data["SPY"].error_kind == "network"
    assert "Could not resolve host" in result.failed["SPY"]
    assert sleeps == [1.0, 2.0]


def test_rate_limited_batch_falls_back_per_ticker():
    fake = _universe_fake()
    fake.script_calls("download", "*", ys.rate_limit())
    retry, sleeps = fast_retry()
    result = yfs.fetch_universe(["SPY", "QQQ"], date(2026, 4, 1), client=fake, retry=retry, kinds=["prices"],
                                threads=False)
    assert result.ok == ["QQQ", "SPY"] and sleeps == [1.0]
    assert len(fake.calls_of("download")) == 2


def test_missing_prices_error_is_no_data_not_a_crash():
    fake = _universe_fake()
    fake.script_calls("history", "SPY", YFPricesMissingError("SPY", "(1d 2026-04-01 -> 2026-05-02)"))
    result = yfs.fetch_universe(["SPY"], date(2026, 4, 1), client=fake, kinds=["prices"])
    assert result.data["SPY"].error_kind == "no_data" and "no price data found" in result.failed["SPY"]


def test_stock_gets_prices_only():
    fake = ys.FakeYF().add_prices("AAPL", ys.shared_prices("AAPL", "2025-12-01"), instrument="EQUITY")
    fake.add_stock_info("AAPL", "Apple Inc.")
    result = yfs.fetch_universe(["AAPL"], date(2025, 12, 1), client=fake)
    data = result.data["AAPL"]
    assert data.ok and data.quote_type == "EQUITY" and data.fund_info is None and data.shares is None
    assert fake.calls_of("funds_data") == [] and fake.calls_of("get_shares_full") == []


def test_fund_side_failures_are_warnings():
    fake = _universe_fake()
    fake.script_calls("info", "IJR", RuntimeError("boom"))
    result = yfs.fetch_universe(["IJR"], date(2026, 4, 1), client=fake, fetched_at=NOW)
    data = result.data["IJR"]
    assert data.ok and any("IJR fund info: RuntimeError: boom" in w for w in data.warnings)
    assert data.fund_info["topHoldings"][0]["symbol"] == "XTSLA"  # holdings still came through


def test_duplicate_share_reports_become_warnings():
    fake = _universe_fake()
    fake.add_shares("IJR", [("2026-04-01 05:00", 649_550_000), ("2026-04-01 21:00", 645_650_000)])
    result = yfs.fetch_universe(["IJR"], date(2026, 4, 1), client=fake, fetched_at=NOW)
    assert "IJR share count reported 2 times on 2026-04-01 (649,550,000, 645,650,000); kept the last" \
        in result.data["IJR"].warnings


# ---------------------------------------------------------------------------
# Reachability
# ---------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_probe_of_a_closed_port_fails_fast():
    port = _closed_port()
    started = time.monotonic()
    reason = reachability.unreachable_reason(f"http://127.0.0.1:{port}", timeout=3)
    assert time.monotonic() - started < 3.5
    assert reason == f"connection to 127.0.0.1:{port} refused"


def test_probe_of_a_listening_port_passes():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        assert reachability.unreachable_reason(f"http://127.0.0.1:{server.getsockname()[1]}") is None


def test_probe_url_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(reachability.PROBE_URL_ENV, "http://127.0.0.1:9")
    assert reachability.probe_url() == "http://127.0.0.1:9"
    monkeypatch.delenv(reachability.PROBE_URL_ENV)
    assert reachability.probe_url() == "https://query2.finance.yahoo.com"


def test_probe_goes_through_a_configured_proxy(monkeypatch):
    port = _closed_port()
    monkeypatch.delenv(reachability.PROBE_URL_ENV, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{port}")
    assert reachability.unreachable_reason() == f"connection to proxy 127.0.0.1:{port} refused"


def test_unreachable_error_is_one_actionable_line():
    err = reachability.unreachable_error("cannot resolve query2.finance.yahoo.com", "/tmp/c")
    assert isinstance(err, SourceUnavailable) and err.exit_code == 2
    assert str(err) == ("cannot reach Yahoo Finance (cannot resolve query2.finance.yahoo.com); "
                        "run with --offline to use the cache at /tmp/c")
    assert "\n" not in str(err)


def test_retries_stop_after_the_time_budget():
    fake = _universe_fake()
    fake.script_calls("history", "SPY", *[ys.rate_limit()] * 10)
    sleeps = Sleeps()
    retry = yfs.RetryPolicy(attempts=10, sleep=sleeps, max_seconds=0)
    result = yfs.fetch_universe(["SPY"], date(2026, 4, 1), client=fake, retry=retry, kinds=["prices"])
    assert result.data["SPY"].error_kind == "rate_limit" and sleeps == []
    assert result.failed["SPY"] == "SPY prices: rate-limited by Yahoo Finance, gave up after 1 attempt"
    assert len(fake.calls_of("history", "SPY")) == 1


def test_http_errors_are_not_retried():
    import requests

    fake = _universe_fake()
    fake.script_calls("history", "SPY", requests.exceptions.HTTPError("404 Client Error: Not Found"))
    retry, sleeps = fast_retry()
    result = yfs.fetch_universe(["SPY"], date(2026, 4, 1), client=fake, retry=retry, kinds=["prices"])
    assert result.data["SPY"].error_kind == "error" and sleeps == []
    assert result.failed["SPY"] == "SPY prices: HTTPError: 404 Client Error: Not Found"


def test_empty_prices_with_yahoo_gone_are_a_network_failure():
    # yfinance logs a dropped connection and returns an empty frame; the recheck tells the two apart
    fake = _universe_fake()
    fake.script_calls("history", "SPY", ys.empty_history())
    result = yfs.run_plans([yfs.TickerPlan("SPY", date(2026, 4, 1)), yfs.TickerPlan("QQQ", date(2026, 4, 2))],
                           client=fake, retry=fast_retry()[0], recheck=lambda: "cannot resolve query2.finance.yahoo.com")
    assert result.data["SPY"].error_kind == "network"
    assert result.failed["SPY"] == ("SPY prices: lost the connection to Yahoo Finance "
                                    "(cannot resolve query2.finance.yahoo.com)")
    assert result.data["QQQ"].error_kind == "network" and fake.calls_of("history", "QQQ") == []
