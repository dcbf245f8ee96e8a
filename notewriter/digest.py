"""The daily flows digest: leaderboard, headline rotation, its historical analog, and the note's sections."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict

from . import calendar, render
from .check import check_note, section_checker
from .claims import make_claims
from .errors import UsageError
from .facts.analogs import leaderboard, rotations
from .config import Rules
from .facts.build import _dates, _FactMaker, _flag, _iso, build_facts, config_facts, window_start
from .facts.models import WINDOW_WORDS, DigestFacts, Window
from .facts.panel import Panel, panel_for
from .note import SECTIONS, context, environment
from .sentiment import Sentiment, blend, facts_signals
from .sources.base import Source

DIGEST_KEYS = ("lede", "leaderboard", "rotation", "analog") + tuple(k for k, _ in SECTIONS)
DIGEST_TITLES = {"lede": "Summary", "leaderboard": "Leaderboard", "rotation": "The rotation",
                 "analog": "Last time", **dict(SECTIONS)}


def digest_facts(source: Source, as_of: date | str | None, window: Window = "1d", settings: Rules | None = None,
                 panel: Panel | None = None) -> DigestFacts:
    """Leaderboard, rotations with analogs, and the headline pair's fund facts for one date and window."""
    if window not in ("1d", "1w", "1m"):
        raise UsageError(f"the digest covers 1d, 1w or 1m windows, not {window!r}")
    settings = settings or Rules()
    panel = panel or panel_for(source)
    if not len(panel.sessions):
        raise UsageError("the data directory has no prices")
    requested = pd.Timestamp(as_of) if as_of is not None else panel.sessions[-1]
    end = calendar.session_on_or_before(requested)
    if end > panel.sessions[-1]:
        end = panel.sessions[-1]
    start = window_start(end, window)
    snap = panel.snapshot(end, window, start, settings)
    inflows, outflows = leaderboard(panel, snap, settings.leaderboard_size)
    rots = rotations(panel, snap, inflows, outflows)
    F = _FactMaker(None, end.date())
    quality = []
    known = int(pd.Series(snap.f["net"]).notna().sum())
    if panel.errors:
        quality.append(_flag(F, "unreadable_funds", "{n} fund(s) in the data directory could not be read and are "
                             "left out", n=(len(panel.errors), "count")))
    notes = []
    if rots:
        for t in (rots[0].inflow.ticker, rots[0].outflow.ticker):
            notes.append(build_facts(t, end, window, source, settings=settings, panel=panel))
    return DigestFacts(
        as_of=end.date(), window=window, start=F(_iso(start), "date", "calendar XNYS"),
        end=F(_iso(end), "date", "calendar XNYS"), funds=F(len(panel.funds), "count", "derived"),
        funds_with_flows=F(known, "count", "derived"), inflows=inflows, outflows=outflows,
        rotation=rots[0] if rots else None, rotations=rots, notes=tuple(notes), quality=tuple(quality),
        config=config_facts(F, settings), dates=_dates(F, end), data_label=source.label, synthetic=source.synthetic)


class Digest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)
    as_of: date
    window: str
    title: str
    sections: dict[str, str]
    origins: dict[str, dict] = {}
    footer: str
    facts: DigestFacts
    sentiment: Sentiment
    markdown: str
    check: dict
    run: dict[str, Any] = {}

    @property
    def ticker(self) -> str:
        return "DIGEST"

    def facts_document(self) -> dict:
        return digest_document(self.facts, self.sentiment)


def digest_document(d: DigestFacts, sentiment: Sentiment | None) -> dict:
    """Everything a number in the digest can be checked against."""
    doc = {"ticker": None, "as_of": d.as_of.isoformat(), "window": d.window,
           "facts": d.model_dump(mode="json", exclude_none=True)}
    if sentiment is not None:
        doc["sentiment"] = sentiment.model_dump(mode="json")
    return doc


def _sentiment(d: DigestFacts, text: str) -> Sentiment:
    """Facts signal of the headline pair and the text signal, per leaderboard ticker the text mentions."""
    signals = {f.ticker: facts_signals(f)[f.ticker] for f in d.notes}
    facts_overall = sum(signals.values()) / len(signals) if signals else 0.0
    names = {r.ticker: () for r in d.inflows + d.outflows}
    return blend(text, facts_overall, signals, names)


