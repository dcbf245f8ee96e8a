"""The pass itself, without I/O: a generator that yields requests and receives replies.

`_steps` decides what to ask, judges each answer and assembles the note's sections; `_drive` and
`_adrive` feed it replies, so the synchronous and the asynchronous entry points share one pass and
only the sending differs.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .guard import guard_for
from .parse import CheckFn, _evaluate, _Failure, _parse_answer
from .prompts import _Prompts, _SetupProblem


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
    """Initial request, one repair round for failing sections, then assemble the note's sections.

    A section is accepted only if the guard lets it through (plain prose about the note's own funds, see
    `guard`) and the checker supports every number in it."""
    keys = [key for key, text in draft.items() if text.strip()]
    final = dict(draft)
    origins = {key: _template(None if key in keys else "template section is empty") for key in draft}
    outcome = _Outcome(final, origins)
    if not keys:
        return outcome

    guard = guard_for(facts, draft, vendor_text)

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
    accepted, failing = _evaluate(parsed, parse_problem, keys, check, guard)
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
                fixed, still_failing = _evaluate(parsed, parse_problem, to_repair, check, guard)
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
