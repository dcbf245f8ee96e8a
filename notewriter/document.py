"""The document every kind produces (fund note, digest): sections, claims, and where each claim is printed."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from .calls import NoteCall
from .claims import Claim
from .errors import CheckFailed
from .facts.models import DigestFacts, FundFacts
from .jsontext import dumps_indented
from .sentiment import Sentiment


class Span(BaseModel):
    """Characters [start, end) of a text print the value of claim `claim`."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    start: int
    end: int
    claim: str


class Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    key: str
    title: str
    text: str
    origin: str = "template"
    reason: str | None = None
    spans: tuple[Span, ...] = ()


class Document(BaseModel):
    """A composed, checked document; `spans` index into `markdown`, each section's into its `text`."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)
    kind: str
    subjects: tuple[str, ...]
    as_of: date
    window: str
    title: str
    sections: tuple[Section, ...]
    footer: str
    facts: FundFacts | DigestFacts
    claims: tuple[Claim, ...]
    spans: tuple[Span, ...]
    sentiment: Sentiment
    markdown: str
    check: dict
    rules: dict[str, Any] = {}
    run: dict[str, Any] = {}
    calls: tuple[NoteCall, ...] = ()
    # Markdown of the boxes an HTML page shows beside the text (the key figures), each checked like the text;
    # not part of the JSON document
    boxes: dict[str, str] = {}

    @property
    def ticker(self) -> str | None:
        """The fund a fund note is about (None for documents about many funds)."""
        return self.subjects[0] if self.kind == "fund" else None

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def claim(self, claim_id: str) -> Claim:
        return next(c for c in self.claims if c.id == claim_id)

    def facts_document(self) -> dict:
        return facts_document(self.facts, self.sentiment, self.ticker)

    @property
    def name(self) -> str:
        return f"the {self.ticker} note" if self.kind == "fund" else f"the {self.kind}"

    def require_supported(self) -> "Document":
        """The document itself, or CheckFailed naming every number the checker could not trace."""
        if not self.check["ok"]:
            raise CheckFailed(self.name, [x for x in self.check["findings"] if not x.get("matched")])
        return self


def facts_document(facts: FundFacts | DigestFacts, sentiment: Sentiment | None, ticker: str | None) -> dict:
    """Everything a number in the document can be checked against (what `notewriter facts` prints)."""
    doc = {"ticker": ticker, "as_of": facts.as_of.isoformat(), "window": facts.window,
           "facts": facts.model_dump(mode="json", exclude_none=True)}
    if sentiment is not None:
        doc["sentiment"] = sentiment.model_dump(mode="json")
    return doc


def _spans(spans) -> list[dict]:
    return [{"start": s.start, "end": s.end, "claim": s.claim} for s in spans]


def to_json(doc: Document) -> str:
    """The one JSON shape of every kind."""
    out = {
        "kind": doc.kind, "ticker": doc.ticker, "subjects": list(doc.subjects), "as_of": doc.as_of.isoformat(),
        "window": doc.window, "title": doc.title,
        "sections": {s.key: {"title": s.title, "text": s.text, "origin": s.origin,
                             **({"reason": s.reason} if s.reason else {}), "spans": _spans(s.spans)}
                     for s in doc.sections},
        "sentiment": doc.sentiment.model_dump(mode="json"),
        "check": doc.check,
        "claims": [c.model_dump(mode="json", exclude_none=True) for c in doc.claims],
        "calls": [c.model_dump(mode="json", exclude_none=True) for c in doc.calls],
        "spans": _spans(doc.spans),
        "rules": doc.rules,
        "facts": doc.facts.model_dump(mode="json", exclude_none=True),
        "footer": doc.footer,
        "markdown": doc.markdown,
    }
    if doc.run:
        out["run"] = doc.run
    return dumps_indented(out) + "\n"
