"""The calls, in SQLite: `track_calls` and `track_meta` tables, in their own file or beside the desk's tables.

The track tables keep their own schema version (`track_meta`, name `schema`), so one SQLite file may hold
the desk's documents and the track record without either migration touching the other's tables. Each
migration takes the track schema from version i to i + 1, like the desk store's.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import UsageError
from .calls import Call

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE track_calls (
        id INTEGER PRIMARY KEY,
        ticker TEXT NOT NULL, category TEXT, as_of TEXT NOT NULL, window TEXT NOT NULL,
        call_type TEXT NOT NULL, direction TEXT NOT NULL, label TEXT NOT NULL, against TEXT,
        flow_usd REAL, horizons TEXT NOT NULL, benchmark TEXT NOT NULL, entry TEXT NOT NULL,
        made_at TEXT NOT NULL, generator TEXT NOT NULL,
        UNIQUE (ticker, as_of, window, call_type)
    );
    CREATE INDEX track_calls_by_date ON track_calls(as_of);
    CREATE TABLE track_runs (
        id INTEGER PRIMARY KEY, at TEXT NOT NULL, data TEXT NOT NULL, date_from TEXT NOT NULL,
        date_to TEXT NOT NULL, window TEXT NOT NULL, dates INTEGER NOT NULL, calls INTEGER NOT NULL,
        failed INTEGER NOT NULL
    );
    """,
)
_COLUMNS = ("ticker", "category", "as_of", "window", "call_type", "direction", "label", "against", "flow_usd",
            "horizons", "benchmark", "entry")


