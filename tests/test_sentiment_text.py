"""Text sentiment: lexicon behaviour, runtime/sklearn parity, and measured quality."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from notewriter.sentiment import evaluate as E
from notewriter.sentiment import text as T

SHARED = Path(__file__).resolve().parents[2] / "shared"
DATA = SHARED / "data"
needs_data = pytest.mark.skipif(
    not (DATA / "sentiment" / "sent_valid.csv").is_file(),
    reason=f"labelled sentiment data not found at {DATA / 'sentiment'} (shared data folder absent)",
)


# ---------------------------------------------------------------- lexicon layer


@pytest.mark.parametrize("text", [
    "profit rose", "Revenue jumped 12%", "inflows", "Creations picked up this week",
    "Losses narrowed", "Costs fell", "Selling pressure eased", "Debt declined",
    "The fund saw net inflows of $1.2bn", "Shares rallied",
])
def test_lexicon_bullish(text):
    assert T.lexicon_score(text) > 0


@pytest.mark.parametrize("text", [
    "losses rose", "outflows accelerated", "redemptions", "Costs jumped",
    "Volatility spiked", "Net outflows of $2.1bn", "Unit destruction continued",
    "Drawdown deepened", "Debt rose", "Shares -3.2%", "Selling pressure intensified",
])
def test_lexicon_bearish(text):
    assert T.lexicon_score(text) < 0


def test_metric_decides_what_rose_means():
    assert T.lexicon_score("profit rose") > 0 > T.lexicon_score("losses rose")
    assert T.lexicon_score("inflows rose") > 0 > T.lexicon_score("outflows rose")
    assert T.lexicon_score("costs fell") > 0 > T.lexicon_score("revenue fell")


def test_inflows_not_materializing_is_not_bullish():
    assert T.lexicon_score("inflows did not materialize") <= 0
    assert T.score_sentence("inflows did not materialize") <= 0


@pytest.mark.parametrize("plain, negated", [
    ("profit rose", "profit did not rise"),
    ("revenue grew", "revenue didn't grow"),
    ("outflows accelerated", "outflows never accelerated"),
    ("the fund saw outflows", "the fund saw no outflows"),
    ("inflows", "without inflows"),
    ("selling pressure", "no selling pressure"),
])
def test_negation_flips(plain, negated):
    a, b = T.lexicon_score(plain), T.lexicon_score(negated)
    assert a != 0 and b != 0
    assert np.sign(a) == -np.sign(b)


def test_reversal_words_undo_what_they_touch():
    assert T.lexicon_score("The fund took in inflows, reversing last week's outflows.") > 0
    assert T.lexicon_score("The stock pared gains.") < 0
    assert T.lexicon_score("The rally faded.") < 0 < T.lexicon_score("The rally extended.")


def test_concession_and_contrast_weigh_the_main_clause():
    assert T.lexicon_score("Despite heavy outflows, the price rose.") > 0
    assert T.lexicon_score("Despite strong earnings, shares fell.") < 0
    assert T.lexicon_score("Profit rose but costs jumped.") < 0
    assert T.lexicon_score("Costs jumped but profit rose.") > 0


def test_negation_does_not_cross_a_clause():
    assert T.lexicon_score("no surprise: outflows accelerated") < 0


def test_intensity_scales():
    base = T.lexicon_score("profit rose")
    assert T.lexicon_score("profit rose sharply") > base > T.lexicon_score("profit rose slightly") > 0
    bad = T.lexicon_score("outflows accelerated")
    assert T.lexicon_score("outflows accelerated heavily") < bad < T.lexicon_score("outflows accelerated slightly") < 0


def test_lexicon_neutral_without_sentiment_words():
    assert T.lexicon_score("The fund holds 500 stocks.") == 0.0
    assert T.lexicon_score("") == 0.0


# ---------------------------------------------------------------- public API


@pytest.mark.parametrize("text, sign", [
    ("Profit rose sharply in the quarter.", 1),
    ("Losses rose sharply in the quarter.", -1),
    ("Outflows accelerated as redemptions mounted.", -1),
    ("The ETF drew heavy inflows and creations picked up.", 1),
    ("Net outflow and unit destruction weighed on the fund amid selling pressure.", -1),
    ("Shares rallied to a record high.", 1),
    ("The drawdown deepened.", -1),
])
def test_score_sentence_sign(text, sign):
    s = T.score_sentence(text)
    assert -1.0 <= s <= 1.0
    assert np.sign(s) == sign


def test_classify_and_bounds():
    assert T.classify("$SAN: Deutsche Bank cuts to Sell") == "Bearish"
    assert T.classify("$AAPL upgraded to Buy at Morgan Stanley, shares jump") == "Bullish"
    assert T.classify("Economic calendar for the week ahead") == "Neutral"
    assert T.classify("") == "Neutral"
    for t in ["", "   ", "!!!", "x" * 5000, "📉📉📉", "$TSLA"]:
        assert -1.0 <= T.score_sentence(t) <= 1.0
        assert T.classify(t) in T.CLASSES


def test_probabilities_sum_to_one_and_deterministic(monkeypatch):
    text = "Outflows accelerated"
    p = T.predict_proba(text)
    assert set(p) == set(T.CLASSES)
    assert abs(sum(p.values()) - 1.0) < 1e-12
    s = T.score_sentence(text)

    # Computed again from nothing: no memoised score, no cached n-gram hashes, a freshly loaded model.
    T.score_sentence.cache_clear()
    T._char_hashes.cache_clear()
    monkeypatch.setattr(T, "_MODEL", None)
    assert T.predict_proba(text) == p
    assert T.score_sentence(text) == s
    assert T._MODEL is not None  # the second call did load its own model

    # And in fresh interpreters with other str hash seeds (set and dict order), to the last bit.
    code = ("import sys; from notewriter.sentiment import text as T; t = sys.argv[1]; "
            "print(repr(T.score_sentence(t)), repr(sorted(T.predict_proba(t).items())))")
    for seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", code, text], env={**os.environ, "PYTHONHASHSEED": seed},
                              capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[1])
        assert done.stdout == f"{s!r} {sorted(p.items())!r}\n"


@pytest.mark.parametrize("score, label", [
    (-1.0, "Bearish"), (-0.35, "Bearish"), (-0.34, "Somewhat-Bearish"), (-0.15, "Somewhat-Bearish"),
    (-0.149, "Neutral"), (0.0, "Neutral"), (0.149, "Neutral"), (0.15, "Somewhat-Bullish"),
    (0.349, "Somewhat-Bullish"), (0.35, "Bullish"), (1.0, "Bullish"),
])
def test_label_bands(score, label):
    assert T.label_for(score) == label


def test_split_sentences():
    text = "Shares of U.S. Steel rose 3.5%. Inflows hit $2.1bn! Is that all?\nNext line without stop"
    assert T.split_sentences(text) == [
        "Shares of U.S. Steel rose 3.5%.", "Inflows hit $2.1bn!", "Is that all?", "Next line without stop",
    ]
    assert T.split_sentences("") == []
    assert T.split_sentences("Mr. Smith said profits rose.") == ["Mr. Smith said profits rose."]


def test_score_text():
    assert T.score_text("") == 0.0
    a, b = "Profit rose sharply.", "Outflows accelerated."
    both = T.score_text(f"{a} {b}")
    sa, sb = T.score_sentence(a), T.score_sentence(b)
    assert both == pytest.approx((sa + sb) / 2)
    assert T.score_text(a) == pytest.approx(sa)


def test_score_for_target_picks_the_clause():
    text = "Alpha Fund drew heavy inflows, while Beta Fund suffered record outflows."
    assert T.score_for_target(text, "Alpha Fund") > T.score_for_target(text, "Beta Fund")
    assert T.score_for_target(text, "Beta Fund") < 0
    # a target never mentioned falls back to the whole text
    assert T.score_for_target("Profit rose sharply.", "Gamma") == pytest.approx(T.score_text("Profit rose sharply."))


def test_score_lines():
    rows = E.score_lines(["Profit rose sharply.", "", "Outflows accelerated heavily.\n"])
    assert [r["text"] for r in rows] == ["Profit rose sharply.", "", "Outflows accelerated heavily."]
    assert rows[1]["score"] == 0.0 and rows[1]["label"] == "Neutral"
    assert rows[0]["score"] > 0 > rows[2]["score"]
    for r in rows:
        assert r["label"] == T.label_for(r["score"])
    json.dumps(rows)


# ---------------------------------------------------------------- metrics helpers


def test_f1_and_confusion_by_hand():
    gold = [0, 0, 1, 1, 2, 2]
    pred = [0, 1, 1, 1, 2, 0]
    rep = E.macro_f1_report(gold, pred)
    assert rep["confusion"] == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    # Bearish: tp1 fp1 fn1 -> 0.5; Neutral: tp2 fp1 fn0 -> 0.8; Bullish: tp1 fp0 fn1 -> 2/3
    assert rep["per_class_f1"]["Bearish"] == pytest.approx(0.5)
    assert rep["per_class_f1"]["Neutral"] == pytest.approx(0.8)
    assert rep["per_class_f1"]["Bullish"] == pytest.approx(2 / 3)
    assert rep["macro_f1"] == pytest.approx((0.5 + 0.8 + 2 / 3) / 3)


def test_correlations_by_hand():
    assert E.pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert E.pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert E.spearman([1, 2, 3, 4], [1, 4, 9, 100]) == pytest.approx(1.0)
    # ties get average ranks: ranks x = [1, 2.5, 2.5, 4], y = [1, 2, 3, 4]
    x = np.array([1, 2.5, 2.5, 4]) - 2.5
    y = np.array([1, 2, 3, 4]) - 2.5
    assert E.spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(x @ y / np.sqrt((x @ x) * (y @ y)))
    assert E.pearson([1, 1, 1], [1, 2, 3]) == 0.0


# ---------------------------------------------------------------- runtime == sklearn


def test_runtime_featurization_matches_sklearn():
    """The numpy runtime reproduces sklearn's TF-IDF + LogisticRegression.predict_proba."""
    pytest.importorskip("sklearn", reason="scikit-learn not installed (training extra)")
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression

    with np.load(T.MODEL_PATH, allow_pickle=False) as z:
        cfg = json.loads(str(z["meta"]))
        keep = [np.cumsum(z["w_bucket_deltas"].astype(np.int64)), np.cumsum(z["c_bucket_deltas"].astype(np.int64))]
        dfs = [z["w_df"].astype(np.float64), z["c_df"].astype(np.float64)]
        n_cols = len(keep[0]) + len(keep[1])
        coef = np.zeros((n_cols, 3))
        coef[z["coef_cols"].astype(np.int64)] = z["coef_vals"].astype(np.float64)
        coef = np.vstack([coef, z["dense_coef"].astype(np.float64)])
        intercept = z["intercept"].astype(np.float64)

    sentences = [
        "$BYND - JPMorgan reels in expectations on Beyond Meat https://t.co/bd0xbFGjkT",
        "Net outflows accelerated as redemptions rose sharply.",
        "Inflows did not materialize; shares fell 3%.",
        "Kraft Heinz stock rises on expected first-quarter sales gain - MW",
        "Économie: les marchés reculent 📉",
        "",
    ]
    n_all = 1 << int(cfg["n_bits"])
    blocks = []
    for g in range(2):
        rows, cols, vals = [], [], []
        for r, s in enumerate(sentences):
            counts = T.raw_features(s, cfg)[g]
            rows += [r] * len(counts)
            cols += list(counts)
            vals += list(counts.values())
        M = sp.csr_matrix((np.array(vals, dtype=float), (rows, cols)), shape=(len(sentences), n_all))[:, keep[g]]
        tf = TfidfTransformer(sublinear_tf=bool(cfg["sublinear_tf"]), smooth_idf=True, norm="l2")
        tf.fit(sp.csr_matrix(np.ones((1, len(keep[g])))))  # sets up shapes; idf replaced below
        tf.idf_ = np.log((1.0 + cfg["n_docs"]) / (1.0 + dfs[g])) + 1.0
        blocks.append(tf.transform(M))
    dense = np.array([T.raw_features(s, cfg)[2] for s in sentences]) * float(cfg["dense_scale"])
    X = sp.hstack(blocks + [sp.csr_matrix(dense)], format="csr")
    clf = LogisticRegression()
    clf.classes_ = np.array([0, 1, 2])
    clf.coef_ = coef.T.copy()
    clf.intercept_ = intercept
    p_ref = clf.predict_proba(X)
    p_run = np.array([T._model().predict_proba(s) for s in sentences])
    assert np.abs(p_ref - p_run).max() < 1e-6


