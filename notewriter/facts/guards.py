"""Plausibility guards: inputs no note should publish, found before any statistic is computed.

Each guard either refuses a fund (a `DataError` naming the file and the row, by its date: the fund's notes
exit 2 and the rest of a batch goes on) or leaves a value out with a data-quality flag the note states.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataError
from ..sources.tables import Note, Tables, expected_part, literal
from .arrays import lastpos, take

# share-count ratios that look like a split or reverse split
SPLIT_RATIOS = np.array([2, 3, 4, 5, 8, 10, 20, 1 / 2, 1 / 3, 1 / 4, 1 / 5, 1 / 8, 1 / 10, 1 / 20])


@dataclass
class GuardFlag:
    """A value left out, said in the note: `text` has {placeholders} for `values` (name -> (value, kind));
    `touches` when it bears on a figure the note shows (the note then states it as a caveat too); `about` the
    ticker its numbers are about when it is not the note's fund (a peer's or a component's file)."""

    code: str
    text: str
    values: dict = field(default_factory=dict)
    touches: bool = True
    about: str | None = None


def _day(sessions: pd.DatetimeIndex, row: int) -> str:
    return sessions[row].date().isoformat()


def price_errors(sessions: pd.DatetimeIndex, tickers: list[str], close: np.ndarray, high: np.ndarray,
                 low: np.ndarray, cumsplit: np.ndarray, path_of, max_jump: float) -> dict[str, DataError]:
    """Funds whose price rows cannot be right: a negative or zero price, Low above High, or a close that
    moves by more than `max_jump` times in one session, unless it is a split (recorded, or a persistent
    move by a split ratio)."""
    out: dict[str, DataError] = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        bad_sign = (close <= 0) | (low < 0) | (high < 0)
        crossed = low > high * (1 + 1e-9)
        adj = close * cumsplit
        valid = np.isfinite(adj)
    for j in np.flatnonzero(bad_sign.any(axis=0) | crossed.any(axis=0)):
        t = tickers[j]
        r = int(np.flatnonzero(bad_sign[:, j] | crossed[:, j])[0])
        if bad_sign[r, j]:
            what = (f"a positive price (Close {close[r, j]:g}, High {high[r, j]:g}, Low {low[r, j]:g})")
        else:
            what = f"Low at or below High (Low {low[r, j]:g}, High {high[r, j]:g})"
        out[t] = DataError(path_of("prices", t), f"the row dated {_day(sessions, r)} should have {what}")
    for j in range(close.shape[1]):
        t = tickers[j]
        if t in out:
            continue
        rows = np.flatnonzero(valid[:, j])
        if len(rows) < 2:
            continue
        a = adj[rows, j]
        ratio = a[1:] / a[:-1]
        jump = np.flatnonzero((ratio > max_jump) | (ratio < 1 / max_jump))
        for k in map(int, jump):
            # an unrecorded split (a persistent move by a split ratio) is not an error; a spike or an odd
            # multiple is
            # within 10% of a split ratio: the same tolerance the share-count split detection gives the close
            split_like = bool(np.any(np.abs(ratio[k] * SPLIT_RATIOS - 1) < 0.1))
            later = a[k + 2:k + 7] / a[k]
            persistent = len(later) > 0 and bool(np.all(np.abs(later / ratio[k] - 1) < 0.5))
            if split_like and persistent:
                continue
            out[t] = DataError(
                path_of("prices", t),
                f"the close dated {_day(sessions, rows[k + 1])} is {ratio[k]:.4g} times the one dated "
                f"{_day(sessions, rows[k])}, with no split between them; expected prices that move by less "
                f"than {max_jump:g} times in a session")
            break
    return out


def clean_share_counts(sessions: pd.DatetimeIndex, funds: list[str], shares: np.ndarray, close: np.ndarray,
                       max_jump: float) -> dict[str, list[GuardFlag]]:
    """Blank out (in place) share counts that cannot be right, and say which: zero, negative or non-finite
    counts, and a count more than `max_jump` times (or under 1/`max_jump` of) the last one kept that no split
    explains (a split also moves the close by its ratio)."""
    flags: dict[str, list[GuardFlag]] = {}
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(shares) & ~(np.isfinite(shares) & (shares > 0))
    for j in np.flatnonzero(bad.any(axis=0)):
        rows = np.flatnonzero(bad[:, j])
        flags.setdefault(funds[j], []).append(GuardFlag(
            "shares_invalid", f"{{n}} share count(s) for {funds[j]} are zero, negative or not a number "
            "(the first on {d}) and are left out", {"n": (len(rows), "count"), "d": (sessions[rows[0]], "date")}))
        shares[rows, j] = np.nan
    valid = np.isfinite(shares)
    # a cheap screen over consecutive observations; the careful pass compares with the last count kept
    pos = lastpos(valid)
    before = np.vstack([np.full((1, shares.shape[1]), -1), pos[:-1]])
    prev = take(shares, before)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = shares / prev
    suspect = np.flatnonzero(np.any(valid & ((ratio > max_jump) | (ratio < 1 / max_jump)), axis=0))
    for j in suspect:
        rows = np.flatnonzero(valid[:, j])
        kept, dropped = rows[0], []
        for r in rows[1:]:
            ratio = shares[r, j] / shares[kept, j]
            if 1 / max_jump <= ratio <= max_jump:
                kept = r
                continue
            near = SPLIT_RATIOS[np.abs(ratio / SPLIT_RATIOS - 1) < 0.05]
            c0, c1 = close[kept, j], close[r, j]
            if len(near) and np.isfinite(c0) and np.isfinite(c1) and abs(c1 / c0 * near[0] - 1) < 0.1:
                kept = r  # a split: the price moved by the inverse ratio
                continue
            dropped.append(r)
        if dropped:
            shares[dropped, j] = np.nan
            flags.setdefault(funds[j], []).append(GuardFlag(
                "shares_jump", f"{{n}} share count(s) for {funds[j]} (the first on {{d}}) jump more than "
                "{x} times from the count before and match no split, so they are left out",
                {"n": (len(dropped), "count"), "d": (sessions[dropped[0]], "date"), "x": (max_jump, "ratio")}))
    return flags


