"""Batch: a checked note per fund plus the digest, published as one run, with a manifest line per file set.

Every document is checked before it is written, and only what passed is written; the run is staged in its
own folder and published in one step (notewriter/runs.py), so readers never see a mix of two runs. One bad
fund never stops the others: its error goes to `manifest.jsonl` and the run's exit code is 1.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from . import calendar
from .errors import NotewriterError, UsageError
from .config import Rules
from .facts.build import build_facts
from .facts.panel import Panel, latest_date, panel_for
from .compose import LLMHook, compose, warm_templates
from .document import to_json
from .files import write_atomic, write_staged
from .publish import EXTENSIONS, FORMATS, assets, render_as
from .runs import RunFolder
from .sources.base import Source
from .stages import stage


@dataclass
class BatchResult:
    rows: list[dict] = field(default_factory=list)
    digest: dict | None = None
    timings: dict[str, float] = field(default_factory=dict)
    run_dir: Path | None = None   # the published run's own folder
    as_of: date | None = None

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.rows if r["status"] != "ok"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or (self.digest is not None and self.digest["status"] != "ok") else 0


@dataclass(frozen=True)
class NoteJob:
    """What every fund note of one batch shares: its date and window, where and in which formats it is
    written (`out` None: the files stay in the row, for the process that writes the run folder), how it is
    composed, and whether the row keeps the document for the desk."""

    as_of: pd.Timestamp
    window: str
    out: Path | None
    formats: tuple[str, ...]
    template_dir: object = None
    llm: LLMHook | None = None
    settings: Rules = field(default_factory=Rules)
    keep: bool = False
    track: str | Path | None = None
    asset_base_url: str | None = None


def _note_row(panel: Panel, source: Source, ticker: str, job: NoteJob) -> dict:
    """A fund's manifest row, its files written into `job.out` (or, with None, kept in the row's "_files")."""
    row: dict = {"ticker": ticker, "status": "ok", "paths": {}}
    try:
        with stage("facts"):
            facts = build_facts(ticker, job.as_of, job.window, source, settings=job.settings, panel=panel)
            if job.track is not None:  # the fund's scored record, for the Contrarian section to cite
                from .track.record import with_track_record

                facts = with_track_record(facts, job.track, source, job.settings)
        note = compose(facts, "fund", template_dir=job.template_dir, llm=job.llm, rules=job.settings)
        if job.keep:  # for the store: every draft, the failing ones too, so editors can fix them
            row["_document"] = to_json(note)
        row["as_of"] = note.as_of.isoformat()
        row["check"] = {"ok": note.check["ok"], "numbers": note.check["numbers"],
                        "unsupported": note.check["unsupported"]}
        if not note.check["ok"]:  # nothing unsupported is published
            bad = [f"{x['text']!r}: {x['reason']}" for x in note.check["findings"] if not x.get("matched")]
            row["status"] = "failed"
            row["error"] = f"not published: {note.check['unsupported']} unsupported number(s): " + "; ".join(bad)
            return row
        with stage("write"):
            _write(note, ticker, job.out, job.formats, row, job.asset_base_url)
    except NotewriterError as err:
        row.update(status="failed", error=str(err))
    except Exception as err:  # a bug in one fund's note must not sink the universe
        row.update(status="failed", error=f"internal error: {type(err).__name__}: {err}")
    return row


def _write(doc, name: str, out: Path | None, formats: tuple[str, ...], row: dict,
           asset_base_url: str | None = None) -> None:
    """Every format of a checked document into the run folder, an email's chart PNGs beside it (or into the
    row's "_files" when `out` is None); paths and content hashes into its row."""
    row["sha256"] = {}
    for fmt in formats:
        text = render_as(doc, fmt, asset_base_url)
        relative = f"{fmt}/{name}.{EXTENSIONS.get(fmt, fmt)}"
        _put(out, relative, text, row)
        row["paths"][fmt] = relative
        row["sha256"][fmt] = hashlib.sha256(text.encode("utf-8")).hexdigest()
        for file_name, data in assets(doc, fmt).items():
            _put(out, f"{fmt}/{file_name}", data, row)
            row.setdefault("assets", {}).setdefault(fmt, []).append(f"{fmt}/{file_name}")


def _put(out: Path | None, relative: str, data: str | bytes, row: dict) -> None:
    if out is None:
        row.setdefault("_files", {})[relative] = data
    else:
        write_staged(out / relative, data)


