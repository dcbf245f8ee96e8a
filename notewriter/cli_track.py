"""The track-record commands: `track build` records the calls of every note over a range, `track score` scores
them."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .calls import CALL_TYPES
from .cli_base import _emit, handle_errors, parse_date


def _track_store_default(ctx, param, value):
    """$NOTEWRITER_TRACK_STORE when the option is not given (the store is checked where it is opened)."""
    from .config import settings

    return value if value is not None else settings().track_store


def track_store_option(fn):
    """`--track-store PATH` (default $NOTEWRITER_TRACK_STORE): the Contrarian section cites the fund's record."""
    return click.option("--track-store", "track_store", type=click.Path(dir_okay=False, path_type=Path), default=None,
                        callback=_track_store_default,
                        help="Cite the fund's scored record from this track store (default: "
                             "$NOTEWRITER_TRACK_STORE).")(fn)


@click.group()
def track() -> None:
    """The track record: every call the notes make, and how it turned out."""


@track.command("build")
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Data directory (default: the bundled samples).")
@click.option("--from", "date_from", required=True, metavar="YYYY-MM-DD", help="First date to record calls for.")
@click.option("--to", "date_to", required=True, metavar="YYYY-MM-DD", help="Last date to record calls for.")
@click.option("--window", type=click.Choice(["1d", "1w", "1m"]), default="1w", show_default=True,
              help="The notes' window: 1d records every session, 1w each week's last, 1m each month's last.")
@click.option("--store", "store_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The track store (SQLite; may be the desk's store file).")
@click.option("--benchmark", default="SPY", show_default=True,
              help="The broad fund excess returns are measured over, or 'category': the category's other funds.")
@handle_errors
def track_build(data, date_from, date_to, window, store_path, benchmark):
    """Record the calls of every fund's note for each date of a range, each as known on its date; exit 1 when
    some fund could not be read (the others' calls are recorded)."""
    from .pipeline import open_source
    from .track.build import build_track
    from .track.store import TrackStore

    start, end = parse_date(date_from, "--from"), parse_date(date_to, "--to")
    source = open_source(data)
    with TrackStore(store_path) as store:
        result = build_track(source, store, start, end, window,
                             "category" if benchmark.lower() == "category" else benchmark.upper())
    click.echo(f"notewriter: {result.calls} calls from {result.notes} notes on {result.dates} dates in {store_path}",
               err=True)
    for ticker, error in sorted(result.failed.items()):
        click.echo(f"notewriter: {ticker} made no calls: {error}", err=True)
    if result.failed:  # like a batch: the other funds' calls are recorded, and the run says some failed
        sys.exit(1)


@track.command("score")
@click.option("--store", "store_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as-of", "as_of", required=True, metavar="YYYY-MM-DD",
              help="Score the calls whose horizon ended by this date, with prices up to it.")
@click.option("--by", default="call_type", show_default=True,
              help="Comma-separated groups: call_type, category, ticker, window, direction, label.")
@click.option("--format", "fmt", type=click.Choice(["md", "json", "csv"]), default="md", show_default=True)
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Data directory to price the calls from (default: the one the calls were built from).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write here, not stdout.")
@handle_errors
def track_score(store_path, as_of, by, fmt, data, out):
    """Score every recorded call whose horizon ended by --as-of: hit rates, returns, calibration."""
    from .errors import UsageError
    from .pipeline import open_source
    from .track.prices import PriceBook
    from .track.report import FORMATS
    from .track.score import GROUP_KEYS, score_store
    from .track.store import TrackStore, data_of

    day = parse_date(as_of, "--as-of")
    groups = tuple(dict.fromkeys(g.strip() for g in by.split(",") if g.strip()))  # each group once, in order
    bad = [g for g in groups if g not in GROUP_KEYS]
    if bad or not groups:
        raise UsageError(f"--by: unknown group {', '.join(bad) or repr(by)}; expected some of {', '.join(GROUP_KEYS)}")
    with TrackStore(store_path, create=False) as store:
        recorded = store.meta("data")
        where = data if data is not None else recorded
        if where is None:
            raise UsageError(f"{store_path} records no data directory; name one with --data")
        source = open_source(where)
        if recorded is not None and data_of(source) != recorded:
            raise UsageError(f"track store {store_path} holds calls made from {recorded}, not from "
                             f"{data_of(source)}: its calls are scored against their own data")
        result = score_store(store, PriceBook(source, day), day, groups)
    _emit(FORMATS[fmt](result), out)


@track.command("calls")
@click.option("--store", "store_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--ticker", default=None, help="Only this fund's calls.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", default=None, help="Only calls made on or before this date.")
@click.option("--type", "call_type", type=click.Choice(CALL_TYPES), default=None)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write here, not stdout.")
@handle_errors
def track_calls(store_path, ticker, as_of, call_type, out):
    """Print the recorded calls, one JSON object a line, in date order."""
    from .track.store import TrackStore

    until = parse_date(as_of, "--as-of") if as_of is not None else None
    with TrackStore(store_path, create=False) as store:
        calls = store.calls(until=until, ticker=ticker.upper() if ticker else None, call_type=call_type)
    _emit("".join(c.model_dump_json(exclude_none=True) + "\n" for c in calls), out)
