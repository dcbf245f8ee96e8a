"""The statistics a track record reports: hit rates with Wilson intervals and binomial tests, t-statistics."""

from __future__ import annotations

import math
import statistics

from scipy import stats as sp

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal: a two-sided 95% interval


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for k successes in n trials (Wilson 1927); None when n is 0."""
    if n <= 0:
        return None
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def binom_p(k: int, n: int) -> float | None:
    """Two-sided exact binomial test of k hits in n calls against a hit rate of one half."""
    return float(sp.binomtest(k, n, 0.5).pvalue) if n > 0 else None


def t_stat(values: list[float]) -> float | None:
    """One-sample t-statistic of the mean against zero (None with fewer than two values or no spread)."""
    if len(values) < 2:
        return None
    sd = statistics.stdev(values)
    if sd == 0:
        return None
    return statistics.fmean(values) / (sd / math.sqrt(len(values)))


def mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None
