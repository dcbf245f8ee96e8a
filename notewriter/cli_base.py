"""What every command shares: one line on stderr and an exit code for each kind of failure, and output to
stdout or a file."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click


def _fail(message: str, code: int) -> None:
    click.echo(f"notewriter: {message}", err=True)
    sys.exit(code)


# Exit status when the reader of our output went away (`notewriter funds | head -1`): what a process killed
# by SIGPIPE reports, 128 + 13, so `set -o pipefail` sees it as the shell would.
EXIT_BROKEN_PIPE = 141


def _output_gone() -> bool:
    """Whether stdout or stderr is a pipe whose reader has closed it (poll reports an error on it)."""
    try:
        import select

        poll = select.poll()
        for stream in (sys.stdout, sys.stderr):
            poll.register(stream.fileno(), select.POLLOUT)
        return any(events & (select.POLLERR | select.POLLHUP) for _, events in poll.poll(0))
    except (AttributeError, OSError, ValueError):  # no poll, or streams without a descriptor: cannot tell
        return True


def _quiet_exit_on_broken_pipe() -> None:
    """Stop without a word: the reader has what it wanted. Later writes (Python flushes stdout at exit) go
    to /dev/null instead of raising again."""
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
            os.close(devnull)
        except (OSError, ValueError):
            pass
    sys.exit(EXIT_BROKEN_PIPE)


def handle_errors(fn):
    """NotewriterError shows itself (click does that, with its exit code); a closed output pipe ends the
    command quietly (EXIT_BROKEN_PIPE); anything else is a bug: one line, exit 3."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except BrokenPipeError as err:
            if _output_gone():
                _quiet_exit_on_broken_pipe()
            _internal_error(err)
        except Exception as err:  # a bug: say so plainly, keep the traceback for those who ask
            _internal_error(err)

    return wrapper


class Group(click.Group):
    """The command group, with one change to click's standalone handling: an interrupt is exit 130 with
    "interrupted" wherever it lands (click would say "Aborted!" and exit 1 when it lands while the
    arguments are parsed, before a command's own handler is running)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.Abort as err:
            if isinstance(err.__cause__, KeyboardInterrupt):
                _fail("interrupted", 130)
            click.echo("Aborted!", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except click.ClickException as err:
            err.show()
            sys.exit(err.exit_code)
        except click.exceptions.Exit as err:
            sys.exit(err.exit_code)
        # without standalone mode click returns ctx.exit()'s code, or the command's own return value
        sys.exit(code if isinstance(code, int) else 0)


def _internal_error(err: Exception) -> None:
    from .config import settings
    from .redact import redact

    if settings().debug:
        raise err
    _fail(redact(f"internal error: {type(err).__name__}: {err} (set NOTEWRITER_DEBUG=1 for a traceback)"), 3)


def parse_date(value: str | None, option: str = "--as-of"):
    """A YYYY-MM-DD option's date (None when it was not given); anything else is a usage error naming it."""
    if value is None:
        return None
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError:
        from .errors import UsageError

        raise UsageError(f"{option}: expected a date YYYY-MM-DD, got {value!r}") from None


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text, nl=False)
    else:
        from .files import write_atomic

        write_atomic(out, text)
