"""The command line with live data: --source yfinance, --offline, fetch and import, without a network."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

try:
    import yf_shapes as ys
except ImportError:
    from tests import yf_shapes as ys

from notewriter import calendar
from notewriter.cli import main
from notewriter.sources import cache
from notewriter.sources.yfinance import extract, reachability

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*inplace keyword.*"),
    pytest.mark.filterwarnings("ignore:.*Series.values returning an ndarray.*"),
]

SAT = datetime(2026, 5, 2, 12, 0, tzinfo=timezone.utc)
MARKET = Path(__file__).resolve().parents[2] / "shared" / "data" / "market"


def run(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fake_client():
    fake = ys.FakeYF()
    for sym in ("SPY", "IJR"):
        fake.add_prices(sym, ys.shared_prices(sym, "2025-01-02", "2026-05-01"))
        fake.add_fund(sym, ys.shared_fund(sym))
    fake.add_shares("IJR", [("2026-03-30 21:00", 649_550_000), ("2026-03-31 21:00", 645_650_000),
                            ("2026-04-01 21:00", 645_650_000)])
    return fake


@pytest.fixture
def filled_cache(tmp_path):
    root = tmp_path / "cache"
    cache.fetch(["SPY", "IJR"], date(2025, 1, 2), root, client=fake_client(), now=SAT, probe=lambda: None,
                threads=False)
    return root


@pytest.fixture
def live(monkeypatch):
    """Yahoo 'reachable' and yfinance replaced at its boundary."""
    fake = fake_client()
    monkeypatch.setattr(extract, "default_client", lambda: fake)
    monkeypatch.setattr(reachability, "unreachable_reason", lambda url=None, timeout=3.0: None)
    return fake


def test_no_network_exits_2_within_seconds_with_one_line(tmp_path):
    port = closed_port()
    env = {**os.environ, "NOTEWRITER_CACHE_DIR": str(tmp_path / "c"), reachability.PROBE_URL_ENV: f"http://127.0.0.1:{port}"}
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "notewriter", "write", "SPY", "--source", "yfinance"],
                          capture_output=True, text=True, env=env, timeout=60)
    elapsed = time.monotonic() - started
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"notewriter: cannot reach Yahoo Finance (connection to 127.0.0.1:{port} refused); run with --offline "
        f"to use the cache at {tmp_path / 'c' / 'yfinance'}"]
    assert elapsed < 15  # interpreter start-up included; the probe itself gives up within 3 s


def test_offline_with_nothing_cached_is_one_usage_line(tmp_path):
    code, out, err = run("write", "SPY", "--offline", "--cache-dir", str(tmp_path / "c"))
    assert code == 2 and out == ""
    assert err == (f"notewriter: SPY is not in the cache at {tmp_path / 'c'}; run without --offline to fetch, "
                   "or: notewriter fetch SPY\n")


def test_offline_note_from_a_filled_cache(filled_cache):
    code, out, err = run("write", "IJR", "--offline", "--as-of", "2026-05-01", "--cache-dir", str(filled_cache))
    assert code == 0, err
    assert out.startswith("# IJR:")
    assert "yfinance cache" in out and "synthetic" not in out
    code, out, _ = run("facts", "SPY", "--offline", "--as-of", "2026-05-01", "--cache-dir", str(filled_cache))
    assert code == 0 and '"ticker": "SPY"' in out


def test_offline_note_from_an_old_cache_says_so(filled_cache):
    code, out, err = run("write", "IJR", "--offline", "--cache-dir", str(filled_cache))
    assert code == 0, err
    last = calendar.last_closed_session(datetime.now(timezone.utc))
    if last > date(2026, 5, 1):
        assert "prices for IJR end" in out  # the note's data notes
        assert any(line.startswith("notewriter: warning: The yfinance cache for IJR ends on 2026-05-01")
                   for line in err.splitlines())


def test_online_write_fetches_then_writes(live, tmp_path):
    root = tmp_path / "c"
    code, out, err = run("write", "IJR", "--source", "yfinance", "--as-of", "2026-05-01", "--cache-dir", str(root))
    assert code == 0, err
    assert out.startswith("# IJR:")
    assert (root / "prices" / "IJR.csv").is_file() and (root / "funds" / "IJR.json").is_file()
    assert live.calls_of("history", "IJR")


def test_data_and_yfinance_do_not_mix(tmp_path):
    code, _, err = run("write", "SPY", "--source", "yfinance", "--data", str(tmp_path))
    assert code == 2 and "--data does not go with --source yfinance" in err


def test_fetch_command_reports_each_ticker_and_fails_for_the_missing_one(live, tmp_path):
    root = tmp_path / "c"
    code, out, err = run("fetch", "SPY", "IJR", "NOPE", "--since", "2026-04-01", "--cache-dir", str(root))
    assert code == 2
    lines = out.splitlines()
    assert any(line.startswith("SPY: ") and "new price row(s) through" in line for line in lines)
    assert any(line.startswith("NOPE: FAILED: Yahoo Finance returned no prices for NOPE") for line in lines)
    assert err == f"notewriter: fetch failed for NOPE; the others are in the cache at {root}\n"
    assert sorted(p.name for p in (root / "prices").glob("*.csv"))[:2] == ["IJR.csv", "SPY.csv"]


def test_fetch_bad_since_is_a_usage_error(tmp_path):
    code, _, err = run("fetch", "SPY", "--since", "May 1", "--cache-dir", str(tmp_path))
    assert code == 2 and err == "notewriter: --since: expected a date YYYY-MM-DD, got 'May 1'\n"


def test_import_holdings_and_flows(tmp_path):
    if not MARKET.is_dir():
        pytest.skip(f"real market data not found at {MARKET} (../shared/data is absent)")
    root = tmp_path / "c"
    code, out, err = run("import", "holdings", str(MARKET / "holdings" / "IVV.csv"), "--ticker", "IVV",
                         "--cache-dir", str(root))
    assert code == 0, err
    assert out == f"IVV: 508 holdings as of 2024-12-06 -> {root / 'holdings' / 'IVV.csv'}\n"
    flows = tmp_path / "flows.csv"
    flows.write_text("Date,Ticker,Flow\n2026-04-01,IVV,\"$1,000\"\n")
    code, out, _ = run("import", "flows", str(flows), "--cache-dir", str(root))
    assert code == 0 and out.startswith("1 flow row(s) for IVV, 2026-04-01 to 2026-04-01 -> ")


def test_import_of_a_bad_flows_file_names_file_and_row(tmp_path):
    flows = tmp_path / "flows.csv"
    flows.write_text("date,ticker,flow_usd\n2026-04-01,SPY,1\nyesterday,SPY,2\n")
    code, out, err = run("import", "flows", str(flows), "--cache-dir", str(tmp_path / "c"))
    assert code == 2 and out == ""
    assert err == (f"notewriter: {flows}, row 3: expected a date like 2026-04-03 in column 'date', "
                   "got 'yesterday'\n")


def test_digest_and_batch_from_the_cache_offline(filled_cache, tmp_path):
    code, out, err = run("digest", "--offline", "--as-of", "2026-05-01", "--cache-dir", str(filled_cache))
    assert code == 0, err
    assert out.strip()
    out_dir = tmp_path / "out"
    code, _, err = run("batch", "--offline", "--as-of", "2026-05-01", "--out", str(out_dir), "--formats", "md",
                       "--cache-dir", str(filled_cache))
    assert code == 0, err
    assert (out_dir / "md" / "IJR.md").is_file() and (out_dir / "md" / "SPY.md").is_file()
    assert (out_dir / "manifest.jsonl").is_file()
