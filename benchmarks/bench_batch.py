"""Batch benchmark: a synthetic universe built from the real prices in ../shared/data/market.

Builds N funds (default 3,000) over Y years (default 10) in a temporary data directory: each fund's
prices are a real ETF's or stock's daily returns, shuffled in blocks and scaled to a random level;
shares outstanding move in whole creation units (mostly nothing, some days a few units, rare large
days); NAV sits within a few basis points of the close; fund info names a category and five real
stocks as top holdings. Then, for each executor (local processes, and a Dask LocalCluster of `--jobs`
workers), runs the batch twice in fresh processes - cold (no cache) and warm (columnar cache in place) -
and prints wall time, notes per second, the load/facts/notes/digest stages and peak memory (the largest
of the process and its workers; for Dask, of the client and the cluster's processes). Last, one warm
process with one job writes `--stage-funds` notes and prints the milliseconds per note of each stage
(load, facts, claims, render, sentiment, check, write).

    python benchmarks/bench_batch.py [--funds 3000] [--years 10] [--jobs 2] [--formats md,json]
        [--executors local,dask] [--stage-funds 300] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
MARKET = ROOT.parent / "shared" / "data" / "market"
CATEGORIES = ["Small Blend", "Large Growth", "Large Blend", "Mid-Cap Blend", "Technology", "Financial",
              "Equity Energy", "Long Government", "Intermediate Core Bond", "Foreign Large Blend"]


def build_universe(out: Path, funds: int, years: int, seed: int = 7) -> dict:
    rng = np.random.default_rng(seed)
    from notewriter.calendar import sessions

    all_sessions = sessions()
    end = pd.Timestamp("2026-04-30")
    days = all_sessions[(all_sessions > end - pd.DateOffset(years=years)) & (all_sessions <= end)]
    S = len(days)
    sources = {}
    for p in sorted((MARKET / "prices").glob("*.csv")):
        frame = pd.read_csv(p)
        close = pd.to_numeric(frame["Close"], errors="coerce").dropna().to_numpy()
        rets = np.diff(np.log(close))
        rets = rets[np.isfinite(rets) & (np.abs(rets) < 0.25)]
        if len(rets) > 250:
            sources[p.stem] = rets
    stocks = [t for t in sources if not (MARKET / "funds" / f"{t}.json").exists()]
    names = list(sources)
    (out / "prices").mkdir(parents=True)
    (out / "funds").mkdir()
    # the component stocks, as they are (their last S sessions, re-dated)
    for t in stocks:
        r = sources[t]
        idx = rng.integers(0, len(r), S)
        close = 100 * np.exp(np.cumsum(r[idx]))
        _write_prices(out, t, days, close, rng)
    share_parts = []
    for k in range(funds):
        ticker = f"F{k:04d}"
        base = sources[names[k % len(names)]]
        blocks = rng.integers(0, len(base) - 20, S // 20 + 1)
        r = np.concatenate([base[b:b + 20] for b in blocks])[:S] + rng.normal(0, 0.002, S)
        close = rng.uniform(20, 400) * np.exp(np.cumsum(r))
        _write_prices(out, ticker, days, close, rng)
        unit = 50_000 if rng.random() < 0.8 else 100_000
        units = np.where(rng.random(S) < 0.6, 0, rng.integers(-6, 7, S))
        big = rng.random(S) < 0.01
        units[big] = rng.integers(-80, 81, big.sum())
        start_units = int(rng.integers(200, 20_000))
        shares = unit * np.maximum(start_units + np.cumsum(units), 10)
        nav = close * (1 + rng.normal(0, 0.0003, S))
        share_parts.append(pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "ticker": ticker,
                                         "shares_outstanding": shares, "nav": np.round(nav, 4),
                                         "source": "bench"}))
        holdings = [{"symbol": s, "name": s, "weight": round(float(w), 4)}
                    for s, w in zip(rng.choice(stocks, 5, replace=False), sorted(rng.uniform(0.01, 0.08, 5))[::-1])]
        info = {"longName": f"Benchmark Fund {k:04d}", "category": CATEGORIES[k % len(CATEGORIES)],
                "fundFamily": "Bench", "expenseRatio": 0.2, "topHoldings": holdings}
        (out / "funds" / f"{ticker}.json").write_text(json.dumps(info))
    pd.concat(share_parts).to_csv(out / "shares.csv", index=False)
    return {"funds": funds, "sessions": S, "first": str(days[0].date()), "last": str(days[-1].date()),
            "stocks": len(stocks)}


def _write_prices(out: Path, ticker: str, days, close, rng) -> None:
    spread = np.abs(rng.normal(0, 0.006, len(close)))
    frame = pd.DataFrame({"Date": days.strftime("%Y-%m-%d"), "Open": np.round(close, 4),
                          "High": np.round(close * (1 + spread), 4), "Low": np.round(close * (1 - spread), 4),
                          "Close": np.round(close, 4), "Volume": rng.integers(100_000, 20_000_000, len(close))})
    frame.to_csv(out / "prices" / f"{ticker}.csv", index=False)


def run_child(data: str, out: str, as_of: str, jobs: int, formats: str, executor: str, funds: int) -> None:
    """One batch in this process; prints its timings as JSON on the last line."""
    from notewriter import stages
    from notewriter.batch import run_batch
    from notewriter.pipeline import open_source

    source = open_source(data)
    tickers = sorted(p.stem for p in (Path(data) / "funds").glob("*.json"))[:funds] if funds else None
    t = time.perf_counter()
    result = run_batch(source, as_of, "1d", out, formats=formats.split(","), jobs=jobs, progress=False,
                       executor=executor, tickers=tickers, digest=not funds)
    wall = time.perf_counter() - t
    ok = sum(r["status"] == "ok" for r in result.rows)
    timings = dict(result.timings)
    timings["notes_stage"] = timings.pop("notes", 0.0)
    # the largest of this process and its (waited-for) workers
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(json.dumps({"wall": wall, "count": len(result.rows), "ok": ok, "peak_rss_kb": peak, **timings,
                      "stages": dict(stages.TOTALS)}))


def measure(data: Path, out: Path, as_of: str, jobs: int, formats: str, executor: str = "local",
            funds: int = 0) -> dict:
    """One batch in a fresh process; peak RSS is that run's own (its process and its workers)."""
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--child", str(data), str(out), as_of, str(jobs), formats,
                             executor, str(funds)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t
    if proc.returncode:
        sys.exit(f"bench: batch failed ({proc.returncode}):\n{stderr}")
    stats = json.loads(stdout.strip().splitlines()[-1])
    stats.update(process_wall=wall, peak_rss_mb=stats.get("peak_rss_kb", 0) / 1024)
    return stats


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        run_child(*sys.argv[2:5], int(sys.argv[5]), sys.argv[6], sys.argv[7], int(sys.argv[8]))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--funds", type=int, default=3000)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--formats", default="md,json")
    ap.add_argument("--executors", default="local,dask")
    ap.add_argument("--stage-funds", type=int, default=300)
    ap.add_argument("--as-of", default="2026-04-30")
    ap.add_argument("--keep", type=Path, default=None, help="Build (or reuse) the universe here and keep it.")
    args = ap.parse_args()
    if not MARKET.is_dir():
        sys.exit(f"bench: {MARKET} not found; the benchmark builds its universe from the real price files there")
    tmp = Path(tempfile.mkdtemp(prefix="nw-bench-"))
    data = args.keep or tmp / "data"
    try:
        if not (data / "prices").is_dir():
            t = time.perf_counter()
            meta = build_universe(data, args.funds, args.years)
            print(f"built {meta['funds']} funds x {meta['sessions']} sessions ({meta['first']}..{meta['last']}), "
                  f"{meta['stocks']} component stocks, in {time.perf_counter() - t:.1f}s")
        for executor in args.executors.split(","):
            os.environ["NOTEWRITER_CACHE_DIR"] = str(tmp / f"cache-{executor}")  # cold for its first run
            for label in ("cold", "warm"):
                s = measure(data, tmp / f"out-{label}", args.as_of, args.jobs, args.formats, executor)
                print(f"{executor} {label}: wall {s['wall']:.1f}s (process {s['process_wall']:.1f}s), "
                      f"{s['ok']}/{s['count']} notes ok, {s['count'] / s['process_wall']:.0f} notes/s whole-process "
                      f"| load {s['load']:.1f}s, facts {s['facts']:.2f}s, notes {s['notes_stage']:.1f}s, "
                      f"digest {s.get('digest', 0):.1f}s | peak RSS {s['peak_rss_mb']:.0f} MB", flush=True)
        if args.stage_funds:
            s = measure(data, tmp / "out-stages", args.as_of, 1, args.formats, "local", args.stage_funds)
            n = max(s["count"], 1)
            per = {"load": s["load"] * 1000 / n, **{k: v * 1000 / n for k, v in s["stages"].items()}}
            print(f"stages, one job, {n} notes, ms per note: "
                  + ", ".join(f"{k} {per.get(k, 0.0):.2f}" for k in
                              ("load", "facts", "claims", "render", "sentiment", "check", "write")), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
