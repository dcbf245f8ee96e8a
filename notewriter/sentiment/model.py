"""The statistical layer's runtime model: multinomial logistic regression over TF-IDF hashed features.

Its weights live in ``model/text_model.npz`` (the folder beside this module) and are produced by
``scripts/train_sentiment.py`` from the Twitter Financial News training split; :meth:`TextModel.logits`
reproduces the training featurization followed by scikit-learn's TF-IDF and ``predict_proba``.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from functools import lru_cache
from itertools import chain
from pathlib import Path

import numpy as np

from .features import (
    _WORD_RE,
    LexiconResult,
    _char_hashes,
    _lexicon,
    _lexicon_features,
    _word_hashes,
    normalize,
)
from .lexicon import LEXICON_VERSION

CLASSES = ("Bearish", "Neutral", "Bullish")
MODEL_PATH = Path(__file__).resolve().parent / "model" / "text_model.npz"


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
