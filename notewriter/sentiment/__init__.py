"""Sentiment: a facts signal and a text signal, combined overall and per ticker."""

from __future__ import annotations

import math
import re

from pydantic import BaseModel, ConfigDict

from ..facts.models import FundFacts
from .text import label_for

FACTS_WEIGHT = 0.6
TEXT_WEIGHT = 0.4
DISAGREEMENT_GAP = 0.5




class TickerSentiment(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    ticker: str
    relevance: float
    score: float
    label: str


class Sentiment(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    score: float
    label: str
    facts_score: float
    text_score: float
    disagreement: bool
    ticker_sentiment: tuple[TickerSentiment, ...]


def fund_signal(flow_z: float | None, flow_pct_of_aum: float | None, momentum: float | None) -> float:
    """Flow against the fund's own history and price momentum -> [-1, 1].

    Bounded, monotone in each input, odd (flip every input, flip the score), 0 for flat inputs.
    """
    if flow_z is not None:
        flow = math.tanh(flow_z / 2)
    elif flow_pct_of_aum is not None:
        flow = math.tanh(flow_pct_of_aum / 0.01)
    else:
        flow = 0.0
    mom = math.tanh(momentum / 0.05) if momentum is not None else 0.0
    return 0.6 * flow + 0.4 * mom


def component_signal(day_change: float | None, window_change: float | None) -> float:
    """A holding's own day move and window momentum -> [-1, 1]; same properties as fund_signal."""
    day = math.tanh(day_change / 0.02) if day_change is not None else 0.0
    win = math.tanh(window_change / 0.05) if window_change is not None else 0.0
    return 0.5 * day + 0.5 * win


def facts_signals(f: FundFacts) -> dict[str, float]:
    """Facts signal for the fund and each component with prices."""
    h = f.history
    momentum = (h.momentum_1m.num if h.momentum_1m is not None
                else f.price.window_change.num if f.price.window_change is not None else None)
    signals = {f.ticker: fund_signal(
        h.zscore.num if h.zscore is not None else None,
        f.flow.pct_of_aum.num if f.flow.pct_of_aum is not None else None,
        momentum)}
    for c in f.components:
        if c.day_change is not None or c.window_change is not None:
            signals[c.ticker] = component_signal(c.day_change.num if c.day_change else None,
                                                 c.window_change.num if c.window_change else None)
    return signals


def _mentions(sentence: str, ticker: str, names: tuple[str, ...]) -> bool:
    if re.search(rf"(?<![A-Za-z0-9]){re.escape(ticker)}(?![A-Za-z0-9])", sentence):
        return True
    return any(n and n in sentence for n in names)


def blend(sections_text: str, facts_overall: float, signals: dict[str, float],
          names: dict[str, tuple[str, ...]], always: tuple[str, ...] = ()) -> Sentiment:
    """Combine facts signals with the text signal: overall, and per ticker for each ticker in `names`
    that the text mentions (by ticker or by one of its names) or that is listed in `always`."""
    from . import text as text_model  # the model loads on first use, not at import

    sentences = [s for s in text_model.split_sentences(sections_text) if s.strip()]
    scores = [text_model.score_sentence(s) for s in sentences]
    text_overall = sum(scores) / len(scores) if scores else 0.0
    per = []
    for ticker, aliases in names.items():
        hits = [i for i, s in enumerate(sentences) if _mentions(s, ticker, aliases)]
        if not hits and ticker not in always:
            continue
        relevance = len(hits) / len(sentences) if sentences else 0.0
        text_t = sum(scores[i] for i in hits) / len(hits) if hits else None
        fact_t = signals.get(ticker)
        if fact_t is not None and text_t is not None:
            s = FACTS_WEIGHT * fact_t + TEXT_WEIGHT * text_t
        else:
            s = fact_t if fact_t is not None else text_t
        per.append(TickerSentiment(ticker=ticker, relevance=round(relevance, 2), score=round(s, 2),
                                   label=label_for(round(s, 2))))
    per.sort(key=lambda t: (-t.relevance, t.ticker not in always, t.ticker))  # the subject first on a tie
    overall = round(FACTS_WEIGHT * facts_overall + TEXT_WEIGHT * text_overall, 2)
    disagreement = (facts_overall * text_overall < 0) and abs(facts_overall - text_overall) > DISAGREEMENT_GAP
    return Sentiment(score=overall, label=label_for(overall), facts_score=round(facts_overall, 2),
                     text_score=round(text_overall, 2), disagreement=disagreement, ticker_sentiment=tuple(per))


def score_note(f: FundFacts, sections_text: str, extra_tickers: dict[str, tuple[str, ...]] | None = None
               ) -> Sentiment:
    """A fund note: the fund always has a row; its holdings (and `extra_tickers`) when mentioned."""
    names = {f.ticker: (f.identity.name,)}
    names.update({c.ticker: (c.name,) for c in f.components})
    for t, n in (extra_tickers or {}).items():
        names.setdefault(t, n)
    signals = facts_signals(f)
    return blend(sections_text, signals[f.ticker], signals, names, always=(f.ticker,))
