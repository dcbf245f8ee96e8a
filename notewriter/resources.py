"""Locate shipped templates, prompts and samples, in a wheel or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for candidate in (_PKG / "_data" / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"shipped folder {name!r} is missing from the installation")


def templates_dir() -> Path:
    return _find("templates")


def prompts_dir() -> Path:
    return _find("prompts")


def samples_dir() -> Path:
    return _find("samples")