def _title(d: DigestFacts) -> str:
    end = render.longdate(d.end)
    span = {"1d": f"on {end}", "1w": f"in the week to {end}", "1m": f"in the month to {end}"}[d.window]
    if d.rotation:
        return f"ETF flows {span}: {d.rotation.inflow.ticker} in, {d.rotation.outflow.ticker} out"
    return f"ETF flows {span}"


def compose_digest(d: DigestFacts, template_dir: str | Path | None = None, llm=None) -> Digest:
    """A complete, checked digest; `llm(facts_doc, draft, check)` may rewrite its prose sections."""
    env = environment(template_dir, prose=True)
    ctx: dict = {"d": d, "r": d.rotation, "seed": f"digest|{d.as_of}|{d.window}",
                 "window_noun": WINDOW_WORDS[d.window], "pair": {}, "claims": {}}
    if d.notes:
        fi, fo = d.notes[0], d.notes[1]
        ctx.update(fi=fi, fo=fo, ci=make_claims(fi), co=make_claims(fo), ctx_in=context(fi, make_claims(fi)))
    period = {"1d": f"on {render.longdate(d.end)}", "1w": f"in the week to {render.longdate(d.end)}",
              "1m": f"in the month to {render.longdate(d.end)}"}[d.window]
    ctx["period"] = period
    texts = {}
    layout = environment(template_dir)
    for key in DIGEST_KEYS:
        if key == "leaderboard":  # a table: keep its lines
            texts[key] = layout.get_template(f"digest_{key}.md.j2").render(**ctx).strip("\n")
        else:
            texts[key] = render.tidy(env.get_template(f"digest_{key}.md.j2").render(**ctx))
    origins = {k: {"origin": "template", "reason": None} for k in texts}
    run: dict[str, Any] = {}
    if llm is not None:
        pre_doc = digest_document(d, None)
        prose = {k: v for k, v in texts.items() if k != "leaderboard"}  # the table stays as built
        rewritten, prose_origins, run = llm(pre_doc, prose, section_checker(pre_doc))
        texts.update(rewritten)
        origins.update(prose_origins)
    sentiment = _sentiment(d, "\n\n".join(texts[k] for k in DIGEST_KEYS if k != "leaderboard"))
    footer = render.tidy(env.get_template("digest_footer.md.j2").render(**ctx))
    title = _title(d)
    headings = [(k, DIGEST_TITLES[k]) for k in DIGEST_KEYS if k != "lede"]
    markdown = layout.get_template("digest.md.j2").render(title=title, sections=texts, headings=headings,
                                                          sentiment=sentiment, footer=footer)
    from .note import _tidy_markdown

    markdown = _tidy_markdown(markdown)
    report = check_note(markdown, digest_document(d, sentiment))
    return Digest(as_of=d.as_of, window=d.window, title=title, sections=texts, origins=origins, footer=footer,
                  facts=d, sentiment=sentiment, markdown=markdown, check=report.as_dict(), run=run)


def write_digest(source: Source, as_of: date | str | None, window: Window = "1d", template_dir=None,
                 settings: Rules | None = None, panel: Panel | None = None, llm=None) -> Digest:
    return compose_digest(digest_facts(source, as_of, window, settings, panel), template_dir, llm=llm)


def render_digest(dg: Digest, fmt: str) -> str:
    from .publish import render_as

    return render_as(dg, fmt, json_writer=_digest_json)


def _digest_json(dg: Digest) -> str:
    doc = {"kind": "digest", "as_of": dg.as_of.isoformat(), "window": dg.window, "title": dg.title,
           "sections": {k: {"title": DIGEST_TITLES[k], "text": v,
                            **{key: val for key, val in dg.origins.get(k, {}).items() if val is not None}}
                        for k, v in dg.sections.items()},
           "sentiment": dg.sentiment.model_dump(mode="json"), "check": dg.check,
           "facts": dg.facts.model_dump(mode="json", exclude_none=True), "footer": dg.footer,
           "markdown": dg.markdown, **({"run": dg.run} if dg.run else {})}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
