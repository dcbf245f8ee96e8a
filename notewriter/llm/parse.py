"""Judging the model's answer: find its JSON, take its sections, run each through the checker."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger(__name__)

# Problems quoted in a section's fallback reason; the rest are counted.
REASON_PROBLEMS = 5

CheckFn = Callable[[str, str], list[str]]
# `guard(section_key, text)`: why a model's text may not be published whatever its numbers, or None.
GuardFn = Callable[[str, str], "str | None"]


def _one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


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


class _Answer(Protocol):
    """What came back from the model (a `steps._Reply`)."""

    content: str | None
    refusal: str | None
    truncated: bool


def _parse_answer(reply: _Answer, keys: list[str]) -> tuple[dict[str, Any] | None, str | None]:
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
    parsed: dict[str, Any] | None, parse_problem: str | None, keys: list[str], check: CheckFn,
    guard: GuardFn | None = None,
) -> tuple[dict[str, str], dict[str, _Failure]]:
    """Split the requested sections into accepted text and failures.

    A section the guard refuses (markup, links, calls to trade, names from elsewhere) fails with the guard's
    reason and gets no repair round: the model is not asked to rework text that tried to publish those."""
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
        if guard is not None:
            try:
                refused = guard(key, text)
            except Exception as err:  # a crashing guard must not take the note down, nor let the text through
                log.exception("content guard raised on section %s", key)
                refused = _one_line(f"content guard raised {type(err).__name__}: {err}", 200)
            if refused:
                failing[key] = _Failure(text, [refused], refused, False)
                continue
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
