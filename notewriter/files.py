"""Writing files so that a reader sees the old file or the new one, never a part of either."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_MODE = 0o666 & ~_umask()


def write_atomic(path: str | os.PathLike, data: str | bytes, *, fsync: bool = False) -> Path:
    """Write `data` (text as UTF-8) through a temporary file in the same folder, then rename it into place.

    The file gets the mode a plain `open()` would give it under the process umask (0644 usually), not the
    0600 of a temporary file; `fsync` flushes it to disk before the rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, _MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_staged(path: str | os.PathLike, data: str | bytes) -> None:
    """Write a file of a staged run folder (runs.py): nobody reads the folder until the whole run is
    published by one rename, so the file needs no temporary name of its own; an interrupted run's folder
    is removed whole by the next run. Text is written as UTF-8, as it is."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fh = open(path, "wb")
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(path, "wb")
    with fh:
        fh.write(payload)
