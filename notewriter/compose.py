"""The one compose path of every kind: draft -> optional LLM -> sentiment -> layout -> check -> spans."""

from __future__ import annotations

import bisect
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any, Callable

import jinja2

from . import claims as claims_mod
from . import kinds, render
from .check import check_note, section_checker
from .check.index import FactIndex
from .config import Rules
from .document import Document, Section, Span, facts_document
from .errors import UsageError
from .stages import stage

LLMHook = Callable[[dict, dict[str, str], Callable[[str, str], list[str]]], tuple[dict[str, str], dict, dict]]


@lru_cache(maxsize=32)
def _environment(template_dir: str | None, prose: bool):
    """Jinja environments are built (and templates compiled) once per folder; edits still reload by mtime."""
    return render.environment(template_dir, prose=prose)


def environment(template_dir: str | Path | None = None, prose: bool = False):
    return _environment(str(template_dir) if template_dir is not None else None, prose)


def warm_templates(template_dir: str | Path | None = None) -> None:
    """Compile every template of every kind now (before a batch forks its workers, so they share the code)."""
    for name in kinds.names():
        kind = kinds.get(name)
        for key in kind.keys:
            environment(template_dir, prose=key not in kind.tables).get_template(kind.template_for(key))
        environment(template_dir, prose=True).get_template(kind.footer)
        environment(template_dir).get_template(kind.layout)
        for _, name in kind.boxes:
            environment(template_dir).get_template(name)


def draft(kind: kinds.Kind, facts, claims: dict, rules: Rules, template_dir=None) -> tuple[dict[str, str], dict]:
    """Template text of every section, its numbers still marked with their claims; and the template context."""
    ctx = kind.context(facts, claims, rules)
    prose, layout = environment(template_dir, prose=True), environment(template_dir)
    texts = {}
    for key in kind.keys:
        if key in kind.tables:  # a table: keep its lines
            texts[key] = layout.get_template(kind.template_for(key)).render(**ctx).strip("\n")
        else:
            texts[key] = render.tidy(prose.get_template(kind.template_for(key)).render(**ctx))
    return texts, ctx


def compose(facts, kind: str | kinds.Kind = "fund", template_dir: str | Path | None = None,
            llm: LLMHook | None = None, rules: Rules | None = None) -> Document:
    """A complete, checked document; `llm(facts_doc, draft, check)` may rewrite the sections it can support.

    A template that does not compile or names something the context lacks is a UsageError naming its file and
    line."""
    try:
        return _compose(facts, kind, template_dir, llm, rules)
    except jinja2.TemplateError as err:
        raise UsageError(render.template_error(err, err.__traceback__)) from None


