"""Command line: parse, call the pipeline, turn errors into exit codes and one line on stderr."""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

import click

from .errors import NotewriterError

WINDOWS = click.Choice(["1d", "1w", "1m", "ytd"])
FORMATS = click.Choice(["md", "html", "json", "txt"])


def _fail(message: str, code: int) -> None:
    click.echo(f"notewriter: {message}", err=True)
    sys.exit(code)


def handle_errors(fn):
    """NotewriterError -> its exit code and one line; anything else -> one line, exit 3."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except NotewriterError as err:
            _fail(str(err), err.exit_code)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except Exception as err:  # a bug: say so plainly, keep the traceback for those who ask
            if os.environ.get("NOTEWRITER_DEBUG"):
                raise
            _fail(f"internal error: {type(err).__name__}: {err} (set NOTEWRITER_DEBUG=1 for a traceback)", 3)

    return wrapper


def note_options(fn):
    """Options shared by every command that builds a fund's facts."""
    for decorator in reversed([
        click.argument("ticker"),
        click.option("--as-of", "as_of", metavar="YYYY-MM-DD", default=None,
                     help="Date of the note (default: the last date with prices)."),
        click.option("--window", type=WINDOWS, default="1w", show_default=True, help="Flow window."),
        click.option("--data", type=click.Path(file_okay=False, path_type=Path), default=None,
                     help="Data directory (default: the bundled samples)."),
        click.option("--templates", "template_dir", type=click.Path(file_okay=False, path_type=Path),
                     default=None, envvar="NOTEWRITER_TEMPLATES", help="Folder whose templates override the shipped ones."),
    ]):
        fn = decorator(fn)
    return fn


def llm_options(fn):
    """The optional LLM pass: off unless --llm; endpoint and model from options or the environment."""
    for decorator in reversed([
        click.option("--llm", "llm", is_flag=True, help="Let a language model rewrite the sections (checked)."),
        click.option("--llm-model", default=None, help="Model name (default: $NOTEWRITER_LLM_MODEL)."),
        click.option("--llm-base-url", default=None, help="OpenAI-compatible endpoint (default: $OPENAI_BASE_URL)."),
        click.option("--llm-timeout", type=float, default=None, help="Seconds per request (default 60)."),
    ]):
        fn = decorator(fn)
    return fn


def _llm_hook(llm: bool, model: str | None, base_url: str | None, timeout: float | None):
    if not llm:
        return None
    from .llm import LLMSettings, note_hook

    return note_hook(LLMSettings.from_env(model=model, base_url=base_url, timeout=timeout))


def _warn_run(note) -> None:
    warning = (note.run or {}).get("warning")
    if warning:
        click.echo(f"notewriter: warning: {warning}", err=True)


def _as_of(value: str | None):
    if value is None:
        return None
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError:
        from .errors import UsageError

        raise UsageError(f"--as-of: expected a date YYYY-MM-DD, got {value!r}") from None


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text, nl=False)
    else:
        from .publish import write_atomic

        write_atomic(out, text)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="notewriter")
def main() -> None:
    """Checked market notes from ETF flow and price data."""


@main.command()
@note_options
@click.option("--format", "fmt", type=FORMATS, default="md", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write here, not stdout.")
@llm_options
@handle_errors
def write(ticker, as_of, window, data, template_dir, fmt, out, llm, llm_model, llm_base_url, llm_timeout):
    """Write a note about one fund."""
    from .pipeline import open_source, write_note
    from .publish import render_as

    note = write_note(ticker, _as_of(as_of), window, open_source(data), template_dir=template_dir,
                      llm=_llm_hook(llm, llm_model, llm_base_url, llm_timeout))
    _warn_run(note)
    if not note.check["ok"]:
        bad = [f"{x['text']!r}: {x['reason']}" for x in note.check["findings"] if not x.get("matched")]
        _fail(f"not published: {len(bad)} unsupported number(s) in the {ticker.upper()} note: " + "; ".join(bad), 1)
    _emit(render_as(note, fmt), out)


@main.command()
@note_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None)
@llm_options
@handle_errors
def facts(ticker, as_of, window, data, template_dir, out, llm, llm_model, llm_base_url, llm_timeout):
    """Print the facts (and sentiment) a note's numbers are checked against, as JSON."""
    from .pipeline import open_source, write_note

    note = write_note(ticker, _as_of(as_of), window, open_source(data), template_dir=template_dir,
                      llm=_llm_hook(llm, llm_model, llm_base_url, llm_timeout))
    _warn_run(note)
    _emit(json.dumps(note.facts_document(), indent=2, ensure_ascii=False) + "\n", out)


@main.command()
@click.argument("note_path", metavar="NOTE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--facts", "facts_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@handle_errors
def check(note_path, facts_path, as_json):
    """Trace every number in NOTE to a fact; exit 1 if any is unsupported."""
    from .check import check_note
    from .errors import DataError

    try:
        doc = json.loads(facts_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(facts_path, f"expected the JSON printed by 'notewriter facts' ({exc.msg})",
                        row=exc.lineno) from None
    text = note_path.read_text(encoding="utf-8")
    if note_path.suffix == ".json":
        try:
            text = json.loads(text)["markdown"]
        except (json.JSONDecodeError, KeyError, TypeError):
            raise DataError(note_path, "expected a note written with --format json (with a 'markdown' field)") from None
    report = check_note(text, doc)
    click.echo(json.dumps(report.as_dict(), indent=2) if as_json else "\n".join(report.summary_lines()))
    sys.exit(0 if report.ok else 1)


@main.command()
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), default=None)
@handle_errors
def funds(data):
    """List the funds in a data directory, one per line, ticker first."""
    from .pipeline import open_source

    source = open_source(data)
    for ticker in source.funds():
        info = source.fund_info(ticker) or {}
        parts = [ticker, str(info.get("longName") or ""), str(info.get("category") or "")]
        click.echo("\t".join(parts).rstrip())