def clean_vendor_flows(sessions: pd.DatetimeIndex, funds: list[str], vendor: np.ndarray) -> dict[str, list[GuardFlag]]:
    """Blank out (in place) vendor flows that are not finite numbers (an `inf` would swallow the sum)."""
    flags: dict[str, list[GuardFlag]] = {}
    bad = np.isinf(vendor)
    for j in np.flatnonzero(bad.any(axis=0)):
        rows = np.flatnonzero(bad[:, j])
        vendor[rows, j] = np.nan
        flags.setdefault(funds[j], []).append(GuardFlag(
            "vendor_invalid", f"{{n}} vendor flow(s) for {funds[j]} are not finite numbers (the first on {{d}}) "
            "and are left out", {"n": (len(rows), "count"), "d": (sessions[rows[0]], "date")}))
    return flags


# ---- what the sources could not read, said in the notes it bears on ------------------------------------


def _guard_flag(note: Note) -> GuardFlag:
    return GuardFlag(note.code, note.text, {k: (v, kind) for k, v, kind in note.values}, note.touches)


def input_notes(tables: Tables, funds: list[str]) -> dict[str, list[GuardFlag]]:
    """The sources' notes about inputs, for the funds they concern: a fund's own files' notes (a fallback
    encoding), and a shared file's (rows that name no fund, a fallback encoding) for each fund with rows in it;
    dataset.json's for every fund."""
    out: dict[str, list[GuardFlag]] = {}
    fund_set = set(funds)
    for t, notes in tables.notes.items():
        if t in fund_set:
            out.setdefault(t, []).extend(_guard_flag(n) for n in notes)
    for kind, rows in (("shares", tables.share_rows), ("flows", tables.flow_rows), ("dataset", None)):
        notes = tables.file_notes.get(kind)
        if not notes:
            continue
        users = fund_set if rows is None else fund_set & {rows.tickers[k] for k in np.unique(rows.codes) if k >= 0}
        for t in funds:
            if t in users:
                out.setdefault(t, []).extend(_guard_flag(n) for n in notes)
    return out


def _where(err, root) -> tuple[str, dict]:
    """'prices/IWM.csv, row {r}: expected a number in column 'Open'' and its values, from a DataError: the path
    relative to the data directory, the row (or the date) as a fact, what was expected when it has no number."""
    if not isinstance(err, DataError):
        return "", {}
    path = err.path.replace("\\", "/")
    base = str(root).replace("\\", "/").rstrip("/") + "/" if root is not None else None
    rel = path[len(base):] if base and path.startswith(base) else "/".join(path.split("/")[-2:])
    head = f"{err.path}, row {err.row}: " if err.row is not None else f"{err.path}: "
    message = getattr(err, "message", "")
    body = message[len(head):] if message.startswith(head) else ""
    values: dict = {}
    text = literal(rel)
    dated = re.search(r"dated (\d{4}-\d{2}-\d{2})", body)
    if err.row is not None:
        text += ", row {r}"
        values["r"] = (err.row, "count")
        reason = expected_part(body)
        if reason:
            text += ": " + literal(reason)
    elif dated:
        text += ", the row dated {d}"
        values["d"] = (pd.Timestamp(dated.group(1)), "date")
    return text, values


def input_flags(panel, ticker: str, category: str | None, components: list[str], as_of: pd.Timestamp,
                range_weeks: int) -> list[GuardFlag]:
    """Flags for what a note leaves out because the sources could not read it: the price rows of the fund
    with no Close, its same-category peers refused for bad data (`category` None: the note has no peers to
    compare), and components whose price file was refused."""
    out: list[GuardFlag] = []
    root = getattr(panel.source, "root", None)
    days = panel.price_blank.get(ticker)
    if days is not None and (days <= as_of.to_datetime64()).any():
        days = days[days <= as_of.to_datetime64()]
        since = (as_of - pd.Timedelta(weeks=range_weeks)).to_datetime64()
        out.append(GuardFlag(
            "price_blank_close", f"{literal(panel.source.path_of('prices', ticker))} has {{n}} row(s) with no Close "
            "(the latest dated {d}); they were left out", {"n": (len(days), "count"), "d": (days[-1], "date")},
            touches=bool((days > since).any())))
    if category:
        refused = sorted(t for t in panel.errors
                         if t != ticker and (panel.info.get(t) or {}).get("category") == category)
        for t in refused[:3]:
            where, values = _where(panel.errors[t], root)
            out.append(GuardFlag("peer_unreadable", f"{t}'s data could not be read" + (f" ({where})" if where else "")
                                 + ", so it is left out of the peers", values, about=t))
        if len(refused) > 3:
            out.append(GuardFlag("peer_unreadable", "{n} more funds of its category could not be read and are "
                                 "left out of the peers", {"n": (len(refused) - 3, "count")}))
    for sym in components:
        if sym in panel.errors:
            where, values = _where(panel.errors[sym], root)
            out.append(GuardFlag("component_unreadable", f"{sym}'s prices could not be read"
                                 + (f" ({where})" if where else "") + ", so its price move is left out", values,
                                 about=sym))
    return out
