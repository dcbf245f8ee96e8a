"""Typed claims: every number a document may print, as a claim about a subject, a metric and a period.

A claim is built one to one from a fact (or a sentiment score) and keeps the path of that fact in the facts
document, so a reader can go from a number on the page to its claim, and on to the fact and input rows
behind it. Templates never see a raw fact: `tree()` wraps the facts so every number they reach is a claim,
and the number filters record which claim each printed number renders.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Iterator

from pydantic import BaseModel

from .facts.models import Fact, Frozen


class Period(Frozen):
    """What a number covers: a window (start and end), a trailing span, a horizon or a single day."""

    label: str
    start: date | None = None
    end: date | None = None


class Claim(Frozen):
    """One number a document may state, and what it measures."""

    id: str
    subject: str | None = None
    metric: str
    period: Period | None = None
    value: float | int | str
    unit: str
    basis: str | None = None
    fact_refs: tuple[str, ...] = ()
    digits: int | None = None

    @property
    def num(self) -> float:
        return float(self.value)

    @property
    def positive(self) -> bool:
        return self.num > 0

    @property
    def negative(self) -> bool:
        return self.num < 0

    @property
    def nonnegative(self) -> bool:
        return self.num >= 0


# The metric a fact measures, by its path with list positions taken out; otherwise its field name.
_METRICS = {
    "flow.net_usd": "flow_usd", "flow.vendor_net_usd": "vendor_flow_usd", "flow.shares_change": "shares_change",
    "flow.shares_change_pct": "shares_change_pct", "flow.pct_of_aum": "flow_pct_of_aum",
    "flow.adv_days": "flow_adv_multiple", "flow.sessions": "window_sessions", "flow.vendor_days": "vendor_sessions",
    "price.ytd_return": "ytd_price_return", "price.ytd_total_return": "ytd_total_return",
    "price.window_change": "window_price_return",
    "price.day_change": "day_price_return", "price.last": "close", "price.adv_usd": "adv_usd",
    "price.low_52w": "low_52w", "price.high_52w": "high_52w", "price.off_high_pct": "off_high_pct",
    "history.zscore": "z_score", "history.percentile": "percentile", "history.streak_days": "streak_sessions",
    "history.stress_gap_pct": "stress_gap_pp", "history.ytd_usd": "ytd_flow_usd", "history.ytd_other_usd": "ytd_flow_usd", "history.m1_usd": "flow_usd",
    "history.m3_usd": "flow_usd", "history.cum_10d_usd": "flow_usd", "history.cum_10d_pct": "flow_pct",
    "history.momentum_1m": "price_momentum", "history.momentum_3m": "price_momentum",
    "history.realized_vol": "realized_vol", "identity.expense_ratio": "expense_ratio",
    "components.day_change": "day_price_return", "components.weight": "weight", "components.flow_usd": "basket_flow_usd",
    "peers.net_usd": "flow_usd", "peers.vendor_days": "vendor_sessions", "inflows.net_usd": "flow_usd", "outflows.net_usd": "flow_usd",
    "returns.ret": "forward_return", "ytd_return": "ytd_price_return", "ytd_flows_usd": "ytd_flow_usd",
    "net_usd": "flow_usd", "category_net_usd": "category_flow_usd", "category_funds": "category_funds",
    "track_record.cases": "track_cases", "track_record.reversals": "track_reversals",
    "track_record.reversal_share": "track_reversal_share", "track_record.horizon_sessions": "track_horizon_sessions",
    "track_record.since": "track_since",
}
# Print precision some claims always carry (others follow the filter's own rule).
_DIGITS = {"identity.expense_ratio": 2, "history.base_rate.reversal_share": 0, "track_record.reversal_share": 0, "history.zscore": 1,
           "sentiment.score": 2, "sentiment.ticker_sentiment.score": 2, "sentiment.ticker_sentiment.relevance": 2}
_TRAILING = {"price.ytd_total_return": "ytd", "ytd_return": "ytd", "ytd_flows_usd": "ytd", "history.ytd_usd": "ytd",
             "history.ytd_other_usd": "ytd", "history.streak_days": "in a row", "price.ytd_return": "ytd", "history.m1_usd": "1m", "history.m3_usd": "3m",
             "history.momentum_1m": "1m", "history.momentum_3m": "3m", "history.realized_vol": "1m",
             "price.low_52w": "52w", "price.high_52w": "52w", "price.off_high_pct": "52w",
             "history.cum_10d_usd": "10 sessions", "history.cum_10d_pct": "10 sessions"}
_INDEX = re.compile(r"\[\d+\]")
_PREFIX = re.compile(r"^notes\.|^rotation\.(?:analog\.)?(?:inflow|outflow)\.")
_WINDOWED = {"price.window_change", "components.window_change", "components.flow_usd", "category_net_usd",
             "category_funds"}


def _generic(path: str) -> str:
    """`notes[0].flow.net_usd` -> `flow.net_usd`; `components[2].weight` -> `components.weight`."""
    g = _INDEX.sub("", path)
    if g.startswith("rotations."):
        g = "rotation." + g[len("rotations."):]
    while True:
        h = _PREFIX.sub("", g)
        if h == g:
            return g
        g = h


def _walk(node: Any, path: str, ticker: str | None) -> Iterator[tuple[str, Any, str | None]]:
    """(path, fact, enclosing ticker) for every fact under a facts model, in the facts document's paths."""
    if isinstance(node, Fact):
        yield path, node, ticker
    elif isinstance(node, BaseModel):
        ticker = getattr(node, "ticker", None) if isinstance(getattr(node, "ticker", None), str) else ticker
        for name, spec in type(node).model_fields.items():
            if spec.exclude:  # not in the facts document (a chart's daily series): no claim can cite it
                continue
            value = getattr(node, name)
            if value is not None:
                yield from _walk(value, f"{path}.{name}" if path else name, ticker)
    elif isinstance(node, tuple):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}[{i}]", ticker)


