"""The declaration of a document kind, and the registry kinds add themselves to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from pydantic import BaseModel


@dataclass(frozen=True)
class Kind:
    """What a document kind is made of.

    `context(facts, claims, rules)` returns the template variables (claims wrapped with `claims.tree`); a
    phrase it builds around a filter's number is a `render.Markdown` string, with any vendor string in it
    escaped by `render.md_escape` (templates escape every plain string they print, markers included);
    `title(facts, context)` the title, Markdown likewise (its numbers printed through the filters, so they
    are claims too);
    `sentiment(facts, text)` the document's sentiment from its facts and its final prose.
    """

    name: str
    sections: tuple[tuple[str, str], ...]  # (key, title), in reading order; the first is the untitled lede
    template: str  # section template path, with {key}
    layout: str
    footer: str
    context: Callable[..., dict[str, Any]]
    title: Callable[[BaseModel, dict[str, Any]], str]
    sentiment: Callable[[BaseModel, str], Any]
    subjects: Callable[[BaseModel], tuple[str, ...]]
    default_ticker: Callable[[BaseModel], str | None]
    # calls(facts, context, sentiment): the calls the document makes (notewriter.calls); None: it makes none
    calls: Callable[..., tuple] | None = None
    tables: frozenset[str] = frozenset()  # sections laid out as lines (kept as built, never rewritten)
    digits: dict[str, int] = field(default_factory=dict)  # print precision of claims, by generic fact path
    boxes: tuple[tuple[str, str], ...] = ()  # (key, template): boxes the HTML page shows beside the text

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k for k, _ in self.sections)

    def template_for(self, key: str) -> str:
        return self.template.format(key=key)


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _KINDS[kind.name] = kind
    return kind

