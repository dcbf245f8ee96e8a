"""Prices as known at a date: split-adjusted opens and closes, and the forward returns the calls are scored on.

A `PriceBook` cut at D reads no row dated after D, so nothing scored as of D uses a later price. The horizon
of a call ends on the h-th exchange session after its date (from the calendar, not the data); a call whose
end is after D is not due yet.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd

from .. import calendar
from ..errors import NotewriterError
from ..sources.base import Source


def horizon_end(as_of: date, h: int) -> date:
    """The h-th exchange session after `as_of`."""
    s = calendar.sessions()
    return s[int(s.searchsorted(pd.Timestamp(as_of), side="right")) + h - 1].date()


def next_session(as_of: date) -> date:
    return horizon_end(as_of, 1)


def has_opens(frame: pd.DataFrame) -> bool:
    """Whether a price file has opens of its own (a file without an Open column reads with Open = Close)."""
    return "Open" in frame and bool(len(frame)) and not np.array_equal(frame["Open"].to_numpy(),
                                                                       frame["Close"].to_numpy())


class PriceBook:
    """Each ticker's split-adjusted opens and closes on the sessions up to `as_of` (all of them when None)."""

    def __init__(self, source: Source, as_of: date | None = None):
        self.source = source
        self.as_of = pd.Timestamp(as_of) if as_of is not None else None
        self._frames: dict[str, pd.DataFrame | None] = {}

    def frame(self, ticker: str) -> pd.DataFrame | None:
        """Columns open, close (split-adjusted to one basis), opens (whether the file has opens); None when the
        source has no prices for the ticker. A malformed price file is an error (it names the file and row)."""
        if ticker not in self._frames:
            if not self.source.has_prices(ticker):
                self._frames[ticker] = None
            else:
                raw = self.source.prices(ticker)
                if self.as_of is not None:
                    raw = raw[raw.index <= self.as_of]
                splits = raw["Splits"].to_numpy() if "Splits" in raw else np.zeros(len(raw))
                factor = np.cumprod(np.where(np.isfinite(splits) & (splits > 0), splits, 1.0))
                out = pd.DataFrame({"open": raw["Open"].to_numpy() * factor,
                                    "close": raw["Close"].to_numpy() * factor}, index=raw.index)
                out.attrs["opens"] = has_opens(raw)
                self._frames[ticker] = out
        return self._frames[ticker]

    def opens(self, ticker: str) -> bool:
        frame = self.frame(ticker)
        return frame is not None and frame.attrs["opens"]

    def _at(self, ticker: str, day: date, column: str) -> float | None:
        frame = self.frame(ticker)
        if frame is None:
            return None
        ts = pd.Timestamp(day)
        if ts not in frame.index:
            return None
        v = float(frame.at[ts, column])
        return v if math.isfinite(v) and v > 0 else None

    def entry(self, ticker: str, as_of: date, basis: str) -> float | None:
        """The price a call is measured from: the next session's open, or the as-of close."""
        if basis == "next_open" and self.opens(ticker):
            return self._at(ticker, next_session(as_of), "open")
        return self._at(ticker, as_of, "close")

    def forward(self, ticker: str, as_of: date, basis: str, end: date) -> float | None:
        """Return from the call's entry price to the close of session `end` (None when a price is missing or
        `end` is past the book's date)."""
        if self.as_of is not None and pd.Timestamp(end) > self.as_of:
            return None
        a, b = self.entry(ticker, as_of, basis), self._at(ticker, end, "close")
        if a is None or b is None:
            return None
        return b / a - 1


def entry_basis(source: Source, ticker: str, as_of: date) -> str:
    """`next_open` when the fund's price file (rows up to `as_of`) has opens, else `close`."""
    try:
        book = PriceBook(source, as_of)
        return "next_open" if book.opens(ticker) else "close"
    except NotewriterError:
        return "close"
