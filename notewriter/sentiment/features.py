"""Tokenising and feature extraction: lexicon events and hashed word and character n-grams.

* The lexicon layer finds metric-direction pairs, polar words and bare directions in a sentence,
  flips them under negation ("inflows did not materialize"), scales them with intensifiers
  ("sharply", "slightly") and half-weights concessive or contrasted clauses.
* The statistical layer's features are hashed word 1-2-grams and character n-grams of the
  normalised text plus the dense lexicon features; ``scripts/train_sentiment.py`` builds its
  matrices from :func:`raw_features`, so training and runtime featurize alike.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

from .lexicon import (
    _ADVERSATIVE,
    _BACKGROUND_WEIGHT,
    _BOUNDARIES,
    _CONCESSIVE,
    _DOWN,
    _INT_WINDOW,
    _INTENSIFIERS,
    _MAX_PHRASE,
    _METRICS,
    _NEG_WINDOW,
    _NEGATORS,
    _PAIR_WINDOW,
    _PHRASE_STARTS,
    _PHRASES,
    _POLAR,
    _SENTENCE_ENDS,
    _SOFT_BOUNDARIES,
    _UNPAIRED_DIRECTION,
    _UP,
)

# --------------------------------------------------------------------------
# Lexicon layer
# --------------------------------------------------------------------------

_LEX_TOKEN_RE = re.compile(
    r"[a-z][a-z&]*(?:[-'][a-z]+)*n't|[a-z0-9][a-z0-9&]*(?:[-'][a-z0-9]+)*"
    r"|[+\-]\d+(?:[.,]\d+)*%|[.,;:!?]"
)


def _lex_tokens(text: str) -> list[str]:
    toks: list[str] = []
    for t in _LEX_TOKEN_RE.findall(text.lower().replace("’", "'")):
        if t.endswith("n't") and len(t) > 3:
            stem = t[:-3]
            toks.append({"ca": "can", "wo": "will", "sha": "shall"}.get(stem, stem))
            toks.append("n't")
        elif t.endswith("'s"):
            toks.append(t[:-2])
        else:
            toks.append(t)
    # join multi-word expressions
    out: list[str] = []
    i = 0
    n = len(toks)
    while i < n:
        if toks[i] not in _PHRASE_STARTS:
            out.append(toks[i])
            i += 1
            continue
        for L in range(min(_MAX_PHRASE, n - i), 1, -1):
            key = tuple(toks[i : i + L])
            if key in _PHRASES:
                out.append(_PHRASES[key])
                i += L
                break
        else:
            out.append(toks[i])
            i += 1
    return out


def _direction(tok: str) -> int:
    if tok in _UP:
        return 1
    if tok in _DOWN:
        return -1
    if tok[0] in "+-" and tok.endswith("%") and len(tok) > 2:
        return 1 if tok[0] == "+" else -1
    return 0


# Event kinds, in the order of LexiconResult.by_kind.
_KINDS = ("pair", "polar", "metric", "direction")


@dataclass(frozen=True)
class LexiconResult:
    score: float  # tanh-squashed sum of event polarities, in (-1, 1)
    positive: float  # sum of positive event weights
    negative: float  # sum of |negative| event weights
    events: int
    paired: int  # metric-direction pairs found
    negated: int = 0  # events flipped by a negator
    by_kind: tuple[float, ...] = (0.0,) * (2 * len(_KINDS))  # (pos, neg) per kind


def _clause_ids(toks: list[str]) -> tuple[list[int], list[int]]:
    """Clause id per token (hard boundaries) and phrase id (also split at commas)."""
    clause, phrase = [], []
    c = p = 0
    for t in toks:
        if t in _BOUNDARIES:
            c += 1
            p += 1
        elif t in _SOFT_BOUNDARIES:
            p += 1
        clause.append(c)
        phrase.append(p)
    return clause, phrase


def _token_weights(toks: list[str]) -> list[float]:
    """Half weight for concessive clauses and for what precedes an adversative."""
    n = len(toks)
    w = [1.0] * n
    for i, t in enumerate(toks):
        if t in _CONCESSIVE:
            j = i + 1
            while j < n and toks[j] not in _BOUNDARIES and toks[j] != ",":
                w[j] = _BACKGROUND_WEIGHT
                j += 1
        elif t in _ADVERSATIVE:
            j = i - 1
            while j >= 0 and toks[j] not in _SENTENCE_ENDS:
                w[j] = _BACKGROUND_WEIGHT
                j -= 1
    return w


def _lexicon(text: str) -> LexiconResult:
    toks = _lex_tokens(text)
    n = len(toks)
    if n == 0:
        return LexiconResult(0.0, 0.0, 0.0, 0, 0)
    clause, phrase = _clause_ids(toks)
    weight = _token_weights(toks)
    used = [False] * n
    events: list[tuple[float, int, int, int]] = []  # (polarity, token, partner or same, kind)

    dirs = [_direction(t) for t in toks]
    metric_pos = [i for i, t in enumerate(toks) if t in _METRICS]
    paired = 0
    for i, d in enumerate(dirs):
        if not d:
            continue
        best = None
        for j in metric_pos:
            if used[j] or clause[j] != clause[i]:
                continue
            dist = abs(j - i)
            if dist == 0 or dist > _PAIR_WINDOW:
                continue
            # prefer the metric before the verb ("profit rose") on ties
            key = (dist, 0 if j < i else 1)
            if best is None or key < best[0]:
                best = (key, j)
        if best is not None:
            j = best[1]
            used[i] = used[j] = True
            events.append((float(d * _METRICS[toks[j]][0]), min(i, j), max(i, j), 0))
            paired += 1
    for i, t in enumerate(toks):
        if used[i]:
            continue
        if t in _METRICS and _METRICS[t][1]:
            events.append((_METRICS[t][1], i, i, 2))
            used[i] = True
        elif t in _POLAR:
            events.append((_POLAR[t], i, i, 1))
            used[i] = True
        elif dirs[i]:
            events.append((_UNPAIRED_DIRECTION * dirs[i], i, i, 3))
            used[i] = True

    total = pos = neg = 0.0
    n_neg = 0
    kinds = [0.0] * (2 * len(_KINDS))
    for pol, a, b, kind in events:
        mult = 1.0
        for k in range(max(0, a - _INT_WINDOW), min(n, b + _INT_WINDOW + 1)):
            if k == a or k == b or clause[k] != clause[a]:
                continue
            m = _INTENSIFIERS.get(toks[k])
            if m is not None and not used[k]:
                mult *= m
        negated = False
        for k in range(max(0, a - _NEG_WINDOW), min(n, b + _NEG_WINDOW + 1)):
            if k == a or k == b or phrase[k] != phrase[a]:
                continue
            t = toks[k]
            if t in _NEGATORS or (t in ("fail", "fails", "failed") and k + 1 < n and toks[k + 1] == "to"):
                negated = not negated
        v = pol * mult * weight[a] * (-1.0 if negated else 1.0)
        n_neg += negated
        total += v
        if v > 0:
            pos += v
            kinds[2 * kind] += v
        else:
            neg -= v
            kinds[2 * kind + 1] -= v
    return LexiconResult(math.tanh(0.8 * total), pos, neg, len(events), paired, n_neg, tuple(kinds))


def lexicon_score(text: str) -> float:
    """Lexicon-only score in (-1, 1); 0.0 when no finance sentiment words are found."""
    return _lexicon(text).score


def lexicon_features(text: str) -> list[float]:
    """Dense lexicon features fed to the linear model (same code at training time)."""
    return _lexicon_features(_lexicon(text))


def _lexicon_features(r: LexiconResult) -> list[float]:
    return ([r.score, math.tanh(r.positive), math.tanh(r.negative), min(r.paired, 3) / 3.0,
             min(r.negated, 2) / 2.0] + [math.tanh(v) for v in r.by_kind])


# --------------------------------------------------------------------------
# Statistical layer: featurization (shared with scripts/train_sentiment.py)
# --------------------------------------------------------------------------

_URL_RE = re.compile(r"https?://\S+|www\.\S+")
_CASHTAG_RE = re.compile(r"\$[a-z][a-z.]{0,6}\b")
_USER_RE = re.compile(r"@\w+")
_DIGIT_RE = re.compile(r"\d")
_WORD_RE = re.compile(r"[a-z0-9$@#%+\-'&]+|[!?]")


def normalize(text: str, cfg: dict) -> str:
    t = text.lower().replace("’", "'").replace("“", '"').replace("”", '"')
    t = _URL_RE.sub(" url ", t)
    if cfg.get("tickers", "token") == "token":
        t = _CASHTAG_RE.sub(" $tkr ", t)
    t = _USER_RE.sub(" @usr ", t)
    if cfg.get("digits", "zero") == "zero":
        t = _DIGIT_RE.sub("0", t)
    return t


def _h(s: str) -> int:
    return zlib.crc32(s.encode("utf-8"))


@lru_cache(maxsize=200_000)
def _char_hashes(word: str, cmin: int, cmax: int, mask: int) -> tuple[int, ...]:
    b = (" " + word + " ").encode("utf-8")
    out = []
    L = len(b)
    crc = zlib.crc32
    for n in range(cmin, cmax + 1):
        for i in range(L - n + 1):
            out.append(crc(b[i : i + n]) & mask)
    return tuple(out)


def _word_hashes(words: list[str], word_max: int, mask: int) -> list[int]:
    out = []
    for n in range(1, word_max + 1):
        for i in range(len(words) - n + 1):
            out.append(_h(" ".join(words[i : i + n])) & mask)
    return out


def raw_features(text: str, cfg: dict) -> tuple[dict[int, int], dict[int, int], list[float]]:
    """Hashed word n-gram counts, hashed char n-gram counts and dense lexicon features.

    Word n-grams come from the tokens of the normalised text; character n-grams
    are the byte n-grams of each whitespace-separated chunk padded with a space
    on both sides.  The training script builds its matrices from this function.
    """
    norm = normalize(text, cfg)
    mask = (1 << int(cfg["n_bits"])) - 1
    wc = Counter(_word_hashes(_WORD_RE.findall(norm), int(cfg["word_max"]), mask))
    cmin, cmax = int(cfg["char_min"]), int(cfg["char_max"])
    cc = Counter(chain.from_iterable(_char_hashes(w, cmin, cmax, mask) for w in norm.split()))
    return dict(wc), dict(cc), lexicon_features(text)
