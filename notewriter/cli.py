"""Command line: parse, call the pipeline, turn errors into exit codes and one line on stderr."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


from .cli_base import Group, _emit, _fail, handle_errors, parse_date
from .cli_track import track_store_option

WINDOWS = click.Choice(["1d", "1w", "1m", "ytd"])
FORMATS = click.Choice(["md", "html", "json", "txt", "email", "eml"])


def _templates_default(ctx, param, value):
    from .config import settings

    return value if value is not None else settings().templates


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
                     default=None, callback=_templates_default,
              help="Folder whose templates override the shipped ones (default: $NOTEWRITER_TEMPLATES)."),
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


_CACHE_DIR_OPTION = click.option(
    "--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="yfinance cache (default: $NOTEWRITER_CACHE_DIR or the per-user cache folder).")


def source_options(fn):
    """Where the data comes from: a data directory, or Yahoo Finance through the local cache."""
    for decorator in reversed([
        click.option("--source", "source_kind", type=click.Choice(["data", "yfinance"]), default="data",
                     show_default=True, help="data: the --data directory (default the samples); "
                                             "yfinance: live data, kept in the cache."),
        click.option("--offline", is_flag=True, help="Use only the yfinance cache, never the network "
                                                     "(implies --source yfinance)."),
        _CACHE_DIR_OPTION,
    ]):
        fn = decorator(fn)
    return fn


def _open_source(tickers, as_of, data, source_kind: str, offline: bool, cache_dir):
    """The Source to read, and the as-of date to ask for; yfinance first brings the cache up to date
    (for ``tickers``, or every fund already in the cache when None).

    With yfinance and no --as-of, the note is asked for as of the last closed session, so a
    cache that ends earlier (say, offline) makes the note say its prices end before that.
    """
    from .pipeline import open_source

    if source_kind != "yfinance" and not offline:
        return open_source(data), as_of
    if data is not None:
        from .errors import UsageError

        raise UsageError("--data does not go with --source yfinance or --offline: the yfinance cache is the data "
                         "(choose it with --cache-dir)")
    from datetime import datetime, timezone

    from .sources.cache import ensure_cached
    from .calendar import last_closed_session

    cached = ensure_cached(tickers, as_of, cache_dir, offline)
    for line in cached.result.warnings + list(cached.stale.values()):
        click.echo(f"notewriter: warning: {line}", err=True)
    return cached.source, as_of or last_closed_session(datetime.now(timezone.utc))


def _llm_hook(llm: bool, model: str | None, base_url: str | None, timeout: float | None):
    if not llm:
        return None
    from .llm import LLMSettings, note_hook

    return note_hook(LLMSettings.from_env(model=model, base_url=base_url, timeout=timeout))


def _warn_run(note) -> None:
    warning = (note.run or {}).get("warning")
    if warning:
        click.echo(f"notewriter: warning: {warning}", err=True)


_ASSET_OPTION = click.option(
    "--asset-base-url", default=None, metavar="URL",
    help="With --format email: the http(s) URL the chart PNGs are served from (default: beside the page).")


def _publish(doc, fmt: str, out: Path | None, asset_base_url: str | None) -> None:
    """Write the document; an email's chart PNGs go beside it (so it needs --out)."""
    from .errors import UsageError
    from .files import write_atomic
    from .publish import assets, render_as

    if fmt == "email" and out is None:
        raise UsageError("--format email writes its chart images beside the page: give --out FILE")
    if fmt != "email" and asset_base_url is not None:
        raise UsageError("--asset-base-url goes with --format email")
    _emit(render_as(doc, fmt, asset_base_url), out)
    for name, data in assets(doc, fmt).items():
        write_atomic(out.parent / name, data)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="notewriter")
def main() -> None:
    """Checked market notes from ETF flow and price data."""


