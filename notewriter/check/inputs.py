"""What `notewriter check` is given: a note and a facts document, each refused in one line (exit 2) when it
is not what was expected, and the two refused together when they are about different funds."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..errors import DataError, UsageError

NOTE_EXPECTED = ("a note in UTF-8 text (Markdown, HTML or plain text, or the JSON of "
                 "'notewriter write --format json')")
FACTS_EXPECTED = "the JSON object printed by 'notewriter facts'"


def _read(path: Path, expected: str) -> str:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise DataError(path, f"cannot read it ({err.strerror or type(err).__name__})") from None
    if b"\x00" in raw:
        raise DataError(path, f"expected {expected}; this is a binary file") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DataError(path, f"expected {expected}; byte 0x{raw[err.start]:02x} at offset {err.start} is not "
                              "UTF-8 (latin-1 or another encoding? save it as UTF-8)") from None


def _what(value: object) -> str:
    if value is None:
        return "null"
    return {bool: "true or false", int: "a number", float: "a number", str: "a string", list: "a list"}.get(
        type(value), type(value).__name__)


def read_facts(path: Path) -> dict:
    """The facts document at `path`: a JSON object with a "facts" object."""
    text = _read(path, FACTS_EXPECTED).removeprefix("\ufeff")
    if not text.strip():
        raise DataError(path, f"expected {FACTS_EXPECTED}; the file is empty")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(path, f"expected {FACTS_EXPECTED} ({exc.msg})", row=exc.lineno) from None
    if not isinstance(doc, dict):
        raise DataError(path, f"expected {FACTS_EXPECTED}, got {_what(doc)}")
    if not isinstance(doc.get("facts"), dict):
        found = "no \"facts\"" if "facts" not in doc else f"\"facts\" as {_what(doc['facts'])}"
        raise DataError(path, f"expected {FACTS_EXPECTED} (an object with a \"facts\" object), got one with {found}")
    return doc


def read_note(path: Path) -> tuple[str, str | None]:
    """The note's text and the fund it says it is about (None when it does not say, as a digest does)."""
    text = _read(path, NOTE_EXPECTED)
    subject = None
    if path.suffix.lower() == ".json":
        try:
            doc = json.loads(text)
            text = doc["markdown"]
        except (json.JSONDecodeError, KeyError, TypeError):
            raise DataError(path, "expected a note written with --format json (with a 'markdown' field)") from None
        if not isinstance(text, str):
            raise DataError(path, f"expected a note written with --format json, whose 'markdown' is text, "
                                  f"got {_what(text)}")
        subject = doc.get("ticker") if isinstance(doc.get("ticker"), str) else None
    if path.suffix.lower() == ".eml":
        text = _eml_body(text, path)
    if not text.strip():
        raise DataError(path, "no text to check")
    return text, subject or note_subject(text)


def _eml_body(raw: str, path: Path) -> str:
    """The HTML part of a message written with --format eml (its plain text when it has no HTML)."""
    import email
    from email import policy

    body = email.message_from_string(raw, policy=policy.default).get_body(preferencelist=("html", "plain"))
    if body is None:
        raise DataError(path, "expected a message written with --format eml, with an HTML or a text part")
    return body.get_content()


# The title every fund note starts with ("IJR: estimated $399.4 million net outflow ..."), as a Markdown
# heading, a plain-text first line or the HTML title.
_TICKER = r"[A-Z][A-Z0-9.\-]{0,9}"
_TITLE_LINE = re.compile(rf"\s*(?:#+\s*)?({_TICKER}):\s")
_HTML_TITLE = re.compile(rf"<(?:title|h1)\b[^>]*>\s*({_TICKER}):\s", re.I)


def note_subject(text: str) -> str | None:
    """The ticker a fund note's title names ("IJR: ..." in one of its first lines, or its HTML title), when
    the note also names it in parentheses ("... ETF (IJR)"); None for a note without such a title (a
    digest, an editor's rewrite). A line such as "NOTE: draft" names no fund the note speaks of."""
    head = text[:4096]
    candidates = [m.group(1) for m in _HTML_TITLE.finditer(head)] if "<" in head else []
    for line in head.splitlines()[:6]:
        m = _TITLE_LINE.match(line)
        if m:
            candidates.append(m.group(1))
    return next((ticker for ticker in candidates if f"({ticker}" in text), None)


def require_same_subject(doc: dict, subject: str | None, note_path: Path, facts_path: Path) -> None:
    """Refuse to check a fund's note against another fund's facts: every number would come out unsupported."""
    facts_for = doc.get("ticker") if isinstance(doc.get("ticker"), str) else None
    if subject and facts_for and subject != facts_for:
        raise UsageError(f"these facts are for {facts_for}; the note is about {subject} ({facts_path}, {note_path}); "
                         f"check it against 'notewriter facts {subject}'")
