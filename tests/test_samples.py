"""The bundled samples: reproducible, in the data directory contract, with the planted features.

Expected values are computed here by hand from the files (daily flow = change in shares x NAV),
never by calling the package.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import exchange_calendars as xcals
import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SCRIPT = ROOT / "scripts" / "make_samples.py"

FUNDS = {"IJR", "IWM", "QQQ", "SPY", "IVV", "VTI", "IJH", "XLK", "XLF", "XLE", "TLT", "GLD", "EFA", "AGG"}
NON_EQUITY = {"TLT", "GLD", "AGG"}
UNIT = {tk: 100_000 if tk in {"TLT", "EFA", "AGG"} else 50_000 for tk in FUNDS}
PRICE_HEADER = "Date,Open,High,Low,Close,AdjClose,Volume,Dividends,Stock Splits"
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LAST = "2025-10-31"


@pytest.fixture(scope="module")
def sessions() -> list[str]:
    with warnings.catch_warnings():  # the calendar library trips a pandas deprecation warning; not ours
        warnings.simplefilter("ignore")
        days = xcals.get_calendar("XNYS").sessions_in_range("2022-01-03", LAST)
    return [d.strftime("%Y-%m-%d") for d in days]


@pytest.fixture(scope="module")
def prices() -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_csv(p, dtype={"Date": str}) for p in sorted((SAMPLES / "prices").glob("*.csv"))}


@pytest.fixture(scope="module")
def shares() -> pd.DataFrame:
    return pd.read_csv(SAMPLES / "shares.csv", dtype={"date": str})


@pytest.fixture(scope="module")
def vendor() -> pd.DataFrame:
    return pd.read_csv(SAMPLES / "flows.csv", dtype={"date": str})


@pytest.fixture(scope="module")
def funds() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((SAMPLES / "funds").glob("*.json"))}


def series(shares: pd.DataFrame, ticker: str) -> pd.DataFrame:
    return shares[shares.ticker == ticker].set_index("date").sort_index()


def daily_flow(shares: pd.DataFrame, ticker: str) -> pd.Series:
    s = series(shares, ticker)
    return s.shares_outstanding.diff() * s.nav


def runs_of_equal(values: pd.Series) -> list[tuple[str, str, int]]:
    """(first date, last date, length) of each run of identical consecutive values."""
    out, start, prev = [], None, None
    for date, v in values.items():
        if v != prev:
            if start is not None:
                out.append((start, last, n))
            start, n = date, 0
        n, last, prev = n + 1, date, v
    out.append((start, last, n))
    return out


# --------------------------------------------------------------------------- (a) reproducible


def test_generator_is_deterministic(tmp_path):
    out = tmp_path / "samples"
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], check=True, capture_output=True, timeout=120)
    made = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    shipped = sorted(p.relative_to(SAMPLES).as_posix() for p in SAMPLES.rglob("*") if p.is_file())
    assert made == shipped
    differing = [rel for rel in made if (out / rel).read_bytes() != (SAMPLES / rel).read_bytes()]
    assert differing == []


# --------------------------------------------------------------------------- (b) the contract


def test_layout_and_size():
    assert json.loads((SAMPLES / "dataset.json").read_text()) == {
        "label": "bundled sample data (synthetic)", "synthetic": True}
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in readme.lower() and "scripts/make_samples.py" in readme
    total = sum(p.stat().st_size for p in SAMPLES.rglob("*") if p.is_file())
    assert total < 6 * 1024 * 1024


def test_price_files(prices, sessions):
    assert FUNDS <= set(prices)
    for ticker, df in prices.items():
        path = SAMPLES / "prices" / f"{ticker}.csv"
        assert path.read_text().splitlines()[0] == PRICE_HEADER, ticker
        assert df.Date.tolist() == sessions, ticker  # every XNYS session, nothing else, in order
        assert all(ISO.match(d) for d in df.Date)
        o, h, lo, c = df.Open, df.High, df.Low, df.Close
        assert (lo > 0).all() and (h >= lo).all(), ticker
        assert (h >= np.maximum(o, c)).all() and (lo <= np.minimum(o, c)).all(), ticker
        assert df.Volume.dtype == np.int64 and (df.Volume > 0).all(), ticker
        assert (df.Dividends >= 0).all(), ticker
        assert df.AdjClose.iloc[-1] == df.Close.iloc[-1], ticker
        for col in ("Open", "High", "Low", "Close", "AdjClose"):
            assert (df[col].round(4) == df[col]).all(), (ticker, col)
        # dividends only on quarterly ex-dates: at most one per calendar quarter
        paid = df[df.Dividends > 0]
        quarters = paid.Date.str[:4] + "Q" + ((paid.Date.str[5:7].astype(int) + 2) // 3).astype(str)
        assert quarters.is_unique, ticker
        if ticker != "XLE":
            assert (df["Stock Splits"] == 0).all(), ticker


def test_shares_file(shares, sessions, prices):
    assert (SAMPLES / "shares.csv").read_text().splitlines()[0] == "date,ticker,shares_outstanding,nav,source"
    assert set(shares.ticker) == FUNDS - {"GLD"}
    assert shares.date.map(lambda d: bool(ISO.match(d))).all()
    assert set(shares.date) <= set(sessions)
    assert not shares.duplicated(["date", "ticker"]).any()
    assert (shares.source == "sample-issuer").all()
    assert shares.shares_outstanding.dtype == np.int64
    for ticker, g in shares.groupby("ticker"):
        s = g.set_index("date").sort_index()
        unit = UNIT[ticker]
        assert (s.shares_outstanding % unit == 0).all(), ticker
        change = s.shares_outstanding.diff().dropna()
        if ticker == "XLE":
            change = change.drop("2024-03-25")
        assert (change % unit == 0).all(), ticker
        close = prices[ticker].set_index("Date").Close.loc[s.index]
        assert ((s.nav / close - 1).abs() <= 0.001).all(), ticker  # within a few basis points
        assert (s.nav.round(4) == s.nav).all(), ticker


def test_flows_file(vendor, sessions):
    assert (SAMPLES / "flows.csv").read_text().splitlines()[0] == "date,ticker,flow_usd"
    assert set(vendor.ticker) == {"GLD", "TLT"}
    assert set(vendor.date) <= set(sessions)
    assert not vendor.duplicated(["date", "ticker"]).any()


def test_fund_files(funds, shares, prices):
    assert set(funds) == FUNDS
    keys = {"longName", "category", "fundFamily", "totalAssets", "navPrice", "fiftyTwoWeekHigh",
            "fiftyTwoWeekLow", "expenseRatio", "topHoldings", "sectorWeightings", "fetchedAt"}
    for ticker, info in funds.items():
        assert keys <= set(info), ticker
        assert info["fetchedAt"].startswith("2025-10-31T"), ticker
        px = prices[ticker]
        year = px[px.Date > "2024-10-31"]
        assert info["fiftyTwoWeekHigh"] == year.High.max(), ticker
        assert info["fiftyTwoWeekLow"] == year.Low.min(), ticker
        if ticker != "GLD":
            last = series(shares, ticker).iloc[-1]
            assert info["navPrice"] == last.nav, ticker
            assert info["totalAssets"] == pytest.approx(last.shares_outstanding * last.nav, rel=1e-6), ticker
        holdings = info["topHoldings"]
        if ticker in NON_EQUITY:
            assert holdings == [] and info["sectorWeightings"] == {}, ticker
            continue
        assert 5 <= len(holdings) <= 10, ticker
        weights = [h["weight"] for h in holdings]
        assert all(0 < w < 1 for w in weights) and weights == sorted(weights, reverse=True), ticker
        assert sum(info["sectorWeightings"].values()) == pytest.approx(1.0, abs=0.01), ticker


def test_components_have_prices_and_are_not_funds(funds, shares, vendor, prices):
    components = {h["symbol"] for info in funds.values() for h in info["topHoldings"]}
    assert components <= set(prices)
    assert set(prices) == FUNDS | components
    assert not components & (set(shares.ticker) | set(vendor.ticker) | set(funds))
    for symbol in ("AAPL", "MSFT", "NVDA"):  # shared mega caps
        holders = {tk for tk, info in funds.items() if symbol in {h["symbol"] for h in info["topHoldings"]}}
        assert {"SPY", "IVV", "QQQ", "VTI", "XLK"} <= holders, symbol


def test_ijr_holdings_download(shares, funds, prices):
    raw = (SAMPLES / "holdings" / "IJR.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").split("\n")
    assert lines[0] == "iShares Core S&P Small-Cap ETF"
    assert lines[1] == 'Fund Holdings as of,"Oct 31, 2025"'
    assert lines[8] == " "
    assert lines[9].startswith("Ticker,Name,Sector,Asset Class,Market Value,Weight (%),")
    preamble_shares = float(next(csv.reader([lines[3]]))[1].replace(",", ""))
    last = series(shares, "IJR").loc[LAST]
    assert preamble_shares == last.shares_outstanding == 645_650_000

    body = lines[9:lines.index(" ", 9)]
    rows = list(csv.DictReader(io.StringIO("\n".join(body))))
    assert 25 <= len(rows) <= 35
    number = lambda text: float(text.replace(",", ""))  # noqa: E731
    classes = {r["Asset Class"] for r in rows}
    assert {"Equity", "Cash", "Futures"} <= classes
    assert any(r["Ticker"] == "USD" and r["Asset Class"] == "Cash" for r in rows)
    aum = last.shares_outstanding * last.nav
    for r in rows:
        if r["Asset Class"] != "Futures":  # weights are percent of net assets
            assert number(r["Weight (%)"]) == pytest.approx(number(r["Market Value"]) / aum * 100, abs=0.006)
    equities = [r for r in rows if r["Asset Class"] == "Equity"]
    top = [h["symbol"] for h in funds["IJR"]["topHoldings"]]
    assert top == [r["Ticker"] for r in equities[: len(top)]]
    for r in equities[: len(top)]:
        assert number(r["Price"]) == round(prices[r["Ticker"]].Close.iloc[-1], 2)


# --------------------------------------------------------------------------- (c) planted features


def test_xle_split_is_not_a_flow(prices, shares):
    px = prices["XLE"].set_index("Date")
    split_days = px.index[px["Stock Splits"] != 0].tolist()
    assert split_days == ["2024-03-25"]
    assert px.loc["2024-03-25", "Stock Splits"] == 2.0
    before, on = px.loc["2024-03-22"], px.loc["2024-03-25"]
    assert 0.4 < on.Close / before.Close < 0.6  # raw close halves
    assert 0.9 < on.AdjClose / before.AdjClose < 1.1  # adjusted close does not
    s = series(shares, "XLE").shares_outstanding
    assert s.loc["2024-03-25"] == 2 * s.loc["2024-03-22"]


def test_tlt_stale_stretch(shares, vendor):
    runs = runs_of_equal(series(shares, "TLT").shares_outstanding)
    longest = max(runs, key=lambda r: r[2])
    assert longest == ("2025-06-02", "2025-07-08", 25)
    others = [r for r in runs if r != longest]
    assert max(r[2] for r in others) <= 8
    for ticker in set(shares.ticker) - {"TLT"}:  # nobody else looks stale
        assert max(r[2] for r in runs_of_equal(series(shares, ticker).shares_outstanding)) <= 8, ticker
    tlt = vendor[vendor.ticker == "TLT"].set_index("date").flow_usd
    during = tlt.loc["2025-06-03":"2025-07-08"]
    assert len(during) == 24 and (during != 0).sum() >= 20  # vendor flows keep moving


def test_ijr_final_week_outflow(shares):
    s = series(shares, "IJR")
    flow = daily_flow(shares, "IJR")
    week = flow.iloc[-5:]
    assert week.index.tolist() == ["2025-10-27", "2025-10-28", "2025-10-29", "2025-10-30", LAST]
    assert s.shares_outstanding.loc["2025-10-24"] == 649_550_000
    assert s.shares_outstanding.loc[LAST] == 645_650_000
    assert round(week.sum() / 1e6, 1) == -399.4
    before, after = s.shares_outstanding.loc["2025-10-24"], s.shares_outstanding.loc[LAST]
    pct = (after - before) / before  # samples/README.md: a 0.6% decline over the final week
    assert round(pct * 100, 1) == -0.6
    redemptions = s.shares_outstanding.diff().iloc[-5:]
    assert (redemptions < 0).sum() >= 3 and (redemptions % 50_000 == 0).all()
    weekly = flow.rolling(5).sum().iloc[-252:]  # every 5-session window in the trailing year
    assert weekly.idxmin() == LAST
    assert (weekly.drop(LAST) > week.sum()).all()


def test_rotation_and_its_analog(shares):
    iwm, qqq = daily_flow(shares, "IWM"), daily_flow(shares, "QQQ")
    assert 550e6 <= iwm.loc[LAST] <= 650e6
    assert -1.6e9 <= qqq.loc[LAST] <= -1.4e9
    analog = "2024-11-14"
    assert iwm.loc[analog] > 500e6 and qqq.loc[analog] < -1e9
    both = iwm.index[(iwm >= 500e6) & (qqq <= -1e9)]
    between = [d for d in both if analog < d < LAST]
    assert between == []
    assert analog in both and LAST in both


def test_ijh_gap(shares, sessions):
    ijh = series(shares, "IJH").index.tolist()
    missing = [d for d in sessions if d not in set(ijh)]
    assert missing == ["2025-03-10", "2025-03-11", "2025-03-12", "2025-03-13", "2025-03-14"]
    assert [pd.Timestamp(d).day_name() for d in (missing[0], missing[-1])] == ["Monday", "Friday"]
    for ticker in set(shares.ticker) - {"IJH"}:
        assert series(shares, ticker).index.tolist() == sessions, ticker


def test_vendor_flows(shares, vendor):
    assert "GLD" not in set(shares.ticker) and "GLD" in set(vendor.ticker)
    est = daily_flow(shares, "TLT").dropna()
    reported = vendor[vendor.ticker == "TLT"].set_index("date").flow_usd
    skip = set(est.loc["2025-06-03":"2025-07-09"].index)  # the stale stretch and its catch-up
    days = [d for d in est.index if d not in skip]
    e, r = est.loc[days], reported.loc[days]
    assert ((r - e).abs() <= 0.012 * e.abs() + 5_001).all()  # close to shares change x NAV ...
    assert (r != e).mean() > 0.4  # ... but not the same numbers
    assert ((e == 0) == (r == 0)).all()


def test_daily_flows_look_realistic(shares):
    for ticker, g in shares.groupby("ticker"):
        units = (g.sort_values("date").shares_outstanding.diff().dropna() / UNIT[ticker])
        if ticker == "XLE":
            units = units[units.abs() < 1000]  # the split day
        assert 0.35 <= (units == 0).mean() <= 0.65, ticker  # most days nothing or a few units
        active = units[units != 0].abs()
        assert active.median() <= 6, ticker
        assert (active >= 8).sum() >= 5, ticker  # occasional larger days
        assert (units > 0).mean() >= 0.15 and (units < 0).mean() >= 0.15, ticker  # mixed signs
