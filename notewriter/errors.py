"""Exception hierarchy: each error knows its exit code and shows itself as one line, the click way."""

from __future__ import annotations

import click


class NotewriterError(click.ClickException):
    """Base class; `str(err)` is the one line the CLI prints, `exit_code` what the process exits with."""

    exit_code = 2

    def __init__(self, message: str):
        super().__init__(message)

    def show(self, file=None) -> None:
        click.echo(f"notewriter: {self.format_message()}", err=True, file=file)

    def __reduce__(self):  # survives pickling into and out of worker processes, whatever the subclass takes
        return _rebuild, (type(self), self.__dict__.copy())


def _rebuild(cls, state: dict):
    err = Exception.__new__(cls)
    Exception.__init__(err, state.get("message", ""))
    err.__dict__.update(state)
    return err


class UsageError(NotewriterError):
    """The command was asked for something it cannot do (unknown ticker, bad date, a broken template)."""


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
    """A document contains numbers that no fact supports; nothing of it is published."""

    exit_code = 1

    def __init__(self, what: str, findings: list[dict]):
        self.what = what
        self.findings = findings
        bad = [f"{x['text']!r}: {x['reason']}" for x in findings]
        super().__init__(f"not published: {len(bad)} unsupported number(s) in {what}: " + "; ".join(bad))
