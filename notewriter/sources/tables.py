"""The long tables of a whole universe as columns (`Tables`), as every Source hands them to the facts.

`from_source` builds them through the per-ticker Source API; a data directory builds them from
its files through the columnar cache (`columnar`). Nothing here opens a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..errors import NotewriterError

PRICE_COLUMNS = ("Close", "High", "Low", "Volume", "Splits", "AdjClose")


@dataclass(frozen=True)
class Note:
    """A data-quality sentence about an input, for the notes of the funds it concerns: `text` has {placeholders}
    for `values` ((name, value, kind) with kind "count" or "date"); `touches` when it bears on a figure."""

    code: str
    text: str
    values: tuple = ()
    touches: bool = False

    def as_json(self) -> list:
        return [self.code, self.text, [list(v) for v in self.values], self.touches]

    @classmethod
    def from_json(cls, row: list) -> Note:
        return cls(row[0], row[1], tuple(tuple(v) for v in row[2]), bool(row[3]))


def literal(text: str) -> str:
    """`text` safe inside a Note's text (braces doubled)."""
    return text.replace("{", "{{").replace("}", "}}")


def expected_part(message: str) -> str | None:
    """What a malformed row should have held ("expected a number in column 'Close'"), without the value it
    held; None when what is left still has a digit (a note may print no number that is not a fact)."""
    head = message.split(", got ")[0].split(" (and ")[0]
    return None if re.search(r"\d", head) else head


@dataclass
class PriceRows:
    """Every ticker's price rows, one block per ticker (in `tickers` order, `counts` rows each)."""

    tickers: list[str]
    counts: np.ndarray                      # int64, rows per ticker
    date: np.ndarray                        # datetime64[ns]
    cols: dict[str, np.ndarray]             # PRICE_COLUMNS, float64


@dataclass
class KeyedRows:
    """shares.csv or flows.csv rows in file order; `codes` index `tickers` (-1: no ticker)."""

    tickers: list[str]
    codes: np.ndarray                       # int32
    date: np.ndarray                        # datetime64[ns]
    cols: dict[str, np.ndarray]             # float64

    def only(self, keep: set[str]) -> KeyedRows:
        """The rows of the tickers in `keep` (codes still index the same `tickers`)."""
        names = np.asarray(self.tickers + [None], dtype=object)
        rows = np.array([t in keep for t in names[self.codes]], dtype=bool)
        return KeyedRows(self.tickers, self.codes[rows], self.date[rows], {c: v[rows] for c, v in self.cols.items()})


@dataclass
class Tables:
    """Every row the facts need, as columns; errors are kept per ticker, never raised here."""

    price_rows: PriceRows
    price_duplicates: dict[str, int]
    share_rows: KeyedRows           # shares_outstanding, nav (file order)
    flow_rows: KeyedRows            # flow_usd (file order)
    info: dict[str, dict]
    funds: list[str]
    tickers: list[str]
    errors: dict[str, NotewriterError] = field(default_factory=dict)
    cache_hits: int = 0
    parsed: int = 0
    price_blank: dict[str, np.ndarray] = field(default_factory=dict)  # dates of rows left out: no Close
    notes: dict[str, list[Note]] = field(default_factory=dict)        # per ticker, about its own files
    file_notes: dict[str, list[Note]] = field(default_factory=dict)   # shares, flows, dataset: for their funds

    def select(self, tickers: Iterable[str] | None) -> Tables:
        """These tables for `tickers` only (all of them for None)."""
        if tickers is None:
            return self
        keep = {t.upper() for t in tickers}
        pr = self.price_rows
        kept = np.array([t in keep for t in pr.tickers], dtype=bool)
        rows = np.repeat(kept, pr.counts)
        prices = PriceRows([t for t in pr.tickers if t in keep], pr.counts[kept], pr.date[rows],
                           {c: v[rows] for c, v in pr.cols.items()})
        return replace(self, price_rows=prices,
                       price_duplicates={t: n for t, n in self.price_duplicates.items() if t in keep},
                       share_rows=self.share_rows.only(keep), flow_rows=self.flow_rows.only(keep),
                       info={t: v for t, v in self.info.items() if t in keep},
                       funds=[t for t in self.funds if t in keep], tickers=[t for t in self.tickers if t in keep],
                       errors={t: e for t, e in self.errors.items() if t in keep},
                       price_blank={t: d for t, d in self.price_blank.items() if t in keep},
                       notes={t: n for t, n in self.notes.items() if t in keep})