class TrackStore:
    """The calls of one track record; `path` may be the desk's store file."""

    def __init__(self, path: str | Path, create: bool = True):
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise UsageError(f"track store {self.path} does not exist; write it with 'notewriter track build'")
        if self.path.parent and not self.path.parent.exists():
            raise UsageError(f"track store {self.path}: folder {self.path.parent} does not exist")
        try:
            self.db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self._migrate()
        except sqlite3.DatabaseError as err:
            raise UsageError(f"track store {self.path}: {err} (expected a SQLite file)") from None

    def _migrate(self) -> None:
        self.db.execute("CREATE TABLE IF NOT EXISTS track_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        row = self.db.execute("SELECT value FROM track_meta WHERE name = 'schema'").fetchone()
        version = int(row[0]) if row else 0
        if version > len(MIGRATIONS):
            raise UsageError(f"track store {self.path} has track schema {version}; this notewriter knows "
                             f"{len(MIGRATIONS)} (upgrade notewriter)")
        with self.transaction():
            for i in range(version, len(MIGRATIONS)):
                for statement in _statements(MIGRATIONS[i]):
                    self.db.execute(statement)
                self.db.execute("INSERT OR REPLACE INTO track_meta VALUES ('schema', ?)", (str(i + 1),))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self.db.execute("BEGIN IMMEDIATE")
            yield self.db
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> TrackStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- settings of the record ----------------------------------------------------------------

    def meta(self, name: str) -> str | None:
        row = self.db.execute("SELECT value FROM track_meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_meta(self, **values: str) -> None:
        with self.transaction():
            for name, value in values.items():
                self.db.execute("INSERT OR REPLACE INTO track_meta VALUES (?, ?)", (name, value))

    # ---- calls ---------------------------------------------------------------------------------

    def put_calls(self, calls: Iterable[Call], generator: str) -> int:
        """Write calls; a call already recorded for the same fund, date, window and type is replaced."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        rows = [(c.ticker, c.category, c.as_of.isoformat(), c.window, c.call_type, c.direction, c.label, c.against,
                 c.flow_usd, ",".join(str(h) for h in c.horizons), c.benchmark, c.entry, now, generator)
                for c in calls]
        with self.transaction():
            self.db.executemany(f"INSERT OR REPLACE INTO track_calls ({', '.join(_COLUMNS)}, made_at, generator) "
                                f"VALUES ({', '.join('?' * (len(_COLUMNS) + 2))})", rows)
        return len(rows)

    def calls(self, until: date | None = None, ticker: str | None = None,
              call_type: str | None = None) -> list[Call]:
        """Recorded calls made on or before `until`, in date order (then ticker, then type)."""
        where, args = [], []
        if until is not None:
            where.append("as_of <= ?")
            args.append(until.isoformat())
        if ticker is not None:
            where.append("ticker = ?")
            args.append(ticker)
        if call_type is not None:
            where.append("call_type = ?")
            args.append(call_type)
        sql = (f"SELECT {', '.join(_COLUMNS)} FROM track_calls" + (" WHERE " + " AND ".join(where) if where else "")
               + " ORDER BY as_of, ticker, call_type")
        out = []
        for row in self.db.execute(sql, args):
            d = dict(zip(_COLUMNS, row))
            d["as_of"] = date.fromisoformat(d["as_of"])
            d["horizons"] = tuple(int(h) for h in d["horizons"].split(","))
            out.append(Call(**d))
        return out

    def has_calls(self, ticker: str | None = None) -> bool:
        sql = "SELECT 1 FROM track_calls" + (" WHERE ticker = ?" if ticker else "") + " LIMIT 1"
        return self.db.execute(sql, (ticker,) if ticker else ()).fetchone() is not None

    def add_run(self, data: str, date_from: date, date_to: date, window: str, dates: int, calls: int,
                failed: int) -> None:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self.transaction():
            self.db.execute("INSERT INTO track_runs (at, data, date_from, date_to, window, dates, calls, failed) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            (now, data, date_from.isoformat(), date_to.isoformat(), window, dates, calls, failed))


def _statements(script: str) -> list[str]:
    """A migration's statements (executescript would commit the open transaction)."""
    return [s.strip() for s in script.split(";") if s.strip()]


def _read_only_uri(path: str | Path) -> str:
    """A read-only SQLite URI for a file path: the path percent-encoded, so '#', '?' or '%' in a name are
    part of the name and not a fragment, a query or an escape."""
    from urllib.request import pathname2url

    return f"file:{pathname2url(str(Path(path).resolve()))}?mode=ro"


def _holds_track(path: str | Path) -> bool:
    """Whether the SQLite file at `path` has the track tables (opened read-only; sqlite3.Error when it is no
    database)."""
    db = sqlite3.connect(_read_only_uri(path), uri=True)
    try:
        return db.execute("SELECT 1 FROM sqlite_master WHERE name = 'track_calls'").fetchone() is not None
    finally:
        db.close()


def has_track(path: str | Path) -> bool:
    """Whether a SQLite file holds track tables (the desk asks before it shows a record)."""
    try:
        return Path(path).is_file() and _holds_track(path)
    except sqlite3.Error:
        return False


def data_of(source) -> str:
    """The data a track record is built from, as a store records it: a data directory's absolute path."""
    root = getattr(source, "root", None)
    return str(Path(root).resolve()) if root is not None else str(getattr(source, "label", source))


def open_record(path: str | Path, source) -> TrackStore:
    """The track store a note cites, opened for reading: exit 2 when the file is missing, is no track store,
    or holds calls made from other data than the note's (a record of other prices is not this fund's)."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"track store {path} does not exist; write it with 'notewriter track build'")
    try:
        found = _holds_track(path)
    except sqlite3.Error as err:
        raise UsageError(f"track store {path}: {err} (expected a SQLite file)") from None
    if not found:
        raise UsageError(f"{path} holds no track record; write one with 'notewriter track build --store {path}'")
    store = TrackStore(path, create=False)
    recorded, here = store.meta("data"), data_of(source)
    if recorded is not None and recorded != here:
        store.close()
        raise UsageError(f"track store {path} holds calls made from {recorded}, not from {here}: "
                         "a note cites only a record of its own data")
    return store
