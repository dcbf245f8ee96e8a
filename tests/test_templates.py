"""Templates choose words; they compute nothing and compare nothing.

Every number a template prints comes from a claim through a filter, and every rule (leader or laggard,
large or small, streaks, distance from the high) is decided in the verdicts, so a template holds no
numeric literal, no digit in its text, no ordering comparison, and tests equality only against a word.
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pytest

from notewriter.resources import templates_dir

TEMPLATES = sorted(p for p in templates_dir().rglob("*.j2"))
ORDERING = {"lt", "lteq", "gt", "gteq"}
EQUALITY = {"eq", "ne"}


def _tokens(path: Path) -> list[tuple[int, str, str]]:
    env = jinja2.Environment()
    return [(line, kind, value) for line, kind, value in env.lex(path.read_text(encoding="utf-8"))
            if kind not in ("whitespace",)]


def _problems(path: Path) -> list[str]:
    tokens = _tokens(path)
    out = []
    for i, (line, kind, value) in enumerate(tokens):
        if kind in ("integer", "float"):
            out.append(f"line {line}: numeric literal {value}")
        elif kind == "data" and re.search(r"\d", value):
            out.append(f"line {line}: digits in text {value.strip()[:40]!r} (print them from a claim)")
        elif kind == "operator" and value in ("<", ">", "<=", ">="):
            out.append(f"line {line}: ordering comparison {value!r} (decide it in the verdicts)")
        elif kind == "operator" and value in ("==", "!="):
            before = tokens[i - 1][1] if i else None
            after = tokens[i + 1][1] if i + 1 < len(tokens) else None
            if "string" not in (before, after):
                out.append(f"line {line}: {value!r} between two values (decide it in the verdicts)")
        elif kind == "name" and value == "num" and i and tokens[i - 1][2] == ".":
            out.append(f"line {line}: reads a claim's raw number")
    return out


def test_the_scan_sees_templates():
    assert len(TEMPLATES) >= 20


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(templates_dir())))
def test_template_computes_and_compares_nothing(path):
    assert _problems(path) == []


@pytest.mark.parametrize("source,problem", [
    ("{{ x[:3] }}", "numeric literal 3"),
    ("{% if a.num >= 0.05 %}x{% endif %}", "ordering comparison"),
    ("{% if a == b %}x{% endif %}", "between two values"),
    ("the 52-week high", "digits in text"),
    ("{{ x|pct(2) }}", "numeric literal 2"),
    ("{% if a.num %}x{% endif %}", "raw number"),
])
def test_the_scan_catches_what_it_forbids(tmp_path, source, problem):
    path = tmp_path / "t.md.j2"
    path.write_text(source, encoding="utf-8")
    assert any(problem in p for p in _problems(path)), _problems(path)


def test_a_comparison_with_a_word_is_allowed(tmp_path):
    path = tmp_path / "t.md.j2"
    path.write_text('{% if c.direction == "inflow" and f.window != "ytd" %}x{% endif %}', encoding="utf-8")
    assert _problems(path) == []
