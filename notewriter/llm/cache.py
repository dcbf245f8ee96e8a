"""Model answers cached on disk, keyed by model, prompt version, endpoint, temperature and messages.

No secret reaches the cache: the endpoint in the key is the base URL with its credentials taken out
(notewriter.redact), and an entry that holds one is not written.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from notewriter import redact as _redact
from notewriter.config import LLMSettings

log = logging.getLogger(__name__)

_CACHE_FORMAT = 1


class _Cache:
    """Model answers on disk, one JSON file per request, written atomically."""

    def __init__(self, root: Path):
        self.root = root

    @staticmethod
    def key(settings: LLMSettings, prompt_version: str, messages: list[dict[str, str]]) -> str:
        material = {
            "model": settings.model,
            "prompt_version": prompt_version,
            # credentials in the URL neither shape the key nor leak through it (a hash of a weak password
            # can be guessed back); an endpoint is the same endpoint whoever logs in
            "base_url": _redact.redact(_redact.without_credentials(settings.endpoint), settings),
            "temperature": settings.temperature,
            "messages": messages,
        }
        blob = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        path = self._path(key)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as err:
            log.warning("ignoring unreadable LLM cache entry %s: %s", path, err)
            return None
        if not isinstance(entry, dict) or entry.get("format") != _CACHE_FORMAT or not isinstance(entry.get("content"), str):
            return None
        return entry

    def put(self, key: str, entry: dict[str, Any]) -> None:
        path = self._path(key)
        blob = json.dumps({"format": _CACHE_FORMAT, **entry}, ensure_ascii=False)
        if _redact.contains_secret(blob):
            log.warning("not caching LLM answer %s: it holds a credential", key[:12])
            return
        tmp: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(blob)
            os.replace(tmp, path)
            tmp = None
        except OSError as err:
            log.warning("could not write LLM cache entry %s: %s", path, err)
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
