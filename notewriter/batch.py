"""Batch: a checked note per fund plus the digest, written atomically, with a manifest line per fund.

One bad fund never stops the others: its error goes to `manifest.jsonl` and the run's exit code is 1.
"""

from __future__ import annotations

import gc
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
from .files import write_atomic
from .publish import FORMATS, render_as
from .sources.base import Source


@dataclass
class BatchResult:
    rows: list[dict] = field(default_factory=list)
    digest: dict | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.rows if r["status"] != "ok"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or (self.digest is not None and self.digest["status"] != "ok") else 0


def _note_row(panel: Panel, source: Source, ticker: str, as_of, window: str, out: Path, formats: tuple[str, ...],
              template_dir, llm: LLMHook | None, settings: Rules) -> dict:
    row: dict = {"ticker": ticker, "status": "ok", "paths": {}}
    try:
        facts = build_facts(ticker, as_of, window, source, settings=settings, panel=panel)
        note = compose(facts, "fund", template_dir=template_dir, llm=llm, rules=settings)
        row["as_of"] = note.as_of.isoformat()
        row["check"] = {"ok": note.check["ok"], "numbers": note.check["numbers"],
                        "unsupported": note.check["unsupported"]}
        if not note.check["ok"]:  # nothing unsupported is published
            bad = [f"{x['text']!r}: {x['reason']}" for x in note.check["findings"] if not x.get("matched")]
            row["status"] = "failed"
            row["error"] = f"not published: {note.check['unsupported']} unsupported number(s): " + "; ".join(bad)
            return row
        for fmt in formats:
            path = out / fmt / f"{ticker}.{fmt}"
            write_atomic(path, render_as(note, fmt))
            row["paths"][fmt] = str(path.relative_to(out))
    except NotewriterError as err:
        row.update(status="failed", error=str(err))
    except Exception as err:  # a bug in one fund's note must not sink the universe
        row.update(status="failed", error=f"internal error: {type(err).__name__}: {err}")
    return row


# worker state for forked processes: set in the parent before the pool starts, inherited by the children
_WORK: dict = {}


def _work_chunk(tickers: list[str]) -> list[dict]:
    w = _WORK
    return [_note_row(w["panel"], w["source"], t, w["as_of"], w["window"], w["out"], w["formats"],
                      w["template_dir"], w["llm"], w["settings"]) for t in tickers]


def run_batch(source: Source, as_of: date | str | None, window: str = "1d", out: str | Path = "out",
              formats: Iterable[str] = ("md", "json"), jobs: int = 1, template_dir=None, llm: LLMHook | None = None,
              settings: Rules | None = None, tickers: list[str] | None = None, digest: bool = True,
              progress: bool | None = None, on_row: Callable[[dict], None] | None = None) -> BatchResult:
    """Notes for every fund (or `tickers`) and the digest into `out`; see the README for the manifest format."""
    from .pipeline import write_digest

    formats = tuple(formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise UsageError(f"unknown format(s) {', '.join(unknown)}; expected some of {', '.join(FORMATS)}")
    settings = settings or Rules()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
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
    if jobs > 1 and len(todo) > 1 and llm is None and hasattr(os, "fork"):
        import multiprocessing as mp

        _WORK.update(panel=panel, source=source, as_of=end, window=window, out=out, formats=formats,
                     template_dir=template_dir, llm=llm, settings=settings)
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
            with mp.get_context("fork").Pool(jobs) as pool:
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
            return _note_row(panel, source, t, end, window, out, formats, template_dir, llm, settings)

        with ThreadPoolExecutor(max_workers=llm.max_concurrency) as pool:
            for row in pool.map(one, todo):
                rows.append(row)
                bar.update(1)
    else:
        for t in todo:
            rows.append(_note_row(panel, source, t, end, window, out, formats, template_dir, llm, settings))
            bar.update(1)
    bar.close()
    result.timings["notes"] = time.perf_counter() - t2
    result.rows = rows

    if digest:
        t3 = time.perf_counter()
        drow: dict = {"ticker": "DIGEST", "status": "ok", "paths": {}}
        try:
            dg = write_digest(source, end, window if window in ("1d", "1w", "1m") else "1w", template_dir,
                              settings=settings, panel=panel, llm=llm)
            drow["as_of"] = dg.as_of.isoformat()
            drow["check"] = {"ok": dg.check["ok"], "numbers": dg.check["numbers"],
                             "unsupported": dg.check["unsupported"]}
            for fmt in formats:
                path = out / fmt / f"digest.{fmt}"
                write_atomic(path, render_as(dg, fmt))
                drow["paths"][fmt] = str(path.relative_to(out))
            if not dg.check["ok"]:
                drow.update(status="failed", error=f"{dg.check['unsupported']} unsupported number(s)")
        except NotewriterError as err:
            drow.update(status="failed", error=str(err))
        except Exception as err:
            drow.update(status="failed", error=f"internal error: {type(err).__name__}: {err}")
        result.digest = drow
        result.timings["digest"] = time.perf_counter() - t3

    lines = [json.dumps({"kind": "note", **r}, ensure_ascii=False, sort_keys=True) for r in rows]
    if result.digest is not None:
        lines.append(json.dumps({"kind": "digest", **result.digest}, ensure_ascii=False, sort_keys=True))
    write_atomic(out / "manifest.jsonl", "\n".join(lines) + "\n")
    result.timings["total"] = time.perf_counter() - t0
    return result
