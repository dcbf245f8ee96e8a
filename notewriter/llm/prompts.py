"""The LLM pass's prompts: the versioned Jinja files (override folder first), the data block and the answer schema."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import jinja2

from notewriter import resources

PROMPT_FILES = ("system.j2", "sections.j2", "repair.j2")
SCHEMA_NAME = "note_sections"


class _SetupProblem(Exception):
    """The pass cannot start (prompts unusable); the message is the one-line warning."""


def _data_json(value: Any) -> str:
    """JSON for the data block; '<' and '>' are escaped so no string can close the block's tag."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e")


class _Prompts:
    """The versioned Jinja prompts: override folder first, then the shipped ones."""

    def __init__(self, override: Path | None = None):
        shipped = resources.prompts_dir()
        search = [shipped]
        if override is not None:
            override = Path(override).expanduser()
            if not override.is_dir():
                raise _SetupProblem(f"LLM pass skipped: prompt folder {override} does not exist; used template text")
            search.insert(0, override)
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(path) for path in search]),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters["data_json"] = _data_json
        self.version = self._version(shipped, override)

    @staticmethod
    def _version(shipped: Path, override: Path | None) -> str:
        version_dir = override if override is not None and (override / "VERSION").is_file() else shipped
        try:
            version = (version_dir / "VERSION").read_text(encoding="utf-8").strip() or "unversioned"
        except OSError:
            version = "unversioned"
        if override is not None:
            used = [override / name for name in PROMPT_FILES if (override / name).is_file()]
            if used:
                digest = hashlib.sha256(b"\0".join(path.read_bytes() for path in used)).hexdigest()[:8]
                version += f"+override.{digest}"
        return version

    def render(self, name: str, **context: Any) -> str:
        try:
            return self._env.get_template(name).render(**context).strip()
        except jinja2.TemplateError as err:
            raise _SetupProblem(f"prompt {name} failed to render ({type(err).__name__}: {err})") from err


def _response_schema(keys: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "sections": {
                "type": "object",
                "properties": {key: {"type": "string"} for key in keys},
                "required": list(keys),
                "additionalProperties": False,
            }
        },
        "required": ["sections"],
        "additionalProperties": False,
    }
