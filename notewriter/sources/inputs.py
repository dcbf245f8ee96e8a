"""How input files are decoded: UTF-8 first; a file that is not UTF-8 is read in a fallback encoding and the
fallback is said (`ENCODING_WORDS`), never hidden."""

from __future__ import annotations

import codecs
from pathlib import Path

from ..errors import DataError

# how a note names each fallback encoding (no digits: every number in a note must be a fact)
ENCODING_WORDS = {"cp1252": "Windows Western European (ANSI) text", "latin-1": "ISO Western European text",
                  "utf-16": "two-byte Unicode text"}


def decode_text(raw: bytes) -> tuple[str, str | None]:
    """(text, encoding): UTF-8 (a BOM is dropped) gives None; otherwise UTF-16 by its BOM, then cp1252,
    then latin-1 (which decodes any bytes)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    body = raw[3:] if raw.startswith(codecs.BOM_UTF8) else raw
    try:
        return body.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        return body.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return body.decode("latin-1"), "latin-1"


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataError(path, f"the file cannot be read ({exc.strerror or exc})") from None


def encoding_note(name: str, encoding: str | None) -> str | None:
    """The data-quality sentence for a file read in a fallback encoding (None for UTF-8)."""
    if encoding is None:
        return None
    return f"{name} is not Unicode text as expected, so it was read as {ENCODING_WORDS[encoding]}"


__all__ = ["ENCODING_WORDS", "decode_text", "encoding_note", "read_bytes"]
