"""Measure the text scorer on labelled data (numpy only, no scikit-learn).

* Twitter Financial News (``sent_train.csv`` / ``sent_valid.csv``): macro-F1,
  per-class F1 and the confusion matrix of :func:`text.classify`.
* FiQA 2018 task 1 (headlines and microblog posts with per-company scores in
  [-1, 1]): Pearson and Spearman correlation of :func:`text.score_for_target`
  with the gold score.

``shared_dir`` is the shared folder holding ``data/sentiment/`` (the data is
never copied into the project).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Iterable

import numpy as np

from . import text as T

LABELS = T.CLASSES  # Bearish, Neutral, Bullish
# Twitter Financial News label ids: 0 Bearish, 1 Bullish, 2 Neutral
_TWITTER_LABELS = {"0": "Bearish", "1": "Bullish", "2": "Neutral"}


def _data_dir(shared_dir: Path) -> Path:
    shared_dir = Path(shared_dir)
    for cand in (shared_dir / "data" / "sentiment", shared_dir / "sentiment", shared_dir):
        if (cand / "sent_valid.csv").is_file() or (cand / "fiqa2018").is_dir():
            return cand
    raise FileNotFoundError(f"no sentiment data under {shared_dir} (expected data/sentiment/)")


def confusion_matrix(gold: Iterable[int], pred: Iterable[int], n: int = 3) -> np.ndarray:
    """Counts with rows = gold class, columns = predicted class."""
    g = np.asarray(list(gold), dtype=np.int64)
    p = np.asarray(list(pred), dtype=np.int64)
    return np.bincount(g * n + p, minlength=n * n).reshape(n, n)


def macro_f1_report(gold, pred, labels=LABELS) -> dict:
    """Macro-F1, per-class F1 and confusion matrix for integer class ids indexing ``labels``."""
    cm = confusion_matrix(gold, pred, len(labels))
    tp = np.diag(cm).astype(np.float64)
    fp = cm.sum(axis=0) - tp
    fn = cm.sum(axis=1) - tp
    denom = 2 * tp + fp + fn
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    return {
        "macro_f1": float(f1.mean()),
        "per_class_f1": {c: float(v) for c, v in zip(labels, f1)},
        "confusion": cm.tolist(),
        "labels": list(labels),
        "accuracy": float(tp.sum() / max(cm.sum(), 1)),
        "n": int(cm.sum()),
    }


def pearson(x, y) -> float:
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    xc, yc = x - x.mean(), y - y.mean()
    d = float(np.sqrt((xc @ xc) * (yc @ yc)))
    return float(xc @ yc / d) if d > 0 else 0.0


def _rank(a: np.ndarray) -> np.ndarray:
    """Average ranks (ties share the mean rank), 1-based."""
    order = np.argsort(a, kind="mergesort")
    ranks = np.empty(len(a), dtype=np.float64)
    sa = a[order]
    i = 0
    while i < len(a):
        j = i
        while j + 1 < len(a) and sa[j + 1] == sa[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return ranks


def spearman(x, y) -> float:
    return pearson(_rank(np.asarray(x, dtype=np.float64)), _rank(np.asarray(y, dtype=np.float64)))


def read_twitter(shared_dir: Path, split: str = "valid") -> list[tuple[str, str]]:
    """(text, label) pairs of the Twitter Financial News split ('train' or 'valid')."""
    path = _data_dir(shared_dir) / f"sent_{split}.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        return [(row["text"], _TWITTER_LABELS[row["label"].strip()]) for row in csv.DictReader(fh)]


def evaluate_twitter(shared_dir: Path, split: str = "valid") -> dict:
    """Classify every text of the split; macro-F1, per-class F1, confusion (rows = gold)."""
    rows = read_twitter(shared_dir, split)
    gold = [LABELS.index(lab) for _, lab in rows]
    pred = [LABELS.index(T.classify(t)) for t, _ in rows]
    rep = macro_f1_report(gold, pred)
    rep["dataset"] = f"twitter-financial-news/{split}"
    return rep


def read_fiqa(shared_dir: Path, split: str = "test") -> list[dict]:
    """FiQA task 1 items as {text, target, gold, kind} (kind: headline | post)."""
    base = _data_dir(shared_dir) / "fiqa2018"
    items = []
    for kind in ("headline", "post"):
        path = base / f"task1_{kind}_ABSA_{split}.json"
        if not path.is_file():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        for key in sorted(data, key=lambda k: int(k) if k.isdigit() else k):
            entry = data[key]
            for info in entry["info"]:
                items.append({
                    "id": key,
                    "text": entry["sentence"],
                    "target": info["target"],
                    "gold": float(info["sentiment_score"]),
                    "kind": kind,
                })
    return items


def evaluate_fiqa(shared_dir: Path, split: str = "test") -> dict:
    """Correlation of score_for_target with the gold per-company score (headlines and posts)."""
    items = read_fiqa(shared_dir, split)
    out: dict = {"dataset": f"fiqa2018-task1/{split}"}
    for name, subset in (("all", items),
                         ("headline", [i for i in items if i["kind"] == "headline"]),
                         ("post", [i for i in items if i["kind"] == "post"])):
        if not subset:
            continue
        ours = [T.score_for_target(i["text"], i["target"]) for i in subset]
        gold = [i["gold"] for i in subset]
        sign_items = [(o, g) for o, g in zip(ours, gold) if g != 0]
        block = {
            "pearson": pearson(ours, gold),
            "spearman": spearman(ours, gold),
            "n": len(subset),
            "sign_agreement": float(np.mean([(o > 0) == (g > 0) for o, g in sign_items])) if sign_items else 0.0,
        }
        if name == "all":
            out.update(block)
        else:
            out[name] = block
    return out


def score_lines(lines: Iterable[str]) -> list[dict]:
    """One {"text", "score", "label"} per input line (label from the score bands)."""
    out = []
    for line in lines:
        text = line.rstrip("\n")
        s = T.score_text(text)
        out.append({"text": text, "score": round(s, 4), "label": T.label_for(s)})
    return out


__all__ = [
    "confusion_matrix",
    "evaluate_fiqa",
    "evaluate_twitter",
    "macro_f1_report",
    "pearson",
    "read_fiqa",
    "read_twitter",
    "score_lines",
    "spearman",
]