def store_options(fn):
    fn = click.option("--auto-approve", is_flag=True,
                      help="With --store: approve drafts whose check passed (recorded in the audit log).")(fn)
    return click.option("--store", "store_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                        help="Also put the drafts in this review-desk store (SQLite), failing ones included.")(fn)


@main.command()
@note_options
@click.option("--format", "fmt", type=FORMATS, default="md", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write here, not stdout.")
@_ASSET_OPTION
@llm_options
@source_options
@store_options
@track_store_option
@handle_errors
def write(ticker, as_of, window, data, template_dir, fmt, out, asset_base_url, llm, llm_model, llm_base_url,
          llm_timeout, source_kind, offline, cache_dir, store_path, auto_approve, track_store):
    """Write a note about one fund."""
    from .pipeline import write_note

    source, as_of = _open_source([ticker], parse_date(as_of), data, source_kind, offline, cache_dir)
    note = write_note(ticker, as_of, window, source, template_dir=template_dir,
                      llm=_llm_hook(llm, llm_model, llm_base_url, llm_timeout), track_store=track_store)
    _warn_run(note)
    if store_path is not None:
        from .desk.intake import put_drafts
        from .document import to_json

        (doc_id, number), = put_drafts(store_path, [to_json(note)], source, note.as_of, auto_approve=auto_approve)
        click.echo(f"notewriter: stored as document {doc_id}, version {number}, in {store_path}", err=True)
    note.require_supported()
    _publish(note, fmt, out, asset_base_url)


@main.command()
@note_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None)
@llm_options
@source_options
@track_store_option
@handle_errors
def facts(ticker, as_of, window, data, template_dir, out, llm, llm_model, llm_base_url, llm_timeout,
          source_kind, offline, cache_dir, track_store):
    """Print the facts (and sentiment) a note's numbers are checked against, as JSON."""
    from .jsontext import dumps_indented
    from .pipeline import write_note

    source, as_of = _open_source([ticker], parse_date(as_of), data, source_kind, offline, cache_dir)
    note = write_note(ticker, as_of, window, source, template_dir=template_dir,
                      llm=_llm_hook(llm, llm_model, llm_base_url, llm_timeout), track_store=track_store)
    _warn_run(note)
    _emit(dumps_indented(note.facts_document()) + "\n", out)


@main.command()
@click.argument("note_path", metavar="NOTE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--facts", "facts_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@handle_errors
def check(note_path, facts_path, as_json):
    """Trace every number in NOTE to a fact; exit 1 if any is unsupported, 2 if NOTE or the facts are not
    what check reads (empty, binary, not UTF-8, not a facts object) or are about different funds."""
    from .check import check_note
    from .check.inputs import read_facts, read_note, require_same_subject

    doc = read_facts(facts_path)
    text, subject = read_note(note_path)
    require_same_subject(doc, subject, note_path, facts_path)
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


@main.command()
@click.argument("tickers", nargs=-1, required=True)
@click.option("--since", metavar="YYYY-MM-DD", default=None,
              help="Fetch history from this date (default: from the last cached session, or five years back).")
@_CACHE_DIR_OPTION
@handle_errors
def fetch(tickers, since, cache_dir):
    """Fetch prices, share counts and fund info from Yahoo Finance into the cache; exit 2 if a ticker failed."""
    from .sources.cache import fetch as fetch_into_cache

    result = fetch_into_cache(tickers, parse_date(since, "--since"), cache_dir)
    for line in result.lines():
        click.echo(line)
    if result.failed:
        names = ", ".join(result.failed)
        _fail(f"fetch failed for {names}; the others are in the cache at {result.cache_dir}"
              if result.ok else f"fetch failed for {names}", 2)


@main.group(name="import")
def import_() -> None:
    """Import vendor files (iShares holdings, flows CSVs) into the yfinance cache."""


@import_.command("holdings")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--ticker", required=True, help="The fund the holdings file is for (the file does not say).")
@_CACHE_DIR_OPTION
@handle_errors
def import_holdings(path, ticker, cache_dir):
    """Import an iShares holdings download (with or without its preamble)."""
    from .sources.importers import import_ishares_holdings

    result = import_ishares_holdings(path, ticker, cache_dir)
    as_of = f" as of {result.as_of.isoformat()}" if result.as_of else ""
    click.echo(f"{result.tickers[0]}: {result.rows} holdings{as_of} -> {result.written[0]}")
    for note in result.notes:
        click.echo(f"notewriter: warning: {note}", err=True)


@import_.command("flows")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_CACHE_DIR_OPTION
@handle_errors
def import_flows(path, cache_dir):
    """Import a flows CSV (date, ticker, flow in USD; common vendor column names accepted)."""
    from .sources.importers import import_flows_csv

    result = import_flows_csv(path, cache_dir)
    click.echo(f"{result.rows} flow row(s) for {', '.join(result.tickers)}, {result.first_date} to "
               f"{result.last_date} -> {result.written[0]}")


@main.command()
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", default=None,
              help="Date of the digest (default: the last date with prices).")
@click.option("--window", type=click.Choice(["1d", "1w", "1m"]), default="1d", show_default=True, help="Flow window.")
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Data directory (default: the bundled samples).")
@click.option("--templates", "template_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              callback=_templates_default,
              help="Folder whose templates override the shipped ones (default: $NOTEWRITER_TEMPLATES).")
@click.option("--format", "fmt", type=FORMATS, default="md", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write here, not stdout.")
@_ASSET_OPTION
@source_options
@llm_options
@handle_errors
def digest(as_of, window, data, template_dir, fmt, out, asset_base_url, source_kind, offline, cache_dir, llm,
           llm_model, llm_base_url, llm_timeout):
    """Write the daily flows digest: leaderboard, headline rotation, its historical analog."""
    from .pipeline import write_digest

    source, as_of = _open_source(None, parse_date(as_of), data, source_kind, offline, cache_dir)
    dg = write_digest(source, as_of, window, template_dir, llm=_llm_hook(llm, llm_model, llm_base_url, llm_timeout))
    _warn_run(dg)
    dg.require_supported()
    _publish(dg, fmt, out, asset_base_url)


@main.command()
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Data directory (default: the bundled samples).")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", default=None,
              help="Date of the notes (default: the last date with prices).")
@click.option("--window", type=WINDOWS, default="1d", show_default=True, help="Flow window.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the notes, the digest and manifest.jsonl.")
@click.option("--formats", default="md,json", show_default=True,
              help="Comma-separated: md, html, json, txt, email, eml.")
@_ASSET_OPTION
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes (with --executor dask and no --scheduler: the LocalCluster's workers).")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where the notes are computed: this machine's processes, or a Dask cluster.")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="With --executor dask: a running scheduler (tcp://HOST:PORT); without, a LocalCluster.")
@click.option("--templates", "template_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              callback=_templates_default,
              help="Folder whose templates override the shipped ones (default: $NOTEWRITER_TEMPLATES).")
@source_options
@llm_options
@store_options
@track_store_option
@handle_errors
def batch(data, as_of, window, out_dir, formats, asset_base_url, jobs, executor, scheduler, template_dir,
          source_kind, offline, cache_dir, llm, llm_model, llm_base_url, llm_timeout, store_path, auto_approve,
          track_store):
    """Write a note for every fund plus the digest; exit 1 if any failed (see manifest.jsonl)."""
    from .batch import run_batch

    source, as_of = _open_source(None, parse_date(as_of), data, source_kind, offline, cache_dir)
    result = run_batch(source, as_of, window, out_dir,
                       formats=[f.strip() for f in formats.split(",") if f.strip()], jobs=jobs,
                       template_dir=template_dir, llm=_llm_hook(llm, llm_model, llm_base_url, llm_timeout),
                       store=store_path, auto_approve=auto_approve, executor=executor, scheduler=scheduler,
                       track_store=track_store, asset_base_url=asset_base_url)
    for row in result.failed:
        click.echo(f"notewriter: {row['ticker']} failed: {row.get('error')}", err=True)
    if result.digest is not None and result.digest["status"] != "ok":
        click.echo(f"notewriter: the digest failed: {result.digest.get('error')}", err=True)
    ok = len(result.rows) - len(result.failed)
    click.echo(f"{ok} of {len(result.rows)} notes written to {out_dir} in {result.timings['total']:.1f}s; "
               f"manifest: {out_dir / 'manifest.jsonl'}", err=True)
    sys.exit(result.exit_code)


@main.group()
def sentiment():
    """Score text, or measure the text scorer on labelled data."""


@sentiment.command("score")
@click.argument("texts", nargs=-1)
@click.option("--input", "input_path", type=click.File("r", encoding="utf-8"), default=None,
              help="Score each line of this file ('-' for stdin).")
@handle_errors
def sentiment_score(texts, input_path):
    """Print one JSON line with score and label per TEXT, or per line of --input."""
    from .errors import UsageError
    from .sentiment.evaluate import score_lines

    if texts and input_path is not None:
        raise UsageError("give TEXT arguments or --input, not both")
    lines = list(texts) if texts else [line for line in input_path] if input_path is not None else None
    if lines is None:
        raise UsageError("nothing to score: give TEXT arguments or --input FILE")
    for row in score_lines(lines):
        click.echo(json.dumps(row, ensure_ascii=False))


def _default_shared() -> Path:
    from .config import settings

    if settings().shared_dir:
        return settings().shared_dir
    for candidate in (Path.cwd().parent / "shared", Path(__file__).resolve().parents[2] / "shared"):
        if (candidate / "data" / "sentiment").is_dir():
            return candidate
    return Path.cwd().parent / "shared"


@sentiment.command("eval")
@click.option("--dataset", type=click.Choice(["twitter", "fiqa"]), required=True)
@click.option("--split", default=None, help="twitter: valid (default) or train; fiqa: test (default) or train.")
@click.option("--shared", "shared_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder holding data/sentiment (default: $NOTEWRITER_SHARED_DIR or ../shared).")
@handle_errors
def sentiment_eval(dataset, split, shared_dir):
    """Macro-F1, per-class F1 and confusion matrix (twitter); correlation with gold scores (fiqa)."""
    from .errors import UsageError
    from .sentiment.evaluate import evaluate_fiqa, evaluate_twitter

    shared_dir = shared_dir or _default_shared()
    if not (shared_dir / "data" / "sentiment").is_dir():
        raise UsageError(f"no labelled data at {shared_dir / 'data' / 'sentiment'}; pass --shared DIR")
    if dataset == "twitter":
        report = evaluate_twitter(shared_dir, split or "valid")
        click.echo(f"dataset   {report['dataset']}")
        click.echo(f"macro-F1  {report['macro_f1']:.3f}")
        for label, f1 in report["per_class_f1"].items():
            click.echo(f"F1 {label:<9} {f1:.3f}")
        labels = list(report["per_class_f1"])
        click.echo("confusion (rows gold, columns predicted): " + " ".join(f"{l[:4]:>6}" for l in labels))
        for label, row in zip(labels, report["confusion"]):
            click.echo(f"  {label:<9} " + " ".join(f"{int(n):>6}" for n in row))
    else:
        report = evaluate_fiqa(shared_dir, split or "test")
        click.echo(json.dumps(report, indent=2))


from .cli_desk import desk, feed  # noqa: E402  (the desk's and the feed's commands, kept in their own module)
from .cli_track import track  # noqa: E402  (the track record's commands, kept in their own module)

main.add_command(desk)
main.add_command(feed)
main.add_command(track)
