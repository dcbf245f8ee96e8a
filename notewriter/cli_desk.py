"""The review desk's commands (`desk`, `desk add-user`) and `feed`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .cli_base import _emit, handle_errors


@click.group(invoke_without_command=True)
@click.option("--store", "store_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The review-desk store (SQLite), as written by write/batch --store.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--four-eyes", is_flag=True, help="The approver may not be the last editor of a document.")
@click.option("--track-store", "track_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="The track record shown beside fund notes (default: the store file itself).")
@click.pass_context
@handle_errors
def desk(ctx, store_path, host, port, four_eyes, track_path):
    """Serve the review desk (or manage its users: desk add-user)."""
    if ctx.invoked_subcommand is not None:
        return
    from .errors import UsageError

    if store_path is None:
        raise UsageError("give the store to serve: notewriter desk --store PATH")
    if not store_path.is_file():
        raise UsageError(f"no store at {store_path}; write drafts into it with write/batch --store first")
    try:
        from .desk.app import serve
    except ImportError as err:
        raise UsageError(f"the desk needs its extra: pip install 'notewriter[desk]' ({err.name} is missing)") from None
    click.echo(f"notewriter desk on http://{host}:{port}/ (store {store_path})", err=True)
    serve(store_path, host, port, four_eyes, track_path)


@desk.command("add-user")
@click.argument("name")
@click.option("--store", "store_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--role", type=click.Choice(["editor", "approver"]), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (one line).")
@handle_errors
def desk_add_user(name, store_path, role, password_stdin):
    """Add a desk user (or reset a user's password and role)."""
    from .desk.auth import hash_password
    from .desk.store import Store
    from .errors import UsageError

    if not password_stdin:
        raise UsageError("give the password on standard input with --password-stdin")
    password = sys.stdin.readline().rstrip("\n")
    store = Store(store_path)
    store.add_user(name, role, hash_password(password))
    store.close()
    click.echo(f"notewriter: {name} ({role}) can now log in to the desk at {store_path}", err=True)


@click.command()
@click.option("--store", "store_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["atom", "rss", "json"]), default="atom", show_default=True)
@click.option("--base-url", required=True, help="Where the HTML notes are served; item links are <base>/<slug>.html.")
@click.option("--title", default="notewriter notes", show_default=True)
@click.option("--kind", type=click.Choice(["fund", "digest"]), default=None)
@click.option("--ticker", default=None)
@click.option("--limit", type=click.IntRange(min=1), default=None)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write here, not stdout.")
@handle_errors
def feed(store_path, fmt, base_url, title, kind, ticker, limit, out):
    """A feed (Atom, RSS or JSON Feed) of the documents published from the desk store."""
    from .desk.store import Store
    from .feeds import render_feed

    store = Store(store_path)
    try:
        _emit(render_feed(store, fmt, base_url, title=title, kind=kind, ticker=ticker, limit=limit), out)
    finally:
        store.close()
