"""Drafts into the store, from `write --store` and `batch --store`."""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .store import TOOL, Store


def generator() -> str:
    try:
        return f"notewriter {version('notewriter')}"
    except PackageNotFoundError:
        return "notewriter (source tree)"


def snapshot(source, as_of) -> str:
    """The data a draft was written from: the source's label and path, and the date it was cut at."""
    where = getattr(source, "root", None) or getattr(source, "path", None)
    return f"{source.label} ({where}) as of {as_of}" if where else f"{source.label} as of {as_of}"


def put_drafts(store_path: str | Path, documents: list[str | dict], source, as_of, *,
               auto_approve: bool = False) -> list[tuple[int, int]]:
    """Each document (its JSON) as a new draft or a new version; with `auto_approve`, those whose check
    passed are approved, recorded as such in the audit log. Returns (document id, version) per document."""
    store = Store(store_path)
    try:
        snap, gen = snapshot(source, as_of), generator()
        return [store.add_draft(json.loads(d) if isinstance(d, str) else d, author=TOOL, data_snapshot=snap,
                                generator=gen, auto_approve=auto_approve) for d in documents]
    finally:
        store.close()