def test_model_is_small():
    assert T.MODEL_PATH.stat().st_size < 2_000_000


# ---------------------------------------------------------------- measured on labelled data


@needs_data
def test_twitter_validation_macro_f1():
    rep = E.evaluate_twitter(SHARED, split="valid")
    print(f"\nTwitter Financial News valid: macro-F1 {rep['macro_f1']:.4f} "
          f"per-class {rep['per_class_f1']} confusion {rep['confusion']}")
    assert rep["n"] == 2388
    assert rep["labels"] == ["Bearish", "Neutral", "Bullish"]
    assert sum(map(sum, rep["confusion"])) == rep["n"]
    assert rep["macro_f1"] >= 0.80


@needs_data
def test_fiqa_correlation_positive():
    rep = E.evaluate_fiqa(SHARED)
    print(f"\nFiQA task1 test: pearson {rep['pearson']:.3f} spearman {rep['spearman']:.3f} n {rep['n']} "
          f"(headlines {rep['headline']}, posts {rep['post']})")
    assert rep["n"] >= 200
    assert rep["pearson"] > 0 and rep["spearman"] > 0


@needs_data
@pytest.mark.parametrize("split, item_id, target, sign", [
    # "Buffett's Berkshire builds Deere stake, dumps Exxon": one headline, opposite signs
    ("test", "184", "Deere", 1),
    ("test", "184", "Exxon", -1),
    # "... LSE surges as ICE says mulling offer; Ashtead and Barclays tank"
    ("test", "1356", "LSE", 1),
    # "BHP Billiton posts big loss, slashes dividend"
    ("test", "1288", "BHP Billiton", -1),
    # "London open: Taylor Wimpey and Ashtead drive markets higher, Barclays falls"
    ("train", "241", "Ashtead", 1),
    ("train", "241", "Barclays", -1),
])
def test_fiqa_per_target_scoring(split, item_id, target, sign):
    items = [i for i in E.read_fiqa(SHARED, split) if i["id"] == item_id and i["target"] == target]
    assert len(items) == 1
    item = items[0]
    assert np.sign(item["gold"]) == sign
    assert np.sign(T.score_for_target(item["text"], item["target"])) == sign


@needs_data
def test_fiqa_targets_sharing_a_headline_are_told_apart():
    item = {i["target"]: i["text"] for i in E.read_fiqa(SHARED, "test") if i["id"] == "184"}
    text = item["Deere"]
    assert T.score_for_target(text, "Deere") - T.score_for_target(text, "Exxon") > 0.3


def test_runtime_imports_no_sklearn():
    code = (
        "import sys; from notewriter.sentiment import text, evaluate; text.score_sentence('profit rose'); "
        "assert not any(m == 'sklearn' or m.startswith('sklearn.') or m == 'scipy' or m.startswith('scipy.') "
        "for m in sys.modules), 'sklearn/scipy imported at runtime'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1])
