"""Optional LLM pass: rewrite template sections through an OpenAI-compatible endpoint, keep only checked text.

The pass never decides what is true. The model gets the facts and the template
draft and returns the sections as JSON; every section it writes goes through the
injected `check`; a failing section gets one repair round and then falls back to
the template text. Endpoint trouble (down, slow, rate limited, malformed answers)
never raises: the affected sections keep their template text and the run record
says why.

The pass logic (`_steps`) is a generator that yields requests and receives
replies, so the synchronous and the asynchronous drivers share it and only the
I/O differs.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import random
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import jinja2
import tenacity
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from notewriter import resources
from notewriter.config import DEFAULT_BASE_URL, LLMSettings, user_cache_dir
from notewriter.errors import UsageError

log = logging.getLogger(__name__)

__all__ = [
    "LLMSettings",
    "LLMResult",
    "run_llm_pass",
    "arun_llm_pass",
    "PROMPT_FILES",
]

INSTALL_HINT = "pip install 'notewriter[llm]'"
PROMPT_FILES = ("system.j2", "sections.j2", "repair.j2")
# Tried in this order; an endpoint that rejects one (HTTP 400/422) gets the next.
RESPONSE_FORMATS = ("json_schema", "json_object", "none")
SCHEMA_NAME = "note_sections"
# A server-sent Retry-After is honoured up to this many seconds.
RETRY_AFTER_CAP = 60.0
# Problems quoted in a section's fallback reason; the rest are counted.
REASON_PROBLEMS = 5
_CACHE_FORMAT = 1

CheckFn = Callable[[str, str], list[str]]


# --------------------------------------------------------------------------- settings and result


class LLMResult(BaseModel):
    """Final text per section, where each came from, and what the run cost."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sections: dict[str, str]
    origins: dict[str, dict[str, str | None]]
    run: dict[str, Any]


# --------------------------------------------------------------------------- prompts


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


# --------------------------------------------------------------------------- parsing and checking


def _first_json_object(text: str) -> dict[str, Any] | None:
    """The whole text as a JSON object, else the first object embedded in it (code fences, prose)."""
    stripped = text.strip()
    try:
        value = json.loads(stripped)
    except ValueError:
        pass
    else:
        return value if isinstance(value, dict) else None
    decoder = json.JSONDecoder()
    first: dict[str, Any] | None = None
    start = stripped.find("{")
    tries = 0
    while start != -1 and tries < 200:
        tries += 1
        try:
            value, _ = decoder.raw_decode(stripped, start)
        except ValueError:
            start = stripped.find("{", start + 1)
            continue
        if isinstance(value, dict):
            if "sections" in value:
                return value
            first = first or value
        start = stripped.find("{", start + 1)
    return first


@dataclass(frozen=True)
class _Failure:
    text: str | None
    problems: list[str]
    reason: str
    repairable: bool = True


def _parse_answer(reply: _Reply, keys: list[str]) -> tuple[dict[str, Any] | None, str | None]:
    """The model's section mapping, or None and why there is none."""
    content = reply.content
    if content is None or not content.strip():
        if reply.refusal:
            return None, _one_line(f"model refused: {reply.refusal}", 160)
        return None, "model returned no text"
    answer = _first_json_object(content)
    if answer is None:
        if reply.truncated:
            return None, "model answer was cut off before it was complete"
        return None, "model answer was not valid JSON"
    sections = answer.get("sections")
    if isinstance(sections, dict):
        return sections, None
    if any(key in answer for key in keys):
        return answer, None
    return None, 'model answer had no "sections" object'


def _unsupported_reason(problems: list[str]) -> str:
    shown = "; ".join(problems[:REASON_PROBLEMS])
    more = len(problems) - REASON_PROBLEMS
    return _one_line(f"unsupported numbers: {shown}" + (f"; and {more} more" if more > 0 else ""), 300)


def _evaluate(
    parsed: dict[str, Any] | None, parse_problem: str | None, keys: list[str], check: CheckFn
) -> tuple[dict[str, str], dict[str, _Failure]]:
    """Split the requested sections into accepted text and failures."""
    accepted: dict[str, str] = {}
    failing: dict[str, _Failure] = {}
    for key in keys:
        if parsed is None:
            failing[key] = _Failure(None, [parse_problem or "model returned no text"], parse_problem or "model returned no text")
            continue
        value = parsed.get(key)
        if not isinstance(value, str) or not value.strip():
            failing[key] = _Failure(None, ["no text for this section"], "model returned no text")
            continue
        text = value.strip()
        try:
            problems = [str(problem) for problem in check(key, text)]
        except Exception as err:  # a crashing checker must not take the note down
            log.exception("fact check raised on section %s", key)
            failing[key] = _Failure(text, [], _one_line(f"fact check raised {type(err).__name__}: {err}", 200), False)
            continue
        if problems:
            failing[key] = _Failure(text, problems, _unsupported_reason(problems))
        else:
            accepted[key] = text
    return accepted, failing


