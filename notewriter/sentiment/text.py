"""Finance-aware text sentiment: a lexicon layer plus a small linear model, blended per sentence.

Everything here runs offline with numpy and the standard library only. The lexicon lives in
:mod:`.lexicon`, tokenising and features in :mod:`.features`, the linear model in :mod:`.model`;
this module is the public scoring entry point and re-exports what callers use.

Public API: :func:`score_sentence`, :func:`classify`, :func:`score_text`,
:func:`split_sentences`, :func:`score_for_target`, :func:`label_for`,
:func:`lexicon_score`, :func:`predict_proba`.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from ..sentences import split_sentences
from .features import LexiconResult, _lexicon, lexicon_features, lexicon_score, normalize, raw_features
from .model import CLASSES, TextModel

# Used through this module by scripts/train_sentiment.py and the tests.
from .features import _char_hashes  # noqa: E402,F401
from .lexicon import LEXICON_VERSION  # noqa: E402,F401
from .model import MODEL_PATH  # noqa: E402,F401

# --------------------------------------------------------------------------
# Score bands
# --------------------------------------------------------------------------


def label_for(score: float) -> str:
    """Map a score in [-1, 1] to the news-sentiment band label."""
    if score <= -0.35:
        return "Bearish"
    if score <= -0.15:
        return "Somewhat-Bearish"
    if score < 0.15:
        return "Neutral"
    if score < 0.35:
        return "Somewhat-Bullish"
    return "Bullish"


# --------------------------------------------------------------------------
# The loaded model
# --------------------------------------------------------------------------

# Loaded on first use. It lives here, not in .model, so that setting ``text._MODEL`` (as
# scripts/train_sentiment.py does with a freshly trained model) changes what the scorers use.
_MODEL: TextModel | None = None


def _model() -> TextModel:
    global _MODEL
    if _MODEL is None:
        _MODEL = TextModel()
    return _MODEL


def predict_proba(text: str) -> dict[str, float]:
    """Model probabilities for Bearish / Neutral / Bullish."""
    p = _model().predict_proba(text)
    return {c: float(p[i]) for i, c in enumerate(CLASSES)}


# --------------------------------------------------------------------------
# Public scoring API
# --------------------------------------------------------------------------

# How much the lexicon counts in the blended score: more when it found a
# metric-direction pair (structural evidence the Twitter-trained model may
# not have seen, e.g. "redemptions accelerated"), none when it found nothing.
_LEX_WEIGHT_PAIRED = 0.6
_LEX_WEIGHT_WORDS = 0.35


@lru_cache(maxsize=1 << 16)
def score_sentence(text: str) -> float:
    """Sentiment of one sentence in [-1, 1]: P(bullish) - P(bearish) blended with the lexicon.

    Memoised: a universe of notes repeats many sentences word for word, and the score is a pure
    function of the text."""
    if not text or not text.strip():
        return 0.0
    lex = _lexicon(text)
    p = _model().predict_proba(text, lex)
    model_score = float(p[2] - p[0])
    if lex.events == 0:
        s = model_score
    else:
        w = _LEX_WEIGHT_PAIRED if lex.paired else _LEX_WEIGHT_WORDS
        s = (1.0 - w) * model_score + w * lex.score
    return max(-1.0, min(1.0, s))


def classify(text: str) -> str:
    """'Bearish' | 'Neutral' | 'Bullish' — the model's most probable class."""
    if not text or not text.strip():
        return "Neutral"
    p = _model().predict_proba(text)
    return CLASSES[int(np.argmax(p))]


_TRIVIAL = 0.05


def score_text(text: str) -> float:
    """Mean sentence score over sentences with a non-trivial score; 0.0 for empty text."""
    scores = [score_sentence(s) for s in split_sentences(text)]
    strong = [s for s in scores if abs(s) >= _TRIVIAL]
    if not strong:
        return 0.0
    return float(sum(strong) / len(strong))


# Clause boundaries for per-target scoring: ';', ': ', ', ', ' - ' and contrastive conjunctions.
_CLAUSE_SPLIT_RE = re.compile(
    r";|:\s|,\s+|\s+[-–—]\s+|\s+(?:but|while|whereas|although|though|however)\s+",
    re.IGNORECASE,
)
# Weight of the clauses naming the target against the whole text (chosen on the
# FiQA 2018 task 1 *training* files: 0.5 keeps the overall correlation while
# separating targets that share a headline, e.g. "builds Deere stake, dumps Exxon").
_TARGET_LOCAL_WEIGHT = 0.5


def _mentions(text: str, target: str) -> bool:
    t = target.strip().lower().lstrip("$")
    if not t:
        return False
    low = text.lower()
    if re.search(r"(?<![a-z0-9])\$?" + re.escape(t) + r"(?![a-z0-9])", low):
        return True
    # multi-word names: the distinctive first word ("Royal" of "Royal Mail" is not enough,
    # but "AstraZeneca" of "AstraZeneca Plc" is)
    parts = [p for p in re.split(r"\s+", t) if p]
    if len(parts) > 1 and len(parts[0]) >= 5:
        return re.search(r"(?<![a-z0-9])" + re.escape(parts[0]) + r"(?![a-z0-9])", low) is not None
    return False


def score_for_target(text: str, target: str) -> float:
    """Sentiment of ``text`` towards ``target`` (a company, fund or ticker) in [-1, 1].

    The clauses that name the target (split at ';', ':', commas, dashes and
    'but'/'while'/...) are scored on their own and averaged with the score of
    the whole text, which keeps context such as a post's second sentence.
    When no sentence names the target the whole-text score is returned.
    """
    whole = score_text(text)
    hits: list[float] = []
    for s in split_sentences(text) or [text]:
        if not _mentions(s, target):
            continue
        clauses = [c.strip() for c in _CLAUSE_SPLIT_RE.split(s) if c and c.strip()]
        named = [c for c in clauses if _mentions(c, target)]
        if len(clauses) > 1 and named:
            hits.append(sum(score_sentence(c) for c in named) / len(named))
        else:
            hits.append(score_sentence(s))
    if not hits:
        return whole
    local = sum(hits) / len(hits)
    return float(_TARGET_LOCAL_WEIGHT * local + (1.0 - _TARGET_LOCAL_WEIGHT) * whole)


__all__ = [
    "CLASSES",
    "LexiconResult",
    "TextModel",
    "classify",
    "label_for",
    "lexicon_features",
    "lexicon_score",
    "normalize",
    "predict_proba",
    "raw_features",
    "score_for_target",
    "score_sentence",
    "score_text",
    "split_sentences",
]
