"""One pass against one endpoint: request options, response formats, retries, failure wording, usage totals."""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
import weakref
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import tenacity

from notewriter import redact as _redact
from notewriter.config import LLMSettings, user_cache_dir

from .cache import _Cache
from .parse import _first_json_object, _one_line
from .prompts import SCHEMA_NAME, _response_schema
from .steps import _Outcome, _Reply, _Request

log = logging.getLogger(__name__)

# Tried in this order; an endpoint that rejects one (HTTP 400/422) gets the next.
RESPONSE_FORMATS = ("json_schema", "json_object", "none")
# A server-sent Retry-After is honoured up to this many seconds.
RETRY_AFTER_CAP = 60.0

# Which response_format each endpoint accepted, so later requests skip the rejected ones.
_FORMAT_BY_ENDPOINT: dict[str, str] = {}
_FORMAT_LOCK = threading.Lock()


def _display_url(url: str) -> str:
    """The URL without credentials or query, for warnings."""
    try:
        parts = urlsplit(url)
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
    except ValueError:  # a port that is no number
        return _redact.redact(_redact.without_credentials(url))
    return urlunsplit((parts.scheme, netloc, parts.path, "", "")) if netloc else _redact.redact(url)


def _retry_after(err: BaseException) -> float | None:
    response = getattr(err, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            seconds = float(raw) * scale
        except ValueError:
            continue
        if 0 <= seconds <= RETRY_AFTER_CAP:
            return seconds
    return None


class _Session:
    """One pass against one endpoint: request options, cache, retry policy, failure wording and usage totals."""

    def __init__(self, settings: LLMSettings, prompt_version: str):
        _redact.remember(settings)  # from here on no message, log record or cache entry carries them
        self.settings = settings
        self.prompt_version = prompt_version
        self.display = _display_url(settings.endpoint)
        self.cache = _Cache(settings.cache_dir or user_cache_dir("llm")) if settings.cache else None
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.latency = 0.0
        self.sent = 0
        self.hits = 0

    # -- before sending
    def lookup(self, request: _Request) -> tuple[str | None, _Reply | None]:
        if self.cache is None:
            return None, None
        key = _Cache.key(self.settings, self.prompt_version, request.messages)
        entry = self.cache.get(key)
        if entry is None or self.holds_secret(entry["content"]):
            return key, None
        self.hits += 1
        log.debug("LLM cache hit %s (%s)", key[:12], request.stage)
        return key, _Reply(content=entry["content"])

    def formats(self) -> tuple[str, ...]:
        with _FORMAT_LOCK:
            start = _FORMAT_BY_ENDPOINT.get(self.settings.endpoint, RESPONSE_FORMATS[0])
        return RESPONSE_FORMATS[RESPONSE_FORMATS.index(start) :]

    def create_kwargs(self, request: _Request, mode: str) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"model": self.settings.model, "messages": request.messages}
        if self.settings.temperature is not None:
            kwargs["temperature"] = self.settings.temperature
        if mode == "json_schema":
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": _response_schema(request.keys)},
            }
        elif mode == "json_object":
            kwargs["response_format"] = {"type": "json_object"}
        return kwargs

    def retry_policy(self) -> dict[str, Any]:
        return {
            "stop": tenacity.stop_after_attempt(self.settings.max_retries + 1),
            "wait": self._wait,
            "retry": tenacity.retry_if_exception(_is_transient),
            "reraise": True,
            "before_sleep": self._before_sleep,
        }

    def _wait(self, state: tenacity.RetryCallState) -> float:
        err = state.outcome.exception() if state.outcome else None
        hinted = _retry_after(err) if err is not None else None
        if hinted is not None:
            return hinted
        delay = min(self.settings.backoff * 2 ** (state.attempt_number - 1), self.settings.backoff_max)
        return delay * (1 - 0.25 * random.random())

    def _before_sleep(self, state: tenacity.RetryCallState) -> None:
        err = state.outcome.exception() if state.outcome else None
        log.info(self.redact(f"LLM request to {self.display} failed ({_describe(err)}); retry {state.attempt_number}"))

    @staticmethod
    def rejects_format(err: BaseException, mode: str) -> bool:
        import openai

        return mode != "none" and isinstance(err, openai.APIStatusError) and err.status_code in (400, 422)

    # -- secrets
    def redact(self, text: str) -> str:
        """Every text the session lets out goes through here (see notewriter.redact)."""
        return _redact.redact(text, self.settings)

    def holds_secret(self, text: str | None) -> bool:
        return _redact.contains_secret(text, self.settings)

    # -- after sending
    def count_attempt(self, started: float) -> None:
        self.sent += 1
        self.latency += time.monotonic() - started

    def accept(self, response: Any, request: _Request, mode: str, cache_key: str | None) -> _Reply:
        with _FORMAT_LOCK:
            _FORMAT_BY_ENDPOINT[self.settings.endpoint] = mode
        usage = getattr(response, "usage", None)
        prompt_tokens = _count(getattr(usage, "prompt_tokens", None))
        completion_tokens = _count(getattr(usage, "completion_tokens", None))
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens
        choices = getattr(response, "choices", None)
        choice = choices[0] if isinstance(choices, list) and choices else None
        message = getattr(choice, "message", None)
        content = getattr(message, "content", None)
        refusal = getattr(message, "refusal", None)
        reply = _Reply(
            content=content if isinstance(content, str) else None,
            refusal=refusal if isinstance(refusal, str) else None,
            truncated=getattr(choice, "finish_reason", None) == "length",
        )
        if self.holds_secret(reply.content) or self.holds_secret(reply.refusal):
            # an answer that quotes the key or the base URL's credentials is not used, shown or cached
            log.info(self.redact(f"LLM endpoint {self.display} sent an answer holding a credential; not used"))
            return _Reply(reason="model answer contained a credential",
                          detail="sent an answer that contained the API key or a base-URL credential (not used)")
        if self.cache is not None and cache_key is not None and reply.content and _first_json_object(reply.content):
            self.cache.put(
                cache_key,
                {
                    "model": self.settings.model,
                    "prompt_version": self.prompt_version,
                    "base_url": self.display,
                    "stage": request.stage,
                    "response_format": mode,
                    "content": reply.content,
                    "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens},
                },
            )
        return reply

    def failure(self, err: BaseException) -> _Reply:
        reply = self._failure(err)
        return _Reply(reason=self.redact(reply.reason or ""), detail=self.redact(reply.detail or ""))

    def _failure(self, err: BaseException) -> _Reply:
        import openai

        retries = self.settings.max_retries
        after = f" after {retries} {'retry' if retries == 1 else 'retries'}" if retries else ""
        if isinstance(err, openai.APITimeoutError):
            return _Reply(reason="endpoint timed out", detail=f"did not answer within {self.settings.timeout:g} s")
        if isinstance(err, openai.APIConnectionError):
            return _Reply(reason="endpoint unreachable", detail="unreachable")
        if isinstance(err, openai.APIStatusError):
            code = err.status_code
            # redacted before it is shortened, so no part of a secret is left at the cut
            message = _one_line(self.redact(str(getattr(err, "message", "") or "")), 160)
            if code in (401, 403):
                return _Reply(reason="endpoint refused the API key", detail=f"refused the API key (HTTP {code})")
            if code == 404:
                return _Reply(
                    reason="endpoint error: HTTP 404",
                    detail=f"answered HTTP 404; check the base URL and the model name {self.settings.model!r}",
                )
            if code == 429:
                return _Reply(reason="endpoint rate limited", detail=f"kept answering HTTP 429 (rate limited){after}")
            if code in (400, 422):
                return _Reply(reason="endpoint rejected the request", detail=f"rejected the request (HTTP {code}: {message})")
            if _is_transient(err):
                return _Reply(reason=f"endpoint error: HTTP {code}", detail=f"answered HTTP {code}{after}")
            return _Reply(reason=f"endpoint error: HTTP {code}", detail=f"answered HTTP {code} ({message})")
        log.warning(self.redact(f"LLM request to {self.display} failed unexpectedly\n"
                                f"{_redact.redact_exception(err, self.settings, trace=True)}"))
        return _Reply(reason="endpoint sent an unusable answer", detail=f"sent an unusable answer ({_describe(err)})")

    def run_record(self, outcome: _Outcome) -> dict[str, Any]:
        return {
            "model": self.settings.model,
            "prompt_version": self.prompt_version,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "latency_ms": round(self.latency * 1000),
            "cached": self.hits > 0 and self.sent == 0,
            "warning": self.redact("; ".join(outcome.warnings)) or None,
        }