def _period(generic: str, fact: Fact, window: dict[str, Any]) -> Period | None:
    if generic in _WINDOWED:
        return Period(**window)
    if generic in _TRAILING:
        return Period(label=_TRAILING[generic], end=fact.as_of)
    if generic.startswith("flow.") or generic.endswith("net_usd") or generic in ("history.zscore", "history.percentile"):
        return Period(**window)
    if generic.startswith("price.") or generic.startswith("components."):
        return Period(label="day", end=fact.as_of)
    return None


def build(facts: BaseModel, digits: dict[str, int] | None = None, subject: str | None = None) -> dict[str, Claim]:
    """Every claim of a document, by id (the fact's path in the facts document)."""
    flow = getattr(facts, "flow", None)
    start = getattr(facts, "start", None) or getattr(flow, "start", None)
    end = getattr(facts, "end", None) or getattr(flow, "end", None)
    window = {"label": facts.window, "start": date.fromisoformat(start.value) if start else None,
              "end": date.fromisoformat(end.value) if end else None}
    digits = {**_DIGITS, **(digits or {})}
    out: dict[str, Claim] = {}
    for path, fact, ticker in _walk(facts, "", subject):
        generic = _generic(path)
        field = generic.rsplit(".", 1)[-1]
        out[path] = Claim(
            id=path, subject=fact.ticker or ticker, metric=_METRICS.get(generic, field),
            period=_period(generic, fact, window), value=fact.value, unit=fact.kind, basis=fact.basis,
            fact_refs=(f"facts.{path}",), digits=digits.get(generic))
    for path, claim in list(out.items()):
        since = out.get(path.replace("ytd_usd", "ytd_since")) if path.endswith("history.ytd_usd") else None
        if since is not None:  # a "year-to-date" sum whose series begins later covers only from there
            out[path] = claim.model_copy(update={"period": Period(
                label="since", start=date.fromisoformat(str(since.value)), end=claim.period.end)})
    return out


def build_sentiment(sentiment: BaseModel, digits: dict[str, int] | None = None,
                    subject: str | None = None) -> dict[str, Claim]:
    """The document's sentiment scores as claims (the scores are facts of the document once it is scored)."""
    digits = {**_DIGITS, **(digits or {})}
    out = {}
    for path, value, ticker in _sentiment_scores(sentiment, subject):
        generic = _INDEX.sub("", path)
        out[path] = Claim(id=path, subject=ticker, metric=generic.replace(".", "_"), value=value, unit="score",
                          fact_refs=(path,), digits=digits.get(generic))
    return out


def _sentiment_scores(sentiment: BaseModel, subject: str | None):
    for key in ("score", "facts_score", "text_score"):
        yield f"sentiment.{key}", getattr(sentiment, key), subject
    for i, row in enumerate(sentiment.ticker_sentiment):
        for key in ("score", "relevance"):
            yield f"sentiment.ticker_sentiment[{i}].{key}", getattr(row, key), row.ticker


class Node:
    """A facts (or sentiment) model as templates see it: every number under it is a `Claim`."""

    __slots__ = ("_model", "_path", "_claims")

    def __init__(self, model: BaseModel, path: str, claims: dict[str, Claim]):
        self._model, self._path, self._claims = model, path, claims

    def __getattr__(self, name: str):
        field = type(self._model).model_fields.get(name)
        if field is not None and field.exclude:  # not in the facts document (a chart's daily series): no claim
            raise AttributeError(f"{name} is not for templates: it is not in the facts document")
        value = getattr(self._model, name)
        if callable(value) and not isinstance(value, BaseModel):
            return self._method(value)
        return wrap(value, f"{self._path}.{name}" if self._path else name, self._claims)

    def _method(self, fn):
        """A model method that returns one of the model's own parts, wrapped at that part's path."""

        def call(*args):
            result = fn(*args)
            for name in type(self._model).model_fields:
                items = getattr(self._model, name)
                if isinstance(items, tuple):
                    for i, item in enumerate(items):
                        if item is result:
                            return wrap(item, f"{self._path}.{name}[{i}]", self._claims)
            return wrap(result, self._path, self._claims)

        return call

    def __repr__(self) -> str:
        return f"Node({self._path or type(self._model).__name__})"


def wrap(value: Any, path: str, claims: dict[str, Claim]):
    if path in claims:
        return claims[path]
    if isinstance(value, BaseModel):
        return Node(value, path, claims)
    if isinstance(value, tuple):
        return tuple(wrap(v, f"{path}[{i}]", claims) for i, v in enumerate(value))
    return value


def tree(model: BaseModel, claims: dict[str, Claim], path: str = "") -> Node:
    return Node(model, path, claims)
