"""Secrets out of everything the tool writes: the API key and any credentials in the base URL.

An OpenAI-compatible endpoint can send back what it was sent: error bodies that echo the request headers
(`Authorization: Bearer sk-…`, or `Basic <base64 of user:password>` when the base URL carries credentials),
answers that quote the key. Every output path of the LLM session goes through `redact`: exception and
error text, the warnings kept in `run.warning`, log records, the cache key and its entries. An answer that
holds a secret (`contains_secret`) is not used at all.

What counts as a secret of a `LLMSettings`: the API key; the user name and password of the base URL, as
written (percent-encoded) and decoded; `user:password` and its base64 (standard and URL-safe, padded or
not), the form HTTP Basic authentication sends; and the values of query parameters whose names say key,
token, secret, password or signature. Each is also found when cut short after at least `PREFIX_CHARS`
characters (a message shortened mid-secret still gives that much away). Values shorter than `MIN_CHARS`,
and short values made of letters only (`PLACEHOLDER_CHARS`: the "none", "EMPTY" or "ollama" a local
server takes for a key, a user name such as "admin"), are not searched for: they would match ordinary
words, and an answer that used one would be refused.

Secrets of every session started in the process are remembered (`remember`), so `redact(text)` without
settings, and every log record of the process (a record factory installed on first use), are cleared of
them too.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
import traceback
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

REDACTED = "[redacted]"
MIN_CHARS = 4
PLACEHOLDER_CHARS = 8   # letters-only values shorter than this are placeholders, not secrets
PREFIX_CHARS = 12

_KEYLIKE_PARAM = re.compile(r"key|token|secret|passw|pwd|sig|auth|credential", re.I)

_lock = threading.Lock()
_remembered: set[str] = set()
_factory_installed = False


def secrets_of(settings: Any) -> set[str]:
    """The secret strings of one `LLMSettings` (or anything with `api_key` and `base_url`), in every form
    they can come back in."""
    found: set[str] = set()
    key = getattr(settings, "api_key", None)
    if isinstance(key, str) and key.strip():
        for form in (key, key.strip()):
            found.update({form, quote(form, safe="")})
    url = getattr(settings, "base_url", None)
    if isinstance(url, str) and url:
        found |= _url_secrets(url)
    return {s for s in found if _searchable(s)}


def _searchable(value: str) -> bool:
    return len(value) >= MIN_CHARS and not (len(value) < PLACEHOLDER_CHARS and value.isalpha())


def _url_secrets(url: str) -> set[str]:
    found: set[str] = set()
    try:
        parts = urlsplit(url.strip())
        user, password = parts.username, parts.password
        query = parse_qsl(parts.query, keep_blank_values=False)
    except ValueError:
        return found
    users = {user, unquote(user)} if user else {""}
    passwords = {password, unquote(password)} if password is not None else {None}
    if user or password:
        for u in users:
            found.add(u)
            for p in passwords:
                if p is not None:
                    found.add(p)
                pair = f"{u}:{p or ''}"
                found.add(pair)
                for encode in (base64.b64encode, base64.urlsafe_b64encode):
                    coded = encode(pair.encode("utf-8")).decode("ascii")
                    found.update({coded, coded.rstrip("=")})
    for name, value in query:
        if _KEYLIKE_PARAM.search(name):
            found.update({value, quote(value, safe="")})
    found.discard("")
    return found


def remember(settings: Any) -> None:
    """Keep the secrets of these settings for `redact(text)` without settings and for every log record."""
    secrets = secrets_of(settings)
    if not secrets:
        return
    global _factory_installed
    with _lock:
        _remembered.update(secrets)
        if not _factory_installed:
            _install_record_factory()
            _factory_installed = True


def _all(settings: Any = None) -> frozenset[str]:
    with _lock:
        known = set(_remembered)
    if settings is not None:
        known |= secrets_of(settings)
    return frozenset(known)


class _Finder:
    """Where the secrets are in a text: each whole, or cut short after at least PREFIX_CHARS characters;
    the longest reading wins, so a secret inside a longer one (the password in `user:password`) goes with
    it."""

    def __init__(self, secrets: frozenset[str]):
        self.secrets = secrets
        self.by_head: dict[str, list[str]] = {}
        for secret in secrets:
            self.by_head.setdefault(secret[:PREFIX_CHARS], []).append(secret)
        heads = sorted(self.by_head, key=lambda h: (-len(h), h))
        self.rx = re.compile("|".join(re.escape(h) for h in heads)) if heads else None

    def spans(self, text: str) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        if self.rx is None:
            return out
        pos = 0
        while True:
            m = self.rx.search(text, pos)
            if m is None:
                return out
            start, end = m.start(), m.end()
            for secret in self.by_head[m.group(0)]:
                k = len(m.group(0))
                while k < len(secret) and start + k < len(text) and text[start + k] == secret[k]:
                    k += 1
                end = max(end, start + k)
            out.append((start, end))
            pos = end


_finder_cache: list[_Finder] = []


def _finder(settings: Any = None) -> _Finder:
    secrets = _all(settings)
    cached = _finder_cache[0] if _finder_cache else None
    if cached is not None and cached.secrets == secrets:
        return cached
    finder = _Finder(secrets)
    _finder_cache[:] = [finder]
    return finder


def redact(text: Any, settings: Any = None) -> Any:
    """`text` with every secret (of `settings` and of every session started so far) replaced by
    "[redacted]"; anything that is not a string comes back as it is."""
    if not isinstance(text, str) or not text:
        return text
    spans = _finder(settings).spans(text)
    if not spans:
        return text
    parts, pos = [], 0
    for a, b in spans:
        parts += [text[pos:a], REDACTED]
        pos = b
    parts.append(text[pos:])
    return "".join(parts)


def contains_secret(text: Any, settings: Any = None) -> bool:
    """Whether `text` holds a secret of `settings` (or of a session started so far), whole or cut short."""
    if not isinstance(text, str) or not text:
        return False
    finder = _finder(settings)
    return finder.rx is not None and finder.rx.search(text) is not None


def redact_exception(err: BaseException, settings: Any = None, *, trace: bool = False) -> str:
    """`Type: message` of an exception (its traceback too with `trace`), redacted."""
    if trace:
        text = "".join(traceback.format_exception(type(err), err, err.__traceback__)).rstrip()
    else:
        text = f"{type(err).__name__}: {err}"
    return redact(text, settings)


def without_credentials(url: str) -> str:
    """The URL with its user name and password taken out (host, port, path and query kept)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()


# ---- log records ---------------------------------------------------------------------------------


def _install_record_factory() -> None:
    """Clear every log record of the process of remembered secrets as it is made: its message, and its
    traceback and stack, formatted here, redacted, and kept as text (so no handler formats them again)."""
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        try:
            _clean(record)
        except Exception:  # a record that cannot be formatted is left to the handler to report
            pass
        return record

    logging.setLogRecordFactory(factory)


def _clean(record: logging.LogRecord) -> None:
    message = record.getMessage()
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[1] is not None:
        err = record.exc_info[1]
        record.exc_text = redact("".join(traceback.format_exception(type(err), err, err.__traceback__)).rstrip())
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