def _is_transient(err: BaseException) -> bool:
    """Worth another try: rate limits, server errors, dropped connections. Not timeouts: a slow endpoint stays slow."""
    import openai

    if isinstance(err, openai.APITimeoutError):
        return False
    if isinstance(err, openai.APIConnectionError):
        return True
    if isinstance(err, openai.APIStatusError):
        return err.status_code in (408, 409, 429) or err.status_code >= 500
    return False


def _count(value: Any) -> int:
    """A token count as the endpoint reported it; anything but a non-negative whole number counts as 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _describe(err: BaseException | None) -> str:
    if err is None:
        return "no error"
    status = getattr(err, "status_code", None)
    return f"HTTP {status}" if status is not None else type(err).__name__


def _send(session: _Session, client: Any, request: _Request) -> _Reply:
    cache_key, hit = session.lookup(request)
    if hit is not None:
        return hit
    for mode in session.formats():
        kwargs = session.create_kwargs(request, mode)
        started = time.monotonic()
        try:
            for attempt in tenacity.Retrying(**session.retry_policy()):
                with attempt:
                    response = client.chat.completions.create(**kwargs)
        except Exception as err:
            session.count_attempt(started)
            if session.rejects_format(err, mode):
                log.info(session.redact(f"{session.display} rejected response_format {mode} ({_describe(err)}); "
                                        "trying the next"))
                continue
            return session.failure(err)
        session.count_attempt(started)
        try:
            return session.accept(response, request, mode, cache_key)
        except Exception as err:  # an answer of a shape nobody expected: unusable, said without its text
            return session.failure(err)
    raise AssertionError("unreachable: the last response format never counts as rejected")


async def _asend(session: _Session, client: Any, request: _Request, limiter: asyncio.Semaphore) -> _Reply:
    cache_key, hit = session.lookup(request)
    if hit is not None:
        return hit
    for mode in session.formats():
        kwargs = session.create_kwargs(request, mode)
        started = time.monotonic()
        try:
            async for attempt in tenacity.AsyncRetrying(**session.retry_policy()):
                with attempt:
                    async with limiter:
                        response = await client.chat.completions.create(**kwargs)
        except Exception as err:
            session.count_attempt(started)
            if session.rejects_format(err, mode):
                log.info(session.redact(f"{session.display} rejected response_format {mode} ({_describe(err)}); "
                                        "trying the next"))
                continue
            return session.failure(err)
        session.count_attempt(started)
        try:
            return session.accept(response, request, mode, cache_key)
        except Exception as err:  # an answer of a shape nobody expected: unusable, said without its text
            return session.failure(err)
    raise AssertionError("unreachable: the last response format never counts as rejected")


_LIMITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[str, int], asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary()
)


def _shared_limiter(settings: LLMSettings) -> asyncio.Semaphore:
    """One semaphore per event loop and endpoint, so concurrent passes share the max_concurrency bound."""
    per_loop = _LIMITERS.setdefault(asyncio.get_running_loop(), {})
    return per_loop.setdefault((settings.endpoint, settings.max_concurrency), asyncio.Semaphore(settings.max_concurrency))