def empty_prices() -> PriceRows:
    return PriceRows([], np.zeros(0, dtype=np.int64), np.zeros(0, dtype="datetime64[ns]"),
                     {c: np.zeros(0) for c in PRICE_COLUMNS})


def keyed_rows(frame: pd.DataFrame, cols: list[str]) -> KeyedRows:
    """Rows of a long frame with date and ticker columns."""
    codes, uniq = pd.factorize(frame["ticker"].to_numpy(dtype=object), sort=True)
    return KeyedRows([str(u) for u in uniq], codes.astype(np.int32),
                     pd.DatetimeIndex(frame["date"]).to_numpy(dtype="datetime64[ns]"),
                     {c: frame[c].to_numpy(dtype=float) for c in cols})


def price_rows(blocks: list[tuple[str, np.ndarray, dict[str, np.ndarray]]]) -> PriceRows:
    if not blocks:
        return empty_prices()
    return PriceRows(tickers=[t for t, _, _ in blocks],
                     counts=np.array([len(d) for _, d, _ in blocks], dtype=np.int64),
                     date=np.concatenate([d for _, d, _ in blocks]).astype("datetime64[ns]"),
                     cols={c: np.concatenate([cols[c] for _, _, cols in blocks]).astype(float, copy=False)
                           for c in PRICE_COLUMNS})


def price_block(frame_cols: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    return {c: np.asarray(frame_cols[c], dtype=float) if c in frame_cols
            else np.full(n, np.nan) if c == "AdjClose" else np.zeros(n) for c in PRICE_COLUMNS}


def from_source(source, tickers: Iterable[str] | None = None) -> Tables:
    """The tables through the per-ticker Source API (any Source); `tickers` None means all of them."""
    keep = None if tickers is None else {t.upper() for t in tickers}
    blocks, dups, errors, blank = [], {}, {}, {}
    listed = [t for t in source.tickers() if keep is None or t in keep]
    for t in listed:
        try:
            frame = source.prices(t)
        except NotewriterError as err:
            errors[t] = err
            continue
        dups[t] = int(frame.attrs.get("duplicates", 0) or 0)
        if len(frame.attrs.get("blank_close", ())):
            blank[t] = np.asarray(frame.attrs["blank_close"], dtype="datetime64[ns]")
        cols = {c: frame[c].to_numpy(dtype=float) for c in frame.columns if c in PRICE_COLUMNS}
        blocks.append((t, frame.index.to_numpy(dtype="datetime64[ns]"), price_block(cols, len(frame))))
    funds = [t for t in source.funds() if keep is None or t in keep]
    shares, flows, info = [], [], {}
    for t in funds:
        try:
            info[t] = source.fund_info(t) or {}
            s = source.shares(t)
            if len(s):
                shares.append(pd.DataFrame({"date": s.index, "ticker": t, "shares_outstanding": s["shares_outstanding"],
                                            "nav": s["nav"] if "nav" in s.columns else np.nan}))
            v = source.vendor_flows(t)
            if len(v):
                flows.append(pd.DataFrame({"date": v.index, "ticker": t, "flow_usd": v["flow_usd"]}))
        except NotewriterError as err:
            errors.setdefault(t, err)
    return Tables(price_rows=price_rows(blocks), price_duplicates=dups,
                  share_rows=keyed_rows(_concat_or_empty(shares, "shares"), ["shares_outstanding", "nav"]),
                  flow_rows=keyed_rows(_concat_or_empty(flows, "flows"), ["flow_usd"]), info=info, funds=funds,
                  tickers=listed, errors=errors, parsed=len(listed), price_blank=blank)


def _concat_or_empty(parts, kind: str) -> pd.DataFrame:
    if parts:
        return pd.concat(parts, ignore_index=True)
    if kind == "shares":
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "ticker": pd.Series(dtype=str),
                             "shares_outstanding": pd.Series(dtype=float), "nav": pd.Series(dtype=float)})
    return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "ticker": pd.Series(dtype=str),
                         "flow_usd": pd.Series(dtype=float)})
