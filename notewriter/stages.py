"""Seconds spent in each stage of composing notes, summed per process (read by benchmarks/bench_batch.py).

The cost of keeping them is two clock reads per stage per note; nothing in the output depends on them."""

from __future__ import annotations

import time
from collections import defaultdict
from contextlib import contextmanager

TOTALS: dict[str, float] = defaultdict(float)


@contextmanager
def stage(name: str):
    t = time.perf_counter()
    try:
        yield
    finally:
        TOTALS[name] += time.perf_counter() - t