# worker state for forked processes: set in the parent before the pool starts, inherited by the children
_WORK: dict = {}


def _worker_init(parent: int) -> None:
    """A worker dies with the batch that started it: the kernel signals it when the parent goes (Linux),
    and it checks before each note elsewhere."""
    _WORK["parent"] = parent
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


def _work_chunk(tickers: list[str]) -> list[dict]:
    w = _WORK
    rows = []
    for t in tickers:
        if os.getppid() != w["parent"]:
            os._exit(1)  # orphaned: nothing this worker writes could be published
        rows.append(_note_row(w["panel"], w["source"], t, w["job"]))
    return rows


def run_batch(source: Source, as_of: date | str | None, window: str = "1d", out: str | Path = "out",
              formats: Iterable[str] = ("md", "json"), jobs: int = 1, template_dir=None, llm: LLMHook | None = None,
              settings: Rules | None = None, tickers: list[str] | None = None, digest: bool = True,
              progress: bool | None = None, on_row: Callable[[dict], None] | None = None,
              store: str | Path | None = None, auto_approve: bool = False, executor: str = "local",
              scheduler: str | None = None, track_store: str | Path | None = None,
              asset_base_url: str | None = None) -> BatchResult:
    """Notes for every fund (or `tickers`) and the digest, published into `out` as one run (see the README for
    the run folder and the manifest). `executor="dask"` computes the notes on a Dask cluster (`scheduler`, or
    a LocalCluster of `jobs` workers) and writes the same files."""
    formats = tuple(formats)
    if executor not in ("local", "dask"):
        raise UsageError(f"unknown executor {executor!r}; expected local or dask")
    if scheduler is not None and executor != "dask":
        raise UsageError("--scheduler goes with --executor dask")
    if executor == "dask" and llm is not None:
        raise UsageError("--executor dask does not run the LLM pass; use the local executor with --llm")
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise UsageError(f"unknown format(s) {', '.join(unknown)}; expected some of {', '.join(FORMATS)}")
    if not formats:
        raise UsageError(f"--formats: name at least one of {', '.join(FORMATS)}")
    if "email" in formats:
        from .mail import asset_url

        asset_url(asset_base_url)  # a bad URL stops the run before anything is written
    elif asset_base_url is not None:
        raise UsageError("--asset-base-url goes with the email format")
    settings = settings or Rules()
    if track_store is not None:  # a missing, broken or foreign track store stops the run before it starts
        from .track.store import open_record

        open_record(track_store, source).close()
    with RunFolder(out) as folder:
        result = _run(folder, source, as_of, window, formats, jobs, template_dir, llm, settings, tickers, digest,
                      progress, on_row, store is not None, track_store, (executor, scheduler), asset_base_url)
    if store is not None:  # after the run is published: the desk sees what readers see, and the failures
        from .desk.intake import put_drafts

        docs = [r.pop("_document") for r in result.rows + [result.digest or {}] if "_document" in r]
        put_drafts(store, docs, source, result.as_of, auto_approve=auto_approve)
    return result