# --------------------------------------------------------------------------- the pass (no I/O)


@dataclass(frozen=True)
class _Request:
    messages: list[dict[str, str]]
    keys: list[str]
    stage: str  # "initial" or "repair"


@dataclass
class _Reply:
    content: str | None = None
    refusal: str | None = None
    truncated: bool = False
    cached: bool = False
    # Set when no answer came back: a short reason for each section and the
    # endpoint's trouble in words ("unreachable", "answered HTTP 500", ...).
    reason: str | None = None
    detail: str | None = None

    @property
    def failed(self) -> bool:
        return self.reason is not None


@dataclass
class _Outcome:
    sections: dict[str, str]
    origins: dict[str, dict[str, str | None]]
    warnings: list[str] = field(default_factory=list)


def _template(reason: str | None) -> dict[str, str | None]:
    return {"origin": "template", "reason": reason}


def _steps(
    *,
    facts: Any,
    draft: dict[str, str],
    check: CheckFn,
    vendor_text: list[str],
    prompts: _Prompts,
    endpoint: str,
) -> Generator[_Request, _Reply, _Outcome]:
    """Initial request, one repair round for failing sections, then assemble the note's sections."""
    keys = [key for key, text in draft.items() if text.strip()]
    final = dict(draft)
    origins = {key: _template(None if key in keys else "template section is empty") for key in draft}
    outcome = _Outcome(final, origins)
    if not keys:
        return outcome

    def fallback(failures: Mapping[str, _Failure | str]) -> None:
        for key, failure in failures.items():
            origins[key] = _template(failure if isinstance(failure, str) else failure.reason)

    try:
        system = prompts.render("system.j2")
        data = {"vendor_text": vendor_text, "facts": facts, "draft": {key: draft[key] for key in keys}}
        user = prompts.render("sections.j2", keys=keys, data=data)
    except _SetupProblem as err:
        fallback({key: "prompt failed to render" for key in keys})
        outcome.warnings.append(f"LLM pass skipped: {err}; used template text")
        return outcome

    reply = yield _Request([{"role": "system", "content": system}, {"role": "user", "content": user}], keys, "initial")
    if reply.failed:
        fallback({key: reply.reason or "" for key in keys})
        outcome.warnings.append(f"LLM endpoint {endpoint} {reply.detail}; used template text")
        return outcome

    parsed, parse_problem = _parse_answer(reply, keys)
    accepted, failing = _evaluate(parsed, parse_problem, keys, check)
    to_repair = [key for key, failure in failing.items() if failure.repairable]

    if to_repair:
        rejected = {key: {"text": failing[key].text, "problems": failing[key].problems} for key in to_repair}
        data = {
            "vendor_text": vendor_text,
            "facts": facts,
            "draft": {key: draft[key] for key in to_repair},
            "rejected": rejected,
        }
        try:
            repair = prompts.render("repair.j2", keys=to_repair, data=data)
        except _SetupProblem as err:
            outcome.warnings.append(f"LLM repair round skipped: {err}")
        else:
            reply = yield _Request(
                [{"role": "system", "content": system}, {"role": "user", "content": repair}], to_repair, "repair"
            )
            if reply.failed:
                outcome.warnings.append(
                    f"LLM endpoint {endpoint} {reply.detail} during the repair round; "
                    "sections that failed the check use template text"
                )
            else:
                parsed, parse_problem = _parse_answer(reply, to_repair)
                fixed, still_failing = _evaluate(parsed, parse_problem, to_repair, check)
                accepted.update(fixed)
                for key in fixed:
                    failing.pop(key)
                failing.update(still_failing)

    for key, text in accepted.items():
        final[key] = text
        origins[key] = {"origin": "llm", "reason": None}
    fallback(failing)
    return outcome


def _drive(steps: Generator[_Request, _Reply, _Outcome], send: Callable[[_Request], _Reply]) -> _Outcome:
    try:
        request = next(steps)
        while True:
            request = steps.send(send(request))
    except StopIteration as done:
        return done.value


async def _adrive(steps: Generator[_Request, _Reply, _Outcome], send: Callable[[_Request], Any]) -> _Outcome:
    try:
        request = next(steps)
        while True:
            request = steps.send(await send(request))
    except StopIteration as done:
        return done.value


# --------------------------------------------------------------------------- cache


class _Cache:
    """Model answers on disk, one JSON file per request, written atomically."""

    def __init__(self, root: Path):
        self.root = root

    @staticmethod
    def key(settings: LLMSettings, prompt_version: str, messages: list[dict[str, str]]) -> str:
        material = {
            "model": settings.model,
            "prompt_version": prompt_version,
            "base_url": settings.endpoint,
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
        tmp: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"format": _CACHE_FORMAT, **entry}, handle, ensure_ascii=False)
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


