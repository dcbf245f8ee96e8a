"""Exception hierarchy: each error knows its exit code and shows as one line."""

from __future__ import annotations


class NotewriterError(Exception):
    """Base class; `str(err)` is the one line the CLI prints."""

    exit_code = 2


class UsageError(NotewriterError):
    """The command was asked for something it cannot do (unknown ticker, bad date)."""


class DataError(NotewriterError):
    """An input file is malformed; the message names the file, the row and what was expected."""

    def __init__(self, path, message: str, row: int | None = None):
        self.path = str(path)
        self.row = row
        where = f"{self.path}, row {row}" if row is not None else self.path
        super().__init__(f"{where}: {message}")


class SourceUnavailable(NotewriterError):
    """A live data source cannot be reached (network down, rate limited past retries)."""


class CheckFailed(NotewriterError):
    """A note contains numbers that no fact supports."""

    exit_code = 1
