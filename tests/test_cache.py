"""The yfinance cache: layout, atomic writes, incremental refresh, staleness, offline use.

yfinance is replaced at its boundary by tests/yf_shapes.py; nothing touches the network.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

try:
    import yf_shapes as ys
except ImportError:
    from tests import yf_shapes as ys

from notewriter.errors import SourceUnavailable, UsageError
from notewriter.sources import cache
from notewriter.sources.yfinance import reachability
from notewriter.sources.yfinance.retry import RetryPolicy

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*inplace keyword.*"),
    pytest.mark.filterwarnings("ignore:.*Series.values returning an ndarray.*"),
]

SAT = datetime(2026, 5, 2, 12, 0, tzinfo=timezone.utc)  # Saturday after the Fri 2026-05-01 session
ROOT = Path(__file__).resolve().parents[1]


def no_probe():
    return None


def failing_probe():
    raise AssertionError("the network was probed although nothing needed fetching")


def quick():
    return RetryPolicy(attempts=3, sleep=lambda s: None)


def fund_fake(end="2026-05-01", tickers=("SPY", "IJR")):
    fake = ys.FakeYF()
    for sym in tickers:
        fake.add_prices(sym, ys.shared_prices(sym, "2026-01-02", end))
        fake.add_fund(sym, ys.shared_fund(sym))
    return fake


def read_csv(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


# ---------------------------------------------------------------------------
# Location and files
# ---------------------------------------------------------------------------


def test_init_cache_writes_dataset_json(tmp_path):
    root = cache.init_cache(tmp_path / "c")
    assert json.loads((root / "dataset.json").read_text()) == {"label": "yfinance cache", "synthetic": False}
    assert (root / "prices").is_dir()


def test_cache_writes_keep_the_old_file_when_replacing_fails(tmp_path, monkeypatch):
    root = cache.init_cache(tmp_path / "c")
    cache.record(root, "SPY", "prices", source="yfinance", fetched_at=SAT, last_date=date(2026, 5, 1))
    before = (root / "cache.json").read_text()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        cache.record(root, "QQQ", "prices", source="yfinance", fetched_at=SAT, last_date=date(2026, 5, 1))
    assert (root / "cache.json").read_text() == before
    assert sorted(p.name for p in root.iterdir()) == ["cache.json", "dataset.json", "prices"]  # no temporary file


# ---------------------------------------------------------------------------
# Fetch into the cache
# ---------------------------------------------------------------------------


def test_fetch_fills_a_cache_in_the_data_directory_contract(tmp_path):
    root = tmp_path / "c"
    fake = fund_fake()
    fake.add_shares("IJR", [("2026-03-30 21:00", 649_550_000), ("2026-03-31 21:00", 645_650_000)])
    result = cache.fetch(["SPY", "IJR"], date(2026, 1, 2), root, client=fake, now=SAT, probe=no_probe,
                         retry=quick(), threads=False)
    assert result.failed == {} and result.ok == ["IJR", "SPY"]

    for sym in ("SPY", "IJR"):
        written = read_csv(root / "prices" / f"{sym}.csv")
        assert list(written.columns) == ["Date", "Open", "High", "Low", "Close", "AdjClose", "Volume", "Dividends",
                                         "Stock Splits"]
        expected = ys.shared_prices(sym, "2026-01-02", "2026-05-01")
        assert list(written["Date"]) == list(expected["Date"])
        assert written["Close"].astype(float).tolist() == pytest.approx(expected["Close"].tolist(), rel=1e-12)
        assert written["AdjClose"].astype(float).tolist() == pytest.approx(expected["AdjClose"].tolist(), rel=1e-12)
        assert written["Volume"].astype(int).tolist() == expected["Volume"].tolist()

    shares = read_csv(root / "shares.csv")
    assert shares.to_dict("records") == [
        {"date": "2026-03-30", "ticker": "IJR", "shares_outstanding": "649550000", "nav": "", "source": "yfinance"},
        {"date": "2026-03-31", "ticker": "IJR", "shares_outstanding": "645650000", "nav": "", "source": "yfinance"},
    ]
    fund = json.loads((root / "funds" / "IJR.json").read_text())
    real = ys.shared_fund("IJR")
    assert {k: fund[k] for k in ("longName", "totalAssets", "navPrice", "topHoldings")} == \
        {k: real[k] for k in ("longName", "totalAssets", "navPrice", "topHoldings")}

    manifest = json.loads((root / "cache.json").read_text())
    spy = manifest["tickers"]["SPY"]
    assert spy["prices"]["fetched_at"] == "2026-05-02T12:00:00Z"
    assert spy["prices"]["source"] == "yfinance" and spy["prices"]["last_date"] == "2026-05-01"
    assert spy["info"]["quote_type"] == "ETF"
    assert manifest["tickers"]["IJR"]["shares"]["last_date"] == "2026-03-31"
    assert json.loads((root / "dataset.json").read_text())["label"] == "yfinance cache"


def test_cache_is_a_valid_data_directory(tmp_path):
    local = pytest.importorskip("notewriter.sources.local")
    root = tmp_path / "c"
    fake = fund_fake()
    fake.add_shares("IJR", [("2026-03-30 21:00", 649_550_000), ("2026-03-31 21:00", 645_650_000)])
    cache.fetch(["SPY", "IJR"], date(2026, 1, 2), root, client=fake, now=SAT, probe=no_probe, threads=False)
    src = local.DataDirSource(root)
    assert src.label == "yfinance cache" and src.synthetic is False
    assert src.tickers() == ["IJR", "SPY"]
    prices = src.prices("SPY")
    expected = ys.shared_prices("SPY", "2026-05-01", "2026-05-01")
    assert prices.index[-1] == pd.Timestamp("2026-05-01")
    assert prices["Close"].iloc[-1] == pytest.approx(expected["Close"].item())
    assert src.fund_info("IJR")["longName"] == "iShares Core S&P Small-Cap ETF"
    assert src.shares("IJR")["shares_outstanding"].tolist() == [649_550_000, 645_650_000]
    assert "IJR" in src.funds()


def test_refresh_fetches_only_from_the_last_cached_session(tmp_path):
    root = tmp_path / "c"
    first = ys.FakeYF().add_prices("SPY", ys.shared_prices("SPY", "2026-01-02", "2026-04-24"))
    cache.fetch(["SPY"], date(2026, 1, 2), root, client=first, now=datetime(2026, 4, 25, 12, tzinfo=timezone.utc),
                probe=no_probe)
    second = ys.FakeYF().add_prices("SPY", ys.shared_prices("SPY", "2026-01-02", "2026-05-01"))
    result = cache.fetch(["SPY"], None, root, client=second, now=SAT, probe=no_probe)
    calls = second.calls_of("history", "SPY")
    assert [c["kwargs"]["start"] for c in calls] == ["2026-04-24"]  # the last cached session, as overlap
    outcome = result.outcomes["SPY"]
    assert outcome.status == "updated" and outcome.rows_added == 5  # Apr 27, 28, 29, 30, May 1
    written = read_csv(root / "prices" / "SPY.csv")
    assert list(written["Date"]) == list(ys.shared_prices("SPY", "2026-01-02", "2026-05-01")["Date"])
    assert not written["Date"].duplicated().any()


def test_current_cache_makes_no_request_and_no_probe(tmp_path):
    root = tmp_path / "c"
    cache.fetch(["SPY"], date(2026, 4, 1), root, client=fund_fake(tickers=("SPY",)), now=SAT, probe=no_probe)
    fake = fund_fake(tickers=("SPY",))
    later = datetime(2026, 5, 2, 18, 0, tzinfo=timezone.utc)  # same weekend, within the snapshot max age
    result = cache.fetch(["SPY"], None, root, client=fake, now=later, probe=failing_probe)
    assert fake.calls == [] and result.contacted is False
    assert result.outcomes["SPY"].status == "current" and result.outcomes["SPY"].last_date == date(2026, 5, 1)


def test_session_still_trading_is_not_cached(tmp_path):
    root = tmp_path / "c"
    fake = ys.FakeYF().add_prices("SPY", ys.shared_prices("SPY", "2026-04-20", "2026-05-01"))
    during = datetime(2026, 5, 1, 15, 0, tzinfo=timezone.utc)  # 11:00 in New York, market open
    result = cache.fetch(["SPY"], date(2026, 4, 20), root, client=fake, now=during, probe=no_probe)
    assert result.outcomes["SPY"].last_date == date(2026, 4, 30)
    assert read_csv(root / "prices" / "SPY.csv")["Date"].iloc[-1] == "2026-04-30"


def _rows(days, closes, adj_factor, dividends=None, splits=None):
    n = len(days)
    return pd.DataFrame({
        "Date": days, "Open": closes, "High": closes, "Low": closes, "Close": closes,
        "AdjClose": [c * f for c, f in zip(closes, adj_factor)], "Volume": [1000] * n,
        "Dividends": dividends or [0.0] * n, "Stock Splits": splits or [0.0] * n,
    })


def test_dividend_after_the_cache_rebases_older_adjusted_closes(tmp_path):
    root = tmp_path / "c"
    days = ["2026-04-27", "2026-04-28", "2026-04-29", "2026-04-30", "2026-05-01"]
    old = _rows(days[:3], [100.0, 101.0, 102.0], [0.9, 0.9, 0.9])
    first = ys.FakeYF().add_prices("XYZ", old)
    cache.fetch(["XYZ"], date(2026, 4, 27), root, client=first, now=datetime(2026, 4, 29, 22, tzinfo=timezone.utc),
                probe=no_probe)
    # a 1.0 dividend goes ex on Apr 30: Yahoo now adjusts every earlier day by a further (1 - 1/103)
    factor = 0.9 * (1 - 1 / 103)
    new = _rows(days, [100.0, 101.0, 102.0, 103.0, 104.0], [factor, factor, factor, 0.9, 0.9],
                dividends=[0, 0, 0, 1.0, 0])
    second = ys.FakeYF().add_prices("XYZ", new)
    cache.fetch(["XYZ"], None, root, client=second, now=SAT, probe=no_probe)
    written = read_csv(root / "prices" / "XYZ.csv")
    assert list(written["Date"]) == days
    assert written["AdjClose"].astype(float).tolist() == pytest.approx(
        [100 * factor, 101 * factor, 102 * factor, 103 * 0.9, 104 * 0.9], rel=1e-12)
    assert written["Close"].astype(float).tolist() == [100.0, 101.0, 102.0, 103.0, 104.0]


def test_split_after_the_cache_refetches_the_whole_history(tmp_path):
    root = tmp_path / "c"
    days = ["2026-04-27", "2026-04-28", "2026-04-29", "2026-04-30", "2026-05-01"]
    first = ys.FakeYF().add_prices("XYZ", _rows(days[:3], [100.0, 102.0, 104.0], [1, 1, 1]))
    cache.fetch(["XYZ"], date(2026, 4, 27), root, client=first, now=datetime(2026, 4, 29, 22, tzinfo=timezone.utc),
                probe=no_probe)
    # a 2:1 split on Apr 30: Yahoo halves every earlier price
    second = ys.FakeYF().add_prices("XYZ", _rows(days, [50.0, 51.0, 52.0, 53.0, 54.0], [1] * 5,
                                                 splits=[0, 0, 0, 2.0, 0]))
    result = cache.fetch(["XYZ"], None, root, client=second, now=SAT, probe=no_probe)
    starts = [c["kwargs"]["start"] for c in second.calls_of("history", "XYZ")]
    assert starts == ["2026-04-29", "2026-04-27"]  # the overlap, then the whole cached range again
    written = read_csv(root / "prices" / "XYZ.csv")
    assert written["Close"].astype(float).tolist() == [50.0, 51.0, 52.0, 53.0, 54.0]
    assert any("split" in w for w in result.outcomes["XYZ"].warnings)


def test_one_failing_ticker_does_not_stop_the_universe(tmp_path):
    root = tmp_path / "c"
    fake = fund_fake(tickers=("SPY", "QQQ", "IJR"))
    result = cache.fetch(["SPY", "QQQ", "IJR", "NOPE"], date(2026, 4, 1), root, client=fake, now=SAT,
                         probe=no_probe, threads=False)
    assert result.ok == ["IJR", "QQQ", "SPY"]
    assert list(result.failed) == ["NOPE"]
    assert result.outcomes["NOPE"].error_kind == "no_data"
    assert cache.cached_tickers(root) == ["IJR", "QQQ", "SPY"]
    assert any(line.startswith("NOPE: FAILED: Yahoo Finance returned no prices for NOPE") for line in result.lines())


def test_stale_share_count_is_flagged(tmp_path):
    root = tmp_path / "c"
    fake = fund_fake(tickers=("IJR",))
    fake.add_shares("IJR", [("2026-03-02 21:00", 649_550_000), ("2026-03-03 21:00", 645_650_000),
                            ("2026-04-01 21:00", 645_650_000)])
    result = cache.fetch(["IJR"], date(2026, 1, 2), root, client=fake, now=SAT, probe=no_probe)
    # unchanged since Tue 2026-03-03; sessions after it through Fri 2026-05-01, by hand:
    # March 4-6 (3), 9-13, 16-20, 23-27 (15), 30-31 (2) = 20; April 21 (Good Friday closed); May 1 (1) = 42
    assert "IJR: the Yahoo share count has not changed since 2026-03-03 (42 sessions); flows estimated " \
           "from it will read as zero" in result.outcomes["IJR"].warnings
    entry = json.loads((root / "cache.json").read_text())["tickers"]["IJR"]["shares"]
    assert entry["stale"] is True and entry["flat_since"] == "2026-03-03" and entry["flat_sessions"] == 42


def test_duplicate_share_reports_are_recorded(tmp_path):
    root = tmp_path / "c"
    fake = fund_fake(tickers=("IJR",))
    fake.add_shares("IJR", [("2026-04-30 05:00", 649_550_000), ("2026-04-30 21:00", 645_650_000)])
    cache.fetch(["IJR"], date(2026, 4, 1), root, client=fake, now=SAT, probe=no_probe)
    entry = json.loads((root / "cache.json").read_text())["tickers"]["IJR"]["shares"]
    assert entry["duplicates"] == {"2026-04-30": [649_550_000, 645_650_000]}
    assert read_csv(root / "shares.csv")["shares_outstanding"].tolist() == ["645650000"]


# ---------------------------------------------------------------------------
# Failure behaviour
# ---------------------------------------------------------------------------


def test_unreachable_yahoo_is_one_line_pointing_at_offline(tmp_path):
    root = tmp_path / "c"
    with pytest.raises(SourceUnavailable) as err:
        cache.fetch(["SPY"], None, root, client=ys.FakeYF(), now=SAT, probe=lambda: "cannot resolve query2.x")
    assert str(err.value) == f"cannot reach Yahoo Finance (cannot resolve query2.x); run with --offline to use " \
                             f"the cache at {root}"
    assert err.value.exit_code == 2


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_default_probe_uses_the_env_url_and_fails_within_seconds(tmp_path, monkeypatch):
    port = _closed_port()
    monkeypatch.setenv(reachability.PROBE_URL_ENV, f"http://127.0.0.1:{port}")
    fake = ys.FakeYF()
    started = time.monotonic()
    with pytest.raises(SourceUnavailable, match=f"connection to 127.0.0.1:{port} refused.*--offline"):
        cache.ensure_cached(["SPY"], None, tmp_path / "c", client=fake, now=SAT)
    assert time.monotonic() - started < 4
    assert fake.calls == []


def test_rate_limited_but_cached_ticker_is_served_from_the_cache(tmp_path):
    root = tmp_path / "c"
    cache.fetch(["SPY"], date(2026, 4, 1), root, client=fund_fake("2026-04-24", ("SPY",)),
                now=datetime(2026, 4, 25, 12, tzinfo=timezone.utc), probe=no_probe)
    fake = fund_fake(tickers=("SPY",))
    fake.script_calls("history", "SPY", *[ys.rate_limit()] * 5)
    got = cache.ensure_cached(["SPY"], None, root, client=fake, now=SAT, probe=no_probe, retry=quick(),
                              source_factory=lambda p: p)
    assert got.source == root
    assert any("using cached data through 2026-04-24" in w for w in got.result.warnings)
    assert got.stale["SPY"] == ("The yfinance cache for SPY ends on 2026-04-24, 5 trading sessions before the "
                                "2026-05-01 session.")


def test_rate_limited_and_not_cached_raises_a_clear_error(tmp_path):
    fake = fund_fake(tickers=("SPY",))
    fake.script_calls("history", "SPY", *[ys.rate_limit()] * 5)
    with pytest.raises(SourceUnavailable, match=r"^Yahoo Finance is rate-limiting requests \(.*gave up after 3 "
                                                r"attempts\); try again in a few minutes, or run with --offline"):
        cache.ensure_cached(["SPY"], None, tmp_path / "c", client=fake, now=SAT, probe=no_probe, retry=quick())


def test_unknown_symbol_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no prices for NOPE"):
        cache.ensure_cached(["NOPE"], None, tmp_path / "c", client=ys.FakeYF(), now=SAT, probe=no_probe)


# ---------------------------------------------------------------------------
# Offline and ensure_cached
# ---------------------------------------------------------------------------


def test_offline_does_no_io_and_names_what_is_missing(tmp_path):
    root = tmp_path / "c"
    cache.fetch(["SPY"], date(2026, 4, 1), root, client=fund_fake(tickers=("SPY",)), now=SAT, probe=no_probe)

    class Forbidden:
        def __getattr__(self, name):
            raise AssertionError("yfinance was used offline")

    got = cache.ensure_cached(["SPY"], None, root, offline=True, client=Forbidden(), source_factory=lambda p: p)
    assert got.result.outcomes["SPY"].status == "cached"
    with pytest.raises(UsageError, match=r"^QQQ is not in the cache at .*; run without --offline to fetch, or: "
                                         r"notewriter fetch QQQ$"):
        cache.ensure_cached(["SPY", "QQQ"], None, root, offline=True, source_factory=lambda p: p)


def test_historical_as_of_already_cached_needs_no_network(tmp_path):
    root = tmp_path / "c"
    cache.fetch(["SPY"], date(2026, 4, 1), root, client=fund_fake(tickers=("SPY",)), now=SAT, probe=no_probe)
    fake = ys.FakeYF()
    much_later = datetime(2026, 6, 20, 12, tzinfo=timezone.utc)
    got = cache.ensure_cached(["SPY"], date(2026, 4, 30), root, client=fake, now=much_later, probe=failing_probe,
                              source_factory=lambda p: p)
    assert fake.calls == [] and got.stale == {}


def test_ensure_cached_without_tickers_uses_the_whole_cache(tmp_path):
    root = tmp_path / "c"
    cache.fetch(["SPY", "IJR"], date(2026, 4, 1), root, client=fund_fake(), now=SAT, probe=no_probe,
                threads=False)
    got = cache.ensure_cached(None, None, root, offline=True, source_factory=lambda p: p)
    assert sorted(got.result.outcomes) == ["IJR", "SPY"]
    with pytest.raises(UsageError, match="is empty"):
        cache.ensure_cached(None, None, tmp_path / "empty", offline=True)


# ---------------------------------------------------------------------------
# Staleness
# ---------------------------------------------------------------------------


def _manifest(root, prices_last=None, info_fetched=None):
    cache.init_cache(root)
    if prices_last:
        cache.record(root, "SPY", "prices", source="yfinance", fetched_at=SAT, last_date=date.fromisoformat(prices_last))
    if info_fetched:
        cache.record(root, "SPY", "info", source="yfinance", fetched_at=datetime.fromisoformat(info_fetched))


def test_staleness_of_prices_ending_before_as_of(tmp_path):
    _manifest(tmp_path, prices_last="2026-04-28")
    # sessions after Apr 28 through May 1, by hand: Apr 29, Apr 30, May 1
    assert cache.staleness(tmp_path, "SPY", date(2026, 5, 1)) == (
        "The yfinance cache for SPY ends on 2026-04-28, 3 trading sessions before the 2026-05-01 session.")
    # as of Sunday May 3 the last session is still May 1
    assert "3 trading sessions before the 2026-05-01 session" in cache.staleness(tmp_path, "SPY", date(2026, 5, 3))


def test_staleness_of_old_fund_data(tmp_path):
    _manifest(tmp_path, prices_last="2026-05-01", info_fetched="2026-03-01T20:00:00+00:00")
    # March has 31 days: Mar 1 -> Apr 1 is 31 days, -> May 1 is 61
    assert cache.staleness(tmp_path, "SPY", date(2026, 5, 1)) == (
        "The yfinance cache for SPY has fund data (NAV, assets, holdings) fetched on 2026-03-01, 61 days "
        "before 2026-05-01.")
    _manifest(tmp_path, prices_last="2026-04-30")
    assert cache.staleness(tmp_path, "SPY", date(2026, 5, 1)) == (
        "The yfinance cache for SPY ends on 2026-04-30, 1 trading session before the 2026-05-01 session, and "
        "has fund data (NAV, assets, holdings) fetched on 2026-03-01, 61 days before 2026-05-01.")


def test_current_cache_is_not_stale(tmp_path):
    _manifest(tmp_path, prices_last="2026-05-01", info_fetched="2026-04-30T21:00:00+00:00")
    assert cache.staleness(tmp_path, "SPY", date(2026, 5, 1)) is None
    assert cache.staleness(tmp_path, "QQQ", date(2026, 5, 1)) is None  # never fetched: nothing to say


# ---------------------------------------------------------------------------
# Component prices
# ---------------------------------------------------------------------------

DEC31 = datetime(2025, 12, 31, 12, 0, tzinfo=timezone.utc)  # the last closed session is Tue 2025-12-30
SPY_TOP = ["AAPL", "AMZN", "AVGO", "BRK-B", "GOOG", "GOOGL", "META", "MSFT", "NVDA", "TSLA"]


def component_fake():
    fake = ys.FakeYF()
    fake.add_prices("SPY", ys.shared_prices("SPY", "2025-10-01", "2025-12-30"))
    fake.add_fund("SPY", ys.shared_fund("SPY"))
    for sym in SPY_TOP:
        if sym != "GOOG":  # not among the real price files: Yahoo "has no data" for it here
            fake.add_prices(sym, ys.shared_prices(sym, "2025-10-01", "2025-12-30"), instrument="EQUITY")
    return fake


def test_top_holdings_prices_come_in_one_batch(tmp_path):
    root = tmp_path / "c"
    fake = component_fake()
    result = cache.fetch(["SPY"], date(2025, 10, 1), root, client=fake, now=DEC31, probe=no_probe, threads=False)
    downloads = fake.calls_of("download")
    assert len(downloads) == 1 and sorted(downloads[0]["kwargs"]["tickers"]) == SPY_TOP
    assert sorted(result.components) == SPY_TOP
    assert [t for t, o in result.components.items() if o.status == "failed"] == ["GOOG"]
    assert "components: prices for 9 of 10 top holdings brought up to date; none for GOOG" in result.lines()
    written = read_csv(root / "prices" / "AAPL.csv")
    expected = ys.shared_prices("AAPL", "2025-12-30", "2025-12-30")
    assert written["Date"].iloc[-1] == "2025-12-30"
    assert float(written["Close"].iloc[-1]) == pytest.approx(expected["Close"].item(), rel=1e-12)
    manifest = json.loads((root / "cache.json").read_text())["tickers"]
    assert manifest["AAPL"]["prices"]["role"] == "component"
    assert manifest["GOOG"]["prices"]["missing"] is True
    assert cache.cached_tickers(root, components=False) == ["SPY"]
    assert "GOOG" not in cache.cached_tickers(root)

    # all current: nothing asked, and GOOG is not retried on its own
    calls = len(fake.calls)
    again = cache.fetch(["SPY"], None, root, client=fake, now=DEC31, probe=failing_probe)
    assert len(fake.calls) == calls and again.contacted is False


def test_component_moves_reach_the_facts(tmp_path):
    pipeline = pytest.importorskip("notewriter.pipeline")
    local = pytest.importorskip("notewriter.sources.local")
    root = tmp_path / "c"
    cache.fetch(["SPY"], date(2025, 10, 1), root, client=component_fake(), now=DEC31, probe=no_probe, threads=False)
    facts = pipeline.fund_facts("SPY", None, "1w", local.DataDirSource(root))
    aapl = next(c for c in facts.components if c.ticker == "AAPL")
    closes = ys.shared_prices("AAPL", "2025-12-29", "2025-12-30")["Close"].tolist()
    assert aapl.day_change.value == pytest.approx(closes[1] / closes[0] - 1, rel=1e-9)