# --------------------------------------------------------------------------- endpoint session


# Which response_format each endpoint accepted, so later requests skip the rejected ones.
_FORMAT_BY_ENDPOINT: dict[str, str] = {}
_FORMAT_LOCK = threading.Lock()


def _one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _display_url(url: str) -> str:
    """The URL without credentials, for warnings."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", "")) if netloc else url


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
        if entry is None:
            return key, None
        self.hits += 1
        log.debug("LLM cache hit %s (%s)", key[:12], request.stage)
        return key, _Reply(content=entry["content"], cached=True)

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
        log.info("LLM request to %s failed (%s); retry %d", self.display, _describe(err), state.attempt_number)

    @staticmethod
    def rejects_format(err: BaseException, mode: str) -> bool:
        import openai

        return mode != "none" and isinstance(err, openai.APIStatusError) and err.status_code in (400, 422)

    # -- after sending
    def count_attempt(self, started: float) -> None:
        self.sent += 1
        self.latency += time.monotonic() - started

    def accept(self, response: Any, request: _Request, mode: str, cache_key: str | None) -> _Reply:
        with _FORMAT_LOCK:
            _FORMAT_BY_ENDPOINT[self.settings.endpoint] = mode
        usage = getattr(response, "usage", None)
        prompt_tokens = getattr(usage, "prompt_tokens", None) or 0
        completion_tokens = getattr(usage, "completion_tokens", None) or 0
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens
        choices = getattr(response, "choices", None) or []
        choice = choices[0] if choices else None
        message = getattr(choice, "message", None)
        content = getattr(message, "content", None)
        refusal = getattr(message, "refusal", None)
        reply = _Reply(
            content=content if isinstance(content, str) else None,
            refusal=refusal if isinstance(refusal, str) else None,
            truncated=getattr(choice, "finish_reason", None) == "length",
        )
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
        import openai

        retries = self.settings.max_retries
        after = f" after {retries} {'retry' if retries == 1 else 'retries'}" if retries else ""
        if isinstance(err, openai.APITimeoutError):
            return _Reply(reason="endpoint timed out", detail=f"did not answer within {self.settings.timeout:g} s")
        if isinstance(err, openai.APIConnectionError):
            return _Reply(reason="endpoint unreachable", detail="unreachable")
        if isinstance(err, openai.APIStatusError):
            code = err.status_code
            message = _one_line(getattr(err, "message", "") or "", 160)
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
        log.warning("LLM request to %s failed unexpectedly", self.display, exc_info=err)
        return _Reply(reason="endpoint sent an unusable answer", detail=f"sent an unusable answer ({_describe(err)})")

    def run_record(self, outcome: _Outcome) -> dict[str, Any]:
        return {
            "model": self.settings.model,
            "prompt_version": self.prompt_version,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "latency_ms": round(self.latency * 1000),
            "cached": self.hits > 0 and self.sent == 0,
            "warning": "; ".join(outcome.warnings) or None,
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
                log.info("%s rejected response_format %s (%s); trying the next", session.display, mode, _describe(err))
                continue
            return session.failure(err)
        session.count_attempt(started)
        return session.accept(response, request, mode, cache_key)
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
                log.info("%s rejected response_format %s (%s); trying the next", session.display, mode, _describe(err))
                continue
            return session.failure(err)
        session.count_attempt(started)
        return session.accept(response, request, mode, cache_key)
    raise AssertionError("unreachable: the last response format never counts as rejected")


# --------------------------------------------------------------------------- public entry points


def _all_template(draft: Mapping[str, str], settings: LLMSettings, reason: str, warning: str | None) -> LLMResult:
    return LLMResult(
        sections=dict(draft),
        origins={key: _template(reason) for key in draft},
        run={
            "model": settings.model,
            "prompt_version": None,
            "prompt_tokens": 0,
            "completion_tokens": 0,
            "latency_ms": 0,
            "cached": False,
            "warning": warning,
        },
    )


def _preflight(settings: LLMSettings, draft: Mapping[str, str]) -> LLMResult | _Prompts:
    """The prompts when the pass can run; otherwise the all-template result saying why not."""
    if not settings.enabled:
        return _all_template(draft, settings, "LLM pass not enabled", None)
    missing = []
    if not settings.model:
        missing.append("no model (NOTEWRITER_LLM_MODEL)")
    if not settings.api_key:
        missing.append("no API key (OPENAI_API_KEY; any value for a local server)")
    if missing:
        return _all_template(
            draft, settings, "LLM not configured", f"LLM pass skipped: {' and '.join(missing)} set; used template text"
        )
    try:
        import openai  # noqa: F401
    except ImportError:
        return _all_template(
            draft,
            settings,
            "openai package not installed",
            f"LLM pass skipped: the openai package is not installed ({INSTALL_HINT}); used template text",
        )
    try:
        return _Prompts(settings.prompts_dir)
    except _SetupProblem as err:
        return _all_template(draft, settings, "prompts unavailable", str(err))


def _unexpected(draft: Mapping[str, str], settings: LLMSettings, err: Exception) -> LLMResult:
    log.exception("LLM pass failed")
    return _all_template(
        draft, settings, "LLM pass failed", _one_line(f"LLM pass failed ({type(err).__name__}: {err}); used template text")
    )


def run_llm_pass(
    *,
    facts: Any,
    sections: Mapping[str, str],
    check: CheckFn,
    settings: LLMSettings,
    vendor_text: Iterable[str] | None = None,
    client: Any | None = None,
) -> LLMResult:
    """Rewrite the draft sections through the model; keep only text that passes `check`, else the draft."""
    draft = dict(sections)
    prepared = _preflight(settings, draft)
    if isinstance(prepared, LLMResult):
        return prepared
    try:
        import openai

        session = _Session(settings, prepared.version)
        steps = _steps(
            facts=facts,
            draft=draft,
            check=check,
            vendor_text=list(vendor_text or ()),
            prompts=prepared,
            endpoint=session.display,
        )
        own = client is None
        if own:
            client = openai.OpenAI(
                api_key=settings.api_key, base_url=settings.endpoint, timeout=settings.timeout, max_retries=0
            )
        try:
            outcome = _drive(steps, lambda request: _send(session, client, request))
        finally:
            if own:
                client.close()
    except Exception as err:
        return _unexpected(draft, settings, err)
    return LLMResult(sections=outcome.sections, origins=outcome.origins, run=session.run_record(outcome))


_LIMITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[str, int], asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary()
)


def _shared_limiter(settings: LLMSettings) -> asyncio.Semaphore:
    """One semaphore per event loop and endpoint, so concurrent passes share the max_concurrency bound."""
    per_loop = _LIMITERS.setdefault(asyncio.get_running_loop(), {})
    return per_loop.setdefault((settings.endpoint, settings.max_concurrency), asyncio.Semaphore(settings.max_concurrency))


async def arun_llm_pass(
    *,
    facts: Any,
    sections: Mapping[str, str],
    check: CheckFn,
    settings: LLMSettings,
    vendor_text: Iterable[str] | None = None,
    client: Any | None = None,
    limiter: asyncio.Semaphore | None = None,
) -> LLMResult:
    """`run_llm_pass` on `openai.AsyncOpenAI`; requests in flight are bounded by `limiter`.

    Without a limiter, passes running on the same event loop against the same
    endpoint share one semaphore of `settings.max_concurrency`, so a batch can
    simply gather many passes.
    """
    draft = dict(sections)
    prepared = _preflight(settings, draft)
    if isinstance(prepared, LLMResult):
        return prepared
    try:
        import openai

        session = _Session(settings, prepared.version)
        steps = _steps(
            facts=facts,
            draft=draft,
            check=check,
            vendor_text=list(vendor_text or ()),
            prompts=prepared,
            endpoint=session.display,
        )
        bound = limiter if limiter is not None else _shared_limiter(settings)
        own = client is None
        if own:
            client = openai.AsyncOpenAI(
                api_key=settings.api_key, base_url=settings.endpoint, timeout=settings.timeout, max_retries=0
            )
        try:
            outcome = await _adrive(steps, lambda request: _asend(session, client, request, bound))
        finally:
            if own:
                await client.close()
    except Exception as err:
        return _unexpected(draft, settings, err)
    return LLMResult(sections=outcome.sections, origins=outcome.origins, run=session.run_record(outcome))


def _vendor_names(facts: Mapping[str, Any]) -> list[str]:
    """Fund, holding and peer names in a facts document: vendor text, passed to the model as quoted data."""
    names: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("name", "category", "family"):
                if isinstance(node.get(key), str) and node[key] not in names:
                    names.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(facts)
    return names


def note_hook(settings: LLMSettings) -> Callable[[dict, dict[str, str], CheckFn], tuple[dict, dict, dict]]:
    """The `llm` hook `notewriter.note.compose` takes: rewrite sections, keep only what the checker supports."""

    def hook(facts: dict, draft: dict[str, str], check: CheckFn) -> tuple[dict, dict, dict]:
        result = run_llm_pass(facts=facts, sections=draft, check=check, settings=settings,
                              vendor_text=_vendor_names(facts))
        return dict(result.sections), dict(result.origins), dict(result.run)

    hook.max_concurrency = settings.max_concurrency  # a batch keeps this many notes' requests in flight
    return hook
