"""Finance-aware text sentiment: a lexicon layer plus a small linear model.

Everything here runs offline with numpy and the standard library only.

* The lexicon layer pairs direction words with the metric they apply to
  ("profit rose" is good, "losses rose" is bad, "outflows accelerated" is bad),
  knows ETF-flow vocabulary ("net outflow", "unit destruction", "creations"),
  flips polarity under negation ("inflows did not materialize") and scales it
  with intensifiers ("sharply", "slightly").
* The statistical layer is a multinomial logistic regression over hashed word
  1-2-grams and character n-grams (TF-IDF weighted, L2-normalised per group)
  plus the lexicon features.  Its weights live in ``model/text_model.npz`` and
  are produced by ``scripts/train_sentiment.py`` from the Twitter Financial
  News training split.  This module reproduces that featurization exactly.

Public API: :func:`score_sentence`, :func:`classify`, :func:`score_text`,
:func:`split_sentences`, :func:`score_for_target`, :func:`label_for`,
:func:`lexicon_score`, :func:`predict_proba`.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from dataclasses import dataclass
from collections import Counter
from functools import lru_cache
from itertools import chain
from pathlib import Path

import numpy as np

CLASSES = ("Bearish", "Neutral", "Bullish")
# Bump whenever the lexicon or its features change: the shipped weights depend on them.
LEXICON_VERSION = 3
MODEL_PATH = Path(__file__).resolve().parent / "model" / "text_model.npz"

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
# Lexicon layer
# --------------------------------------------------------------------------


def _forms(*stems: str) -> set[str]:
    """Expand 'rise|rises|rose' style groups into a set."""
    out: set[str] = set()
    for s in stems:
        out.update(s.split("|"))
    return out


# Direction words: +1 means "went up / got bigger", -1 "went down / got smaller".
_UP = _forms(
    "rise|rises|rose|risen|rising",
    "jump|jumps|jumped|jumping",
    "surge|surges|surged|surging",
    "soar|soars|soared|soaring",
    "climb|climbs|climbed|climbing",
    "gained|gaining",
    "increase|increases|increased|increasing",
    "grow|grows|grew|grown|growing",
    "accelerate|accelerates|accelerated|accelerating",
    "widen|widens|widened|widening",
    "expand|expands|expanded|expanding",
    "higher|up|upward|upwards",
    "boost|boosts|boosted|boosting",
    "double|doubles|doubled|triple|tripled",
    "spike|spikes|spiked|spiking",
    "swell|swells|swelled|swelling",
    "raise|raises|raised|raising",
    "lift|lifts|lifted|lifting",
    "hike|hikes|hiked",
    "advance|advances|advanced|advancing",
    "balloon|balloons|ballooned|mounting|mounted",
    "exceed|exceeds|exceeded|outpaced",
    "rebound|rebounds|rebounded|rebounding",
    "recover|recovers|recovered|recovering",
    "extend|extends|extended",
    "pick|picked",  # "picked up"
    "ramp|ramped",
    "build|builds|building",
    "deepen|deepens|deepened|deepening|intensify|intensifies|intensified|intensifying",
    "picked_up|ramped_up|shot_up|went_up|sped_up|stepped_up|built_up",
)
_DOWN = _forms(
    "fall|falls|fell|fallen|falling",
    "drop|drops|dropped|dropping",
    "decline|declines|declined|declining",
    "slump|slumps|slumped|slumping",
    "plunge|plunges|plunged|plunging",
    "plummet|plummets|plummeted|plummeting",
    "sink|sinks|sank|sunk|sinking",
    "decrease|decreases|decreased|decreasing",
    "shrink|shrinks|shrank|shrunk|shrinking",
    "slow|slows|slowed|slowing",
    "decelerate|decelerates|decelerated|decelerating",
    "ease|eases|eased|easing",
    "lower|lowers|lowered|down|downward|downwards",
    "cut|cuts|cutting",
    "tumble|tumbles|tumbled|tumbling",
    "slide|slides|slid|sliding",
    "narrow|narrows|narrowed|narrowing",
    "contract|contracts|contracted|contracting",
    "dip|dips|dipped|dipping",
    "retreat|retreats|retreated|retreating",
    "slip|slips|slipped|slipping",
    "halve|halves|halved",
    "reduce|reduces|reduced|reducing",
    "trim|trims|trimmed|trimming",
    "shed|sheds|shedding",
    "erode|erodes|eroded|eroding",
    "dwindle|dwindles|dwindled|dwindling",
    "slash|slashes|slashed|slashing",
    "crater|craters|cratered",
    "tank|tanks|tanked|tanking",
    "collapse|collapses|collapsed|collapsing",
    "evaporate|evaporated|evaporating",
    "shrinking|subside|subsided|subsides",
    "fade|fades|faded|fading",
    "dried_up|went_down|slowed_down|wound_down|pulled_back|pullback|abate|abated|abates",
)

# Metrics: +1 when "up" is good for the holder (profit, inflows, price),
# -1 when "up" is bad (losses, outflows, volatility, debt).  The second value
# is the polarity the word carries on its own when no direction word is near.
_METRICS: dict[str, tuple[int, float]] = {}


def _metric(sign: int, standalone: float, *words: str) -> None:
    for w in _forms(*words):
        _METRICS[w] = (sign, standalone)


_metric(+1, 0.0, "profit|profits|earnings|revenue|revenues|sales|income|eps|ebitda",
        "margin|margins|dividend|dividends|payout|payouts|buyback|buybacks|cash_flow",
        "price|prices|share|shares|stock|stocks|equities|equity|valuation|valuations",
        "demand|orders|bookings|growth|guidance|outlook|forecast|forecasts|target|price_target",
        "returns|assets|aum|nav|market|markets|index|indexes|indices|benchmark",
        "nasdaq|dow|s&p|futures|traffic|subscribers|users|customers|deliveries|shipments",
        "cash|momentum|confidence|sentiment|employment|jobs|payrolls|gdp|spending|exports",
        "backlog|occupancy|performance|output|rating|ratings|stake|holdings|volume",
        "valuation|multiple|multiples|gauge|benchmarks|etf|etfs|fund|funds|bitcoin|gold|oil")
_metric(+1, 0.8, "inflow|inflows|net_inflow|net_inflows|creations|creation|unit_creation",
        "unit_creations|buying_pressure|gains")
_metric(+1, 1.0, "rally|rallies")  # "the rally faded" is bearish, a bare "rally" bullish
_metric(-1, 0.0, "cost|costs|expense|expenses|debt|debts|deficit|unemployment|jobless",
        "claims|inflation|spread|spreads|liabilities|leverage|vix|inventories|borrowing",
        "churn|taxes|tariffs|rates|yields_spread")
_metric(-1, -0.8, "outflow|outflows|net_outflow|net_outflows|redemption|redemptions",
        "unit_destruction|unit_destructions|selling_pressure|drawdown|drawdowns")
_metric(-1, -0.6, "loss|losses|volatility|layoffs|job_cuts|defaults|default",
        "delinquencies|impairment|impairments|writedown|writedowns|charges|risk|risks",
        "fears|concerns|worries|uncertainty|short_interest|headwinds|pressure",
        "bankruptcies|recalls|fines|penalties|selloff|sell-off|losses_widened")

# Words that carry polarity on their own.
_POLAR: dict[str, float] = {}


def _polar(weight: float, *words: str) -> None:
    for w in _forms(*words):
        _POLAR[w] = weight


_polar(+1.0, "bullish|upgrade|upgrades|upgraded|outperform|outperforms|outperformed",
       "beat|beats|record_high|all-time_high|all_time_high|breakout|rallied",
       "rallying|soaring|surging|short_squeeze")
_polar(+0.7, "strong|stronger|strongest|strength|robust|solid|optimism|optimistic|upbeat",
       "profitable|win|wins|won|approval|approves|approved|breakthrough|boom|booming",
       "recovery|upside|tailwind|tailwinds|overweight|accumulation|buy|buys|bought",
       "positive|improve|improves|improved|improving|improvement|strengthen|strengthened",
       "tops|topped|best|gain|52-week_high|new_high|new_highs|higher_high|long",
       "beating|beats_estimates|exceeds|surpass|surpassed|surpasses|jump|soars",
       "highs|bounce|bounces|bounced|squeeze|hopes|hopeful|bull|bulls|above|nice|upgrades",
       "outperformance|record_profit|raises_guidance|buyback|windfall|blowout")
_polar(-1.0, "bearish|downgrade|downgrades|downgraded|underperform|underperforms",
       "underperformed|miss|misses|missed|record_low|selloff|sell-off|crash|crashed",
       "crashes|plunge|plunges|plunged|bankruptcy|bankrupt|fraud|recession|slump")
_polar(-0.7, "weak|weaker|weakest|weakness|weaken|weakens|weakened|soft|softer|disappointing",
       "disappoint|disappoints|disappointed|concern|worry|fear|warn|warns|warned|warning",
       "probe|lawsuit|lawsuits|sue|sues|sued|scandal|investigation|recall|turmoil",
       "slowdown|underweight|sell|sold|negative|downside|struggle|struggles|struggling",
       "suspend|suspends|suspended|halt|halts|halted|delay|delays|delayed",
       "withdraw|withdraws|withdrew|withdrawn|fail|fails|failed|failure|plummet",
       "tumble|tumbles|tumbled|sink|sinks|sank|lose|loses|lost|losing|worst",
       "52-week_low|new_low|new_lows|lower_low|profit_taking|short|shorts|shorting",
       "cut_to|cuts_to|slashes|slashed|pressured|hurt|hurts|threat|threatens",
       "worsen|worsens|worsened|worsening|deteriorate|deteriorated|deteriorating",
       "dump|dumps|dumped|dumping|exit|exits|exited|ditch|ditches|ditched",
       "crisis|bad|bear|bears|below|lowest|lows|worse|outbreak|hit|hits|pain|painful",
       "shortfall|glut|layoff|bailout|default|defaults|defaulted|downturn|headwind")
_polar(-0.3, "mean_reversion")  # an expected unwind of a stretched move: mildly cautionary

# Multi-word expressions joined into one token before matching.
_PHRASES: dict[tuple[str, ...], str] = {}
for _p in (
    "net outflow", "net outflows", "net inflow", "net inflows", "unit destruction",
    "unit destructions", "unit creation", "unit creations", "selling pressure",
    "buying pressure", "mean reversion", "record high", "all-time high", "all time high",
    "record low", "52-week high", "52-week low", "new high", "new highs", "new low",
    "new lows", "higher high", "lower low", "profit taking", "short squeeze",
    "short interest", "job cuts", "cash flow", "price target", "cut to", "cuts to",
    "sell off", "picked up", "ramped up", "shot up", "went up", "sped up", "stepped up",
    "built up", "dried up", "went down", "slowed down", "wound down", "pulled back",
):
    _PHRASES[tuple(_p.split())] = _p.replace(" ", "_").replace("sell_off", "selloff")
_MAX_PHRASE = max(len(k) for k in _PHRASES)
_PHRASE_STARTS = {k[0] for k in _PHRASES}

_NEGATORS = {"not", "no", "never", "n't", "without", "nor", "neither", "cannot", "none",
             "nothing", "lack", "lacks", "lacking", "absence", "unable", "hardly", "barely"}
# Words that undo what they touch: "reversing last week's outflows", "pared gains".
_NEGATORS |= _forms("reverse|reverses|reversed|reversing|reversal|erase|erases|erased|erasing",
                    "recoup|recoups|recouped|recouping|pare|pares|pared|paring",
                    "offset|offsets|offsetting|undo|undid|undoing")
# Concessive clauses count half ("despite heavy outflows, the price rose"), and so
# does what comes before an adversative ("profit rose but costs jumped").
_CONCESSIVE = {"despite", "although", "though", "notwithstanding"}
_ADVERSATIVE = {"but", "however", "yet"}
_SENTENCE_ENDS = {".", ";", "!", "?"}
_BACKGROUND_WEIGHT = 0.5
_INTENSIFIERS = {
    "sharply": 1.6, "heavily": 1.6, "strongly": 1.5, "significantly": 1.5,
    "substantially": 1.5, "dramatically": 1.7, "massively": 1.8, "hugely": 1.7,
    "steeply": 1.6, "rapidly": 1.4, "markedly": 1.4, "very": 1.3, "extremely": 1.6,
    "massive": 1.6, "huge": 1.6, "big": 1.3, "biggest": 1.5, "heavy": 1.5, "sharp": 1.5,
    "steep": 1.5, "record": 1.4, "strong": 1.2, "large": 1.3, "largest": 1.5,
    "slightly": 0.5, "modestly": 0.55, "marginally": 0.45, "somewhat": 0.6,
    "mildly": 0.5, "little": 0.6, "slight": 0.5, "modest": 0.6, "small": 0.6,
    "minor": 0.55, "marginal": 0.5, "bit": 0.6, "fractionally": 0.4,
}
_BOUNDARIES = {".", ";", ":", "!", "?", "but", "however", "although", "though", "while",
               "whereas", "yet", "despite", "notwithstanding"}
_SOFT_BOUNDARIES = {","}
_PAIR_WINDOW = 4
_NEG_WINDOW = 3
_INT_WINDOW = 2
_UNPAIRED_DIRECTION = 0.5  # a bare "jumped" in financial news usually means a price went up

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


# --------------------------------------------------------------------------
# Statistical layer: runtime model
# --------------------------------------------------------------------------


class TextModel:
    """Linear softmax model over TF-IDF hashed features, loaded from the npz file."""

    def __init__(self, path: Path = MODEL_PATH):
        with np.load(path, allow_pickle=False) as z:
            self.cfg = json.loads(str(z["meta"]))
            w_buckets = np.cumsum(z["w_bucket_deltas"].astype(np.int64))
            c_buckets = np.cumsum(z["c_bucket_deltas"].astype(np.int64))
            w_df = z["w_df"].astype(np.float64)
            c_df = z["c_df"].astype(np.float64)
            coef_cols = z["coef_cols"].astype(np.int64)
            coef_vals = z["coef_vals"].astype(np.float64)
            self.dense_coef = z["dense_coef"].astype(np.float64)
            self.intercept = z["intercept"].astype(np.float64)
        n_dense = len(_lexicon_features(_lexicon("")))
        if self.dense_coef.shape[0] != n_dense or int(self.cfg.get("lexicon_version", 0)) != LEXICON_VERSION:
            raise RuntimeError(
                f"{path} was trained with another lexicon feature set "
                f"(version {self.cfg.get('lexicon_version', 0)}, {self.dense_coef.shape[0]} features; "
                f"this code: version {LEXICON_VERSION}, {n_dense}); rerun scripts/train_sentiment.py"
            )
        n_docs = float(self.cfg["n_docs"])
        # sklearn TfidfTransformer(smooth_idf=True): idf = ln((1 + n) / (1 + df)) + 1
        w_idf = np.log((1.0 + n_docs) / (1.0 + w_df)) + 1.0
        c_idf = np.log((1.0 + n_docs) / (1.0 + c_df)) + 1.0
        self.n_w = len(w_buckets)
        n_cols = self.n_w + len(c_buckets)
        coef = np.zeros((n_cols, len(CLASSES)), dtype=np.float64)
        coef[coef_cols] = coef_vals
        # one row per column: idf, then the class weights
        self.table = np.ascontiguousarray(np.column_stack([np.concatenate([w_idf, c_idf]), coef]))
        self.w_index = dict(zip(w_buckets.tolist(), range(self.n_w)))
        self.c_index = dict(zip(c_buckets.tolist(), range(len(c_buckets))))
        self.dense_scale = float(self.cfg["dense_scale"])
        self.mask = (1 << int(self.cfg["n_bits"])) - 1
        self.word_max = int(self.cfg["word_max"])
        self.sublinear = bool(self.cfg.get("sublinear_tf", True))
        cmin, cmax, mask, c_idx = int(self.cfg["char_min"]), int(self.cfg["char_max"]), self.mask, self.c_index
        n_w = self.n_w

        @lru_cache(maxsize=100_000)
        def char_cols(word: str) -> tuple[int, ...]:
            return tuple(j + n_w for j in map(c_idx.get, _char_hashes(word, cmin, cmax, mask)) if j is not None)

        self._char_cols = char_cols

    def logits(self, text: str, lex: LexiconResult | None = None) -> np.ndarray:
        """Same values as the training featurization (``raw_features``) followed by TF-IDF,
        per-group L2 normalisation and the linear layer; columns outside the
        vocabulary are dropped before normalising, exactly as in training.

        Word and char columns share one table (char columns offset by the number
        of word columns) so the whole sentence costs one gather.
        """
        norm = normalize(text, self.cfg)
        w_idx = self.w_index
        cnt = Counter(j for j in map(w_idx.get, _word_hashes(_WORD_RE.findall(norm), self.word_max, self.mask))
                      if j is not None)
        cnt.update(chain.from_iterable(map(self._char_cols, norm.split())))
        z = self.intercept.copy()
        if cnt:
            ci = np.fromiter(cnt.keys(), dtype=np.int64, count=len(cnt))
            tf = np.fromiter(cnt.values(), dtype=np.float64, count=len(cnt))
            if self.sublinear:
                tf = np.log(tf) + 1.0
            g = self.table[ci]
            v = tf * g[:, 0]
            is_w = ci < self.n_w
            sq = v * v
            nw = float(sq[is_w].sum())
            nc = float(sq.sum()) - nw
            v *= np.where(is_w, 1.0 / math.sqrt(nw) if nw > 0 else 0.0, 1.0 / math.sqrt(nc) if nc > 0 else 0.0)
            z += v @ g[:, 1:]
        dense = _lexicon_features(lex if lex is not None else _lexicon(text))
        z += (np.asarray(dense) * self.dense_scale) @ self.dense_coef
        return z

    def predict_proba(self, text: str, lex: LexiconResult | None = None) -> np.ndarray:
        """Probabilities in ``CLASSES`` order (Bearish, Neutral, Bullish)."""
        z = self.logits(text, lex)
        z = z - z.max()
        e = np.exp(z)
        return e / e.sum()


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


_ABBREV = {"u.s", "u.k", "inc", "corp", "co", "ltd", "mr", "mrs", "ms", "dr", "vs", "e.g",
           "i.e", "st", "jr", "sr", "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
           "sep", "sept", "oct", "nov", "dec", "approx", "est", "bn", "mn", "mln", "bln",
           "etc", "plc", "n.v", "s.a", "ag", "u.s.a", "a.m", "p.m"}
_SPLIT_RE = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[$A-Z0-9@#])|\n+")


def split_sentences(text: str) -> list[str]:
    """Split text into sentences on terminal punctuation and line breaks, sparing abbreviations."""
    if not text:
        return []
    out: list[str] = []
    buf = ""
    pos = 0
    for m in _SPLIT_RE.finditer(text):
        piece = text[pos : m.start()]
        pos = m.end()
        candidate = buf + piece
        if m.group(0).startswith("\n") or "\n" in m.group(0):
            if candidate.strip():
                out.append(candidate.strip())
            buf = ""
            continue
        last = candidate.rstrip("\"')]").rsplit(None, 1)[-1] if candidate.strip() else ""
        word = last.rstrip(".!?").lower()
        if last.endswith(".") and (word in _ABBREV or (len(word) == 1 and word.isalpha())):
            buf = candidate + m.group(0)
            continue
        if candidate.strip():
            out.append(candidate.strip())
        buf = ""
    rest = (buf + text[pos:]).strip()
    if rest:
        out.append(rest)
    return out


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