def _run(folder: RunFolder, source: Source, as_of, window: str, formats: tuple[str, ...], jobs: int, template_dir,
         llm: LLMHook | None, settings: Rules, tickers: list[str] | None, digest: bool, progress: bool | None,
         on_row: Callable[[dict], None] | None, keep: bool = False, track=None,
         executor: tuple[str, str | None] = ("local", None), asset_base_url: str | None = None) -> BatchResult:
    from .pipeline import write_digest

    result = BatchResult()
    t0 = time.perf_counter()
    last = latest_date(source)
    requested = pd.Timestamp(as_of) if as_of is not None else (last if last is not None else pd.Timestamp.today())
    end = calendar.session_on_or_before(requested)
    panel = panel_for(source, end)  # as known at the batch's date: nothing dated later is read
    result.timings["load"] = time.perf_counter() - t0
    known = set(panel.info) | set(panel.tickers)
    all_funds = sorted(set(panel.funds) | {t for t in panel.errors if t in known}
                       | set(panel.listed_funds if tickers is None else []))
    todo = [t.upper() for t in tickers] if tickers is not None else all_funds
    out = folder.stage(f"{end.date().isoformat()}-{window}")

    # facts for the universe in vectorized passes: warm every window's snapshot once, before any fork
    t1 = time.perf_counter()
    from .facts.build import window_start

    panel.snapshot(end, window, window_start(end, window), settings)
    result.timings["facts"] = time.perf_counter() - t1

    if progress is None:
        progress = sys.stderr.isatty()
    from tqdm import tqdm

    bar = tqdm(total=len(todo), unit="note", disable=not progress, file=sys.stderr)
    t2 = time.perf_counter()
    rows: list[dict] = []
    job = NoteJob(end, window, out, formats, template_dir, llm, settings, keep, track, asset_base_url)
    if executor[0] == "dask":
        from .distributed import run_notes

        rows = run_notes(_note_row, source, job, todo, executor[1], jobs, bar.update)
        for row in rows:  # the client writes the run folder, as the local batch's workers do
            for relative, text in row.pop("_files", {}).items():
                write_staged(out / relative, text)
    elif jobs > 1 and len(todo) > 1 and llm is None and hasattr(os, "fork"):
        import multiprocessing as mp

        _WORK.update(panel=panel, source=source, job=job)
        warm_templates(template_dir)  # compiled once here, inherited by every worker
        for fmt in formats:
            (out / fmt).mkdir(parents=True, exist_ok=True)
        size = max(1, min(64, len(todo) // (jobs * 8) or 1))
        chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
        # the panel's arrays are shared with the workers page for page; freezing the objects that exist now
        # keeps the workers' garbage collector from touching (and so copying) the pages that hold them
        gc.collect()
        gc.freeze()
        try:
            with mp.get_context("fork").Pool(jobs, initializer=_worker_init, initargs=(os.getpid(),)) as pool:
                for part in pool.imap(_work_chunk, chunks):
                    rows.extend(part)
                    bar.update(len(part))
        finally:
            gc.unfreeze()
        _WORK.clear()
    elif llm is not None and getattr(llm, "max_concurrency", 1) > 1 and len(todo) > 1:
        # the LLM pass waits on the network: a bounded pool of threads keeps that many requests in flight
        from concurrent.futures import ThreadPoolExecutor

        def one(t: str) -> dict:
            return _note_row(panel, source, t, job)

        with ThreadPoolExecutor(max_workers=llm.max_concurrency) as pool:
            for row in pool.map(one, todo):
                rows.append(row)
                bar.update(1)
    else:
        for t in todo:
            rows.append(_note_row(panel, source, t, job))
            bar.update(1)
    bar.close()
    result.timings["notes"] = time.perf_counter() - t2
    result.rows = rows

    if digest:
        t3 = time.perf_counter()
        dwin = window if window in ("1d", "1w", "1m") else "1w"  # a digest covers at most a month
        drow: dict = {"ticker": "DIGEST", "status": "ok", "paths": {}, "window": dwin}
        try:
            dg = write_digest(source, end, dwin, template_dir,
                              settings=settings, panel=panel, llm=llm)
            drow["as_of"] = dg.as_of.isoformat()
            drow["check"] = {"ok": dg.check["ok"], "numbers": dg.check["numbers"],
                             "unsupported": dg.check["unsupported"]}
            if keep:
                drow["_document"] = to_json(dg)
            if dg.check["ok"]:  # checked first: nothing unsupported is written
                _write(dg, "digest", out, formats, drow, asset_base_url)
            else:
                bad = [f"{x['text']!r}: {x['reason']}" for x in dg.check["findings"] if not x.get("matched")]
                drow.update(status="failed", error=f"not published: {dg.check['unsupported']} unsupported "
                            "number(s): " + "; ".join(bad))
        except NotewriterError as err:
            drow.update(status="failed", error=str(err))
        except Exception as err:
            drow.update(status="failed", error=f"internal error: {type(err).__name__}: {err}")
        result.digest = drow
        result.timings["digest"] = time.perf_counter() - t3

    def public(r: dict) -> dict:
        return {k: v for k, v in r.items() if not k.startswith("_")}

    lines = [json.dumps({"kind": "note", "window": window, **public(r)}, ensure_ascii=False, sort_keys=True)
             for r in rows]
    if result.digest is not None:
        lines.append(json.dumps({"kind": "digest", **public(result.digest)}, ensure_ascii=False, sort_keys=True))
    write_atomic(out / "manifest.jsonl", "\n".join(lines) + "\n")
    for fmt in formats:
        (out / fmt).mkdir(exist_ok=True)
    folder.publish([*formats, "manifest.jsonl"])
    result.run_dir, result.as_of = out, end.date()
    result.timings["total"] = time.perf_counter() - t0
    return result
