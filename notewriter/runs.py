"""A batch's output folder: each run is written whole into its own folder, then published in one step.

    OUT/
      .lock                 held by the batch writing here (the holder's pid and start in .lock.info)
      .runs/<run id>/       one folder per run: md/, json/, ..., manifest.jsonl
      current -> .runs/<run id>            swapped in one rename when a run is complete
      md -> current/md, json -> current/json, manifest.jsonl -> current/manifest.jsonl

A reader sees the previous run or the new one, never a mix (resolve `current` once to read several
files of one run); an interrupted run is never published, and the next batch removes what it left.
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import socket
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import UsageError

RUNS, CURRENT, LOCK = ".runs", "current", ".lock"


class RunFolder:
    """The output folder of batches: lock it, stage a run, publish it."""

    def __init__(self, out: str | os.PathLike):
        self.out = Path(out)
        self._lock: FileLock | None = None
        self.staging: Path | None = None

    # ---- the lock ------------------------------------------------------------------------------

    def __enter__(self) -> RunFolder:
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            lock = FileLock(self.out / LOCK, timeout=0)
            lock.acquire()
        except Timeout:
            raise UsageError(f"another batch is writing to {self.out} ({self._holder()}); wait for it to finish "
                             "or choose another --out") from None
        except OSError as err:
            raise UsageError(f"cannot write to --out {self.out}: {err.strerror or err}") from None
        self._lock = lock
        info = {"pid": os.getpid(), "host": socket.gethostname(), "user": _user(),
                "started": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        (self.out / (LOCK + ".info")).write_text(json.dumps(info) + "\n", encoding="utf-8")
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.staging is not None:  # not published: nothing of it stays
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None
        if self._lock is not None:
            (self.out / (LOCK + ".info")).unlink(missing_ok=True)
            self._lock.release()
            self._lock = None

    def _holder(self) -> str:
        try:
            info = json.loads((self.out / (LOCK + ".info")).read_text(encoding="utf-8"))
            return f"pid {info['pid']} on {info['host']}, started {info['started']}"
        except (OSError, ValueError, KeyError, TypeError):
            return "holder unknown"

    # ---- staging and publishing ------------------------------------------------------------------

    def stage(self, label: str) -> Path:
        """A fresh folder for this run's files; runs left by an interrupted batch are removed first."""
        runs = self.out / RUNS
        runs.mkdir(exist_ok=True)
        keep = self.published()
        for old in runs.iterdir():
            if keep is None or old.resolve() != keep:
                shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        self.staging = runs / f"{label}-{stamp}-{os.getpid()}"
        self.staging.mkdir()
        return self.staging

    def published(self) -> Path | None:
        """The run folder readers see now, or None before the first run."""
        link = self.out / CURRENT
        return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None

    def publish(self, entries: list[str]) -> Path:
        """Point `current` at the staged run in one rename, then the top-level `entries` (format folders,
        the manifest) at `current`; entries of earlier runs that this one lacks are removed."""
        assert self.staging is not None
        run = self.staging
        tmp = self.out / f".{CURRENT}.{os.getpid()}.tmp"
        tmp.unlink(missing_ok=True)
        os.symlink(os.path.join(RUNS, run.name), tmp)
        os.replace(tmp, self.out / CURRENT)
        self.staging = None
        for name in entries:
            _link(self.out / name, os.path.join(CURRENT, name))
        for child in self.out.iterdir():
            if child.is_symlink() and child.name not in entries and child.name != CURRENT \
                    and os.readlink(child).startswith(CURRENT + os.sep):
                child.unlink()
        return run


def _link(path: Path, target: str) -> None:
    """`path` becomes a symlink to `target`; a real folder or file of an older layout there is replaced."""
    if path.is_symlink() and os.readlink(path) == target:
        return
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, path)


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment
        return "unknown"


__all__ = ["RunFolder"]
