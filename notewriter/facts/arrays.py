"""Array helpers the panel and its views share: last-valid positions, gathers, 1-2-5 rounding, window sums."""

from __future__ import annotations

import numpy as np


def lastpos(valid: np.ndarray) -> np.ndarray:
    """For each row and column, the index of the last True row at or above it (-1 if none)."""
    idx = np.where(valid, np.arange(valid.shape[0])[:, None], -1)
    return np.maximum.accumulate(idx, axis=0)


def ffill(arr: np.ndarray) -> np.ndarray:
    """Each column's last non-NaN value carried down over NaN rows (NaN before the first one)."""
    pos = lastpos(~np.isnan(arr))
    out = arr[np.clip(pos, 0, None), np.arange(arr.shape[1])]
    out[pos < 0] = np.nan
    return out


def lastrow(valid: np.ndarray) -> np.ndarray:
    """For each column, the index of its last True row (-1 if none); `lastpos(valid)[-1]` without the S x N pass."""
    if not len(valid):
        return np.full(valid.shape[1], -1)
    back = np.argmax(valid[::-1], axis=0)
    return np.where(valid.any(axis=0), valid.shape[0] - 1 - back, -1)


def take(arr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """arr[rows[..., j], j] for every column j (rows one per column, or a rows x columns grid); NaN where
    rows < 0."""
    rows = np.asarray(rows)
    cols = np.arange(arr.shape[1])
    out = arr[np.clip(rows, 0, None), cols].astype(float)
    out[rows < 0] = np.nan
    return out


def round_down_125_array(x: np.ndarray) -> np.ndarray:
    """The largest 1, 2 or 5 x 10^k not above |x|, elementwise (0 for 0 or NaN)."""
    a = np.abs(np.asarray(x, dtype=float))
    out = np.zeros_like(a)
    ok = np.isfinite(a) & (a > 0)
    exp = np.floor(np.log10(a[ok]))
    base = 10.0 ** exp
    m = a[ok] / base * (1 + 1e-12)
    out[ok] = np.where(m >= 5, 5, np.where(m >= 2, 2, 1)) * base
    return out


def round_down_125(x: float) -> float:
    """The largest 1, 2 or 5 x 10^k not above |x| ($623M -> $500M, $1.48B -> $1B)."""
    return float(round_down_125_array(np.array([x]))[0])


def cumulative(series: np.ndarray) -> np.ndarray:
    """Running sums with a leading zero row: out[r + 1] is the sum of rows 0..r (NaN counts as 0)."""
    return np.vstack([np.zeros((1, series.shape[1])), np.cumsum(np.nan_to_num(series), axis=0)])


def window_sums(cs: np.ndarray, first_cov: np.ndarray, end_rows: np.ndarray, length: int) -> np.ndarray:
    """Each column's sum over `length` rows ending at `end_rows` (rows x columns), from `cumulative` sums.

    NaN where the window starts before the column's first covered row `first_cov` or ends before row 0.
    """
    end_rows = np.asarray(end_rows)
    cols = np.arange(cs.shape[1])
    ok = (end_rows - length + 1 >= first_cov[None, :]) & (end_rows >= 0)
    e = np.clip(end_rows, 0, None)
    s = np.clip(end_rows - length, -1, None)
    return np.where(ok, cs[e + 1, cols] - cs[s + 1, cols], np.nan)
