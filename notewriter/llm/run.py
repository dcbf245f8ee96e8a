"""The pass's entry points: check the setup, run the steps on the openai client (sync or async), report the run."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from notewriter.config import LLMSettings
from notewriter.redact import redact_exception

from .parse import CheckFn, _one_line
from .prompts import _Prompts, _SetupProblem
from .session import _asend, _send, _Session, _shared_limiter
from .steps import _adrive, _drive, _steps, _template

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'notewriter[llm]'"


class LLMResult(BaseModel):
    """Final text per section, where each came from, and what the run cost."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sections: dict[str, str]
    origins: dict[str, dict[str, str | None]]
    run: dict[str, Any]


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
        draft, settings, "LLM pass failed",
        _one_line(f"LLM pass failed ({redact_exception(err, settings)}); used template text")
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
    """The `llm` hook `notewriter.compose.compose` takes: rewrite sections, keep only what the checker supports."""

    def hook(facts: dict, draft: dict[str, str], check: CheckFn) -> tuple[dict, dict, dict]:
        result = run_llm_pass(facts=facts, sections=draft, check=check, settings=settings,
                              vendor_text=_vendor_names(facts))
        return dict(result.sections), dict(result.origins), dict(result.run)

    hook.max_concurrency = settings.max_concurrency  # a batch keeps this many notes' requests in flight
    return hook
