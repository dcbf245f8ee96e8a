"""Compose a fund note: facts -> claims -> sections (templates, optional LLM) -> sentiment -> check."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict

from . import render
from .check import CheckReport, check_note, section_checker
from .claims import Claims, make_claims
from .facts.models import WINDOW_WORDS, FundFacts
from .sentiment import Sentiment, score_note

SECTIONS: tuple[tuple[str, str], ...] = (
    ("market_structure", "Market structure"),
    ("competitive_dynamics", "Competitive dynamics"),
    ("risk_assessment", "Risk assessment"),
    ("time_horizons", "Time horizons"),
    ("key_catalysts", "Key catalysts"),
    ("trade_implications", "Trade implications"),
    ("contrarian_angle", "Contrarian angle"),
)
SECTION_KEYS = ("lede",) + tuple(k for k, _ in SECTIONS)

_SECTOR_NAMES = {"realestate": "real estate", "consumer_cyclical": "consumer cyclicals",
                 "basic_materials": "basic materials", "consumer_defensive": "consumer staples",
                 "technology": "technology", "communication_services": "communication services",
                 "financial_services": "financials", "utilities": "utilities", "industrials": "industrials",
                 "energy": "energy", "healthcare": "health care"}
_FIXED_INCOME = ("bond", "treasury", "government", "aggregate", "credit", "income")


class Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    key: str
    title: str
    text: str
    origin: str = "template"
    reason: str | None = None


class Note(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)
    ticker: str
    as_of: date
    window: str
    title: str
    sections: tuple[Section, ...]
    footer: str
    facts: FundFacts
    sentiment: Sentiment
    markdown: str
    check: dict
    run: dict[str, Any] = {}

    def facts_document(self) -> dict:
        return facts_document(self.facts, self.sentiment)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def facts_document(f: FundFacts, sentiment: Sentiment | None) -> dict:
    """Everything a number in the note can be checked against (what `notewriter facts` prints)."""
    doc = {"ticker": f.ticker, "as_of": f.as_of.isoformat(), "window": f.window,
           "facts": f.model_dump(mode="json", exclude_none=True)}
    if sentiment is not None:
        doc["sentiment"] = sentiment.model_dump(mode="json")
    return doc


def _period(f: FundFacts) -> str:
    end = render.longdate(f.flow.end)
    return {"1d": f"on {end}", "1w": render.pick(["this week", f"in the week to {end}"], f.ticker, f.as_of, "period"),
            "1m": f"in the month to {end}", "ytd": f"so far this year, to {end}"}[f.window]


def context(f: FundFacts, c: Claims) -> dict:
    moved = [comp for comp in f.components if comp.day_change is not None][:3]
    category = f.identity.category
    return {
        "f": f, "c": c, "T": f.ticker, "name": f.identity.name, "seed": f"{f.ticker}|{f.as_of}|{f.window}",
        "period": _period(f),
        "window_noun": WINDOW_WORDS[f.window] if f.window != "ytd" else "year",
        "window_adj": {"1d": "one-day", "1w": "weekly", "1m": "monthly", "ytd": "year-to-date"}[f.window],
        "window_plural": {"1d": "sessions", "1w": "weeks", "1m": "months", "ytd": "years"}[f.window],
        "moved": moved,
        "moved_up": sorted([m for m in moved if m.day_change.num > 0], key=lambda m: -m.day_change.num),
        "moved_down": sorted([m for m in moved if m.day_change.num < 0], key=lambda m: m.day_change.num),
        "category_phrase": f"the {category} category" if category else "its category",
        "sector_names": _SECTOR_NAMES,
        "fixed_income": any(w in (category or "").lower() for w in _FIXED_INCOME),
        "touched": [q for q in f.quality if q.touches_numbers],
    }


def title_for(f: FundFacts, c: Claims) -> str:
    end = render.longdate(f.flow.end)
    span = {"1d": f"on {end}", "1w": f"in the week to {end}", "1m": f"in the month to {end}",
            "ytd": f"in the year to {end}"}[f.window]
    if c.direction in ("inflow", "outflow"):
        est = "estimated " if f.flow.method == "shares x nav" else "vendor-reported "
        return f"{f.ticker}: {est}{render.usd(f.flow.net_usd)} net {c.direction} {span}"
    if c.direction == "flat":
        return f"{f.ticker}: no net flows {span}"
    return f"{f.ticker}: price and positioning {span}"


@lru_cache(maxsize=32)
def _environment(template_dir: str | None, prose: bool):
    """Jinja environments are built (and templates compiled) once per folder; edits still reload by mtime."""
    return render.environment(template_dir, prose=prose)


def environment(template_dir: str | Path | None = None, prose: bool = False):
    return _environment(str(template_dir) if template_dir is not None else None, prose)


def draft_sections(f: FundFacts, template_dir: str | Path | None = None) -> tuple[dict[str, str], Claims]:
    """Template text for every section, keyed like SECTION_KEYS."""
    env = environment(template_dir, prose=True)
    c = make_claims(f)
    ctx = context(f, c)
    return {key: render.tidy(env.get_template(f"sections/{key}.md.j2").render(**ctx)) for key in SECTION_KEYS}, c


def warm_templates(template_dir: str | Path | None = None) -> None:
    """Compile every template a note uses now (before a batch forks its workers, so they share the code)."""
    prose = environment(template_dir, prose=True)
    for key in SECTION_KEYS:
        prose.get_template(f"sections/{key}.md.j2")
    prose.get_template("footer.md.j2")
    environment(template_dir).get_template("note.md.j2")


LLMHook = Callable[[dict, dict[str, str], Callable[[str, str], list[str]]], tuple[dict[str, str], dict, dict]]


def compose(f: FundFacts, template_dir: str | Path | None = None, llm: LLMHook | None = None) -> Note:
    """A complete, checked note; `llm(facts_doc, draft, check)` may rewrite sections it can support."""
    draft, c = draft_sections(f, template_dir)
    env = environment(template_dir)
    origins: dict[str, dict] = {k: {"origin": "template", "reason": None} for k in draft}
    run: dict[str, Any] = {}
    texts = dict(draft)
    if llm is not None:
        pre_doc = facts_document(f, None)
        texts, origins, run = llm(pre_doc, draft, section_checker(pre_doc, f.ticker))
    sentiment = score_note(f, "\n\n".join(texts[k] for k in SECTION_KEYS))
    footer = render.tidy(environment(template_dir, prose=True).get_template("footer.md.j2")
                         .render(**context(f, c)))
    title = title_for(f, c)
    headings = list(SECTIONS)
    markdown = env.get_template("note.md.j2").render(
        title=title, sections=texts, headings=headings, sentiment=sentiment, footer=footer)
    markdown = _tidy_markdown(markdown)
    report: CheckReport = check_note(markdown, facts_document(f, sentiment), f.ticker)
    titles = {"lede": "Summary", **dict(SECTIONS)}
    sections = tuple(Section(key=k, title=titles[k], text=texts[k], origin=origins[k]["origin"],
                             reason=origins[k].get("reason")) for k in SECTION_KEYS)
    return Note(ticker=f.ticker, as_of=f.as_of, window=f.window, title=title, sections=sections, footer=footer,
                facts=f, sentiment=sentiment, markdown=markdown, check=report.as_dict(), run=run)


def _tidy_markdown(md: str) -> str:
    lines = [line.rstrip() for line in md.splitlines()]
    out: list[str] = []
    for line in lines:
        if line == "" and out and out[-1] == "":
            continue
        out.append(line)
    return "\n".join(out).strip() + "\n"
