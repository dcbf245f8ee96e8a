"""Shared fixtures: the real data beside the project, and tiny hand-built data directories."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SHARED_DATA = SHARED / "data"
MARKET = SHARED_DATA / "market"
SAMPLES = ROOT / "samples"


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Never touch the real user cache or a real LLM endpoint from a test."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("NOTEWRITER_CACHE_DIR", str(cache))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "NOTEWRITER_LLM_MODEL"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def market() -> Path:
    if not MARKET.is_dir():
        pytest.skip(f"real market data not found at {MARKET} (../shared is not beside this checkout)")
    return MARKET


def sessions(start: str, end: str) -> pd.DatetimeIndex:
    from notewriter.calendar import sessions as all_sessions

    s = all_sessions()
    return s[(s >= pd.Timestamp(start)) & (s <= pd.Timestamp(end))]


def write_prices(root: Path, ticker: str, dates: pd.DatetimeIndex, close, volume=1_000_000, spread=0.01) -> None:
    close = np.asarray(close, dtype=float) * np.ones(len(dates))
    frame = pd.DataFrame({
        "Date": [d.date().isoformat() for d in dates],
        "Open": close, "High": close * (1 + spread), "Low": close * (1 - spread), "Close": close,
        "AdjClose": close, "Volume": np.asarray(volume) * np.ones(len(dates), dtype=int), "Dividends": 0.0,
    })
    (root / "prices").mkdir(parents=True, exist_ok=True)
    frame.to_csv(root / "prices" / f"{ticker}.csv", index=False)


def write_fund(root: Path, ticker: str, **info) -> None:
    (root / "funds").mkdir(parents=True, exist_ok=True)
    (root / "funds" / f"{ticker}.json").write_text(json.dumps({"ticker": ticker, **info}))


def write_shares(root: Path, rows: list[tuple[str, str, int, float | None]]) -> None:
    frame = pd.DataFrame(rows, columns=["date", "ticker", "shares_outstanding", "nav"])
    frame["source"] = "test"
    frame.to_csv(root / "shares.csv", index=False)
