"""The batch on Dask: `notewriter batch --executor dask [--scheduler tcp://HOST:PORT]`.

The client builds the universe's panel once (it needs it for the list of funds and the digest), splits the
funds into partitions and submits one task per partition. A task opens the same data directory on its
worker, keeps the panel of that directory and date for the worker's later tasks (the columnar cache is
memory-mapped, so a worker touches the pages of the funds it writes and of their peers and components),
composes and checks each fund's note and returns the rendered files with the manifest row. The client
writes the run folder exactly as the local batch does, so the output is the same bytes.

With no scheduler the batch starts a `LocalCluster` of `--jobs` single-threaded worker processes and closes
it afterwards; with one it submits to that cluster, whose workers must reach the data directory at the
same path and have notewriter installed at the same version.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

import pandas as pd

from .config import Rules
from .errors import UsageError

# partitions per worker: enough to balance uneven funds, few enough that task overhead stays small
_PARTS_PER_WORKER = 4

# per worker process: (data dir, date, window, rules) -> (source, panel), reused by the worker's later tasks
_PANELS: dict = {}


def _panel(root: str, end: pd.Timestamp, window: str, settings: Rules):
    from .facts.build import window_start
    from .facts.panel import panel_for
    from .sources.local import DataDirSource

    key = (root, end, window, settings.model_dump_json())
    kept = _PANELS.get(key)
    if kept is None:
        source = DataDirSource(root)
        panel = panel_for(source, end)
        panel.snapshot(end, window, window_start(end, window), settings)
        kept = (source, panel)
        _PANELS.clear()  # one batch at a time per worker: keep one panel, not every one ever asked for
        _PANELS[key] = kept
    return kept


def notes_task(note_row: Callable[..., dict], tickers: list[str], root: str, job) -> list[dict]:
    """One partition's manifest rows, each with its rendered files under "_files" (path -> text), made by
    the batch's own `note_row` for its `job` (both passed in, so this module does not import the batch that
    imports it)."""
    source, panel = _panel(root, job.as_of, job.window, job.settings)
    return [note_row(panel, source, t, job) for t in tickers]


_CONNECT_SECONDS = 10


def _connect(scheduler: str):
    """A client of the scheduler at `scheduler`, or a UsageError within about _CONNECT_SECONDS: whatever
    answers there (nothing, a web server, garbage) is a scheduler that cannot be reached, not a bug."""
    import threading

    from dask.distributed import Client

    if "://" not in scheduler or not scheduler.split("://", 1)[1]:
        raise UsageError(f"--scheduler {scheduler}: expected a scheduler address such as tcp://HOST:8786")
    got: dict = {}

    def connect() -> None:
        try:
            got["client"] = Client(scheduler, timeout=f"{_CONNECT_SECONDS}s")
        except BaseException as err:  # reported below, whatever it is
            got["error"] = err

    worker = threading.Thread(target=connect, daemon=True)  # a hung handshake must not keep the process
    worker.start()
    worker.join(_CONNECT_SECONDS + 5)
    if "client" in got:
        return got["client"]
    why = got.get("error")
    reason = f"{type(why).__name__}: {why}" if why is not None else f"no answer in {_CONNECT_SECONDS + 5} s"
    raise UsageError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({reason[:200]})")


def _client(scheduler: str | None, workers: int):
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise UsageError("--executor dask needs Dask: pip install 'notewriter[dask]'") from None
    if scheduler:
        return _connect(scheduler), None
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    return Client(cluster), cluster


def run_notes(note_row: Callable[..., dict], source, job, todo: list[str], scheduler: str | None, workers: int,
              done: Callable[[int], None]) -> list[dict]:
    """The rows of `todo`, in its order, computed on a Dask cluster for the batch's `job` (its files come back
    in the rows; a track store it names is read at the same path on every worker)."""
    root = getattr(source, "root", None)
    if root is None:
        raise UsageError("--executor dask reads a data directory (--data, or the bundled samples), "
                         "not live data: fetch it into a directory first")
    client, cluster = _client(scheduler, workers)
    try:
        from dask.distributed import as_completed

        n = max(1, len(client.scheduler_info().get("workers", {})) or workers)
        size = max(1, -(-len(todo) // (n * _PARTS_PER_WORKER)))
        parts = [todo[i:i + size] for i in range(0, len(todo), size)]
        task = replace(job, out=None, template_dir=str(job.template_dir) if job.template_dir is not None else None,
                       track=str(job.track) if job.track is not None else None)
        futures = [client.submit(notes_task, note_row, part, str(Path(root).resolve()), task, pure=False)
                   for part in parts]
        results: dict = {}
        for future in as_completed(futures):
            rows = future.result()
            results[future.key] = rows
            done(len(rows))
        return [row for future in futures for row in results[future.key]]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