def _compose(facts, kind, template_dir, llm, rules) -> Document:
    kind = kinds.get(kind) if isinstance(kind, str) else kind
    rules = rules or Rules()
    ticker = kind.default_ticker(facts)
    with stage("claims"):
        claims = claims_mod.build(facts, digits=kind.digits, subject=ticker)
    with stage("render"):
        marked, ctx = draft(kind, facts, claims, rules, template_dir)
        plain = {k: render.unmark(v)[0] for k, v in marked.items()}
    origins: dict[str, dict] = {k: {"origin": "template", "reason": None} for k in marked}
    run: dict[str, Any] = {}
    if llm is not None:
        pre_doc = facts_document(facts, None, ticker)
        prose = {k: v for k, v in plain.items() if k not in kind.tables}  # tables stay as built
        rewritten, prose_origins, run = llm(pre_doc, prose, section_checker(pre_doc, ticker))
        origins.update(prose_origins)
        for k, text in rewritten.items():
            if origins[k]["origin"] != "template":
                marked[k], plain[k] = text, text
    # the prose as a reader reads it (a name's Markdown escapes taken out)
    with stage("sentiment"):
        sentiment = kind.sentiment(facts, "\n\n".join(render.md_unescape(plain[k]) for k in kind.keys
                                                        if k not in kind.tables))
        claims.update(claims_mod.build_sentiment(sentiment, digits=kind.digits, subject=ticker))
    with stage("render"):
        footer = render.tidy(environment(template_dir, prose=True).get_template(kind.footer).render(**ctx))
        title = kind.title(facts, ctx)
        headings = [(k, t) for k, t in kind.sections[1:]]
        # sections, footer and title are Markdown already (their vendor strings escaped as they were drafted)
        layout = environment(template_dir).get_template(kind.layout).render(
            title=title, sections={k: render.Markdown(v) for k, v in marked.items()}, headings=headings,
            sentiment=claims_mod.tree(sentiment, claims, "sentiment"), footer=render.Markdown(footer))
        markdown, marks = render.unmark(_tidy_markdown(layout))
    with stage("check"):
        index = FactIndex.from_doc(facts_document(facts, sentiment, ticker))  # for the note and its boxes
        report = check_note(markdown, index, ticker)
    spans = _spans(marks, report, claims)
    sections = tuple(_sections(kind, plain, origins, markdown, spans))
    printed = list(dict.fromkeys(s.claim for s in spans))
    with stage("check"):
        boxes = _boxes(kind, ctx, template_dir, index, ticker)
    return Document(kind=kind.name, subjects=kind.subjects(facts), as_of=facts.as_of, window=facts.window,
                    title=render.unmark(title)[0], sections=sections, footer=render.unmark(footer)[0], facts=facts,
                    claims=tuple(claims[c] for c in printed), spans=tuple(spans), sentiment=sentiment,
                    markdown=markdown, check=report.as_dict(), rules=rules.model_dump(mode="json"), run=run,
                    calls=kind.calls(facts, ctx, sentiment) if kind.calls is not None else (), boxes=boxes)


def _boxes(kind, ctx: dict, template_dir, index: FactIndex, ticker: str | None) -> dict[str, str]:
    """The kind's boxes as Markdown; a box with a number the checker cannot trace is left out."""
    out = {}
    for key, name in kind.boxes:
        text = render.unmark(_tidy_markdown(environment(template_dir).get_template(name).render(**ctx)))[0]
        if text.strip() and check_note(text, index, ticker).ok:
            out[key] = text
    return out


def _spans(marks: list[tuple[int, int, str]], report, claims: dict) -> list[Span]:
    """The template's own marks, and for text it did not write (a model's, an editor's) the checker's matches."""
    spans = [Span(start=a, end=b, claim=c) for a, b, c in marks]
    covered = sorted((a, b) for a, b, _ in marks)
    starts = [a for a, _ in covered]
    reach = list(accumulate((b for _, b in covered), max))  # the furthest end of the marks up to each one
    for f in report.findings:
        k = bisect.bisect_left(starts, f.end) - 1  # the marks that start before the finding ends
        if f.matched is None or (k >= 0 and reach[k] > f.start):  # "0.1 times" holds "0.1"
            continue
        claim = f.matched[len("facts."):] if f.matched.startswith("facts.") else f.matched
        if claim in claims:
            spans.append(Span(start=f.start, end=f.end, claim=claim))
    return sorted(spans, key=lambda s: (s.start, s.end))


def _sections(kind, texts: dict[str, str], origins: dict, markdown: str, spans: list[Span]):
    """Sections with their own spans (relative to the section's text), found where the layout placed them."""
    pos = 0
    for key, title in kind.sections:
        text = texts[key]
        at = markdown.find(text, pos) if text else -1
        own: tuple[Span, ...] = ()
        if at >= 0:
            pos = at + len(text)
            own = tuple(Span(start=s.start - at, end=s.end - at, claim=s.claim) for s in spans
                        if at <= s.start and s.end <= pos)
        yield Section(key=key, title=title, text=text, origin=origins[key]["origin"],
                      reason=origins[key].get("reason"), spans=own)


def _tidy_markdown(md: str) -> str:
    lines = [line.rstrip() for line in md.splitlines()]
    out: list[str] = []
    for line in lines:
        if line == "" and out and out[-1] == "":
            continue
        out.append(line)
    return "\n".join(out).strip() + "\n"
