"""Document kinds, declared once: their sections, templates, context and claims, and how they are scored.

A kind is registered by name (`register`), the way calendars are registered in exchange_calendars; the one
compose path (`notewriter.compose`) looks the kind up and never branches on it.
"""

from __future__ import annotations

from . import digest, fund  # noqa: F401  (each registers itself)
from .base import _KINDS, Kind, register


def get(name: str) -> Kind:
    try:
        return _KINDS[name]
    except KeyError:
        raise KeyError(f"unknown document kind {name!r}; known: {', '.join(sorted(_KINDS))}") from None


def names() -> tuple[str, ...]:
    return tuple(sorted(_KINDS))


__all__ = ["Kind", "get", "names", "register"]
