"""Claims (notewriter/claims.py): one claim per fact, named by the fact's path, with subject, metric and period;
and the claim tree templates see, where every number reached is a claim.

Expected values are worked out by hand from the sample CSVs (samples/README.md describes the planted week)."""

from __future__ import annotations

import math
import re
from datetime import date
from functools import lru_cache

import pytest

from notewriter import claims as C
from notewriter import render
from notewriter.document import facts_document
from notewriter.facts import build_facts
from notewriter.facts.digest import digest_facts
from notewriter.facts.models import Component, Fact
from notewriter.pipeline import open_source
from notewriter.sentiment import Sentiment, TickerSentiment

AS_OF = "2025-10-31"

# samples/shares.csv, IJR, the planted final week (samples/README.md, feature 3):
#   date,        shares_outstanding, nav
IJR_WEEK = [
    ("2025-10-24", 649_550_000, 99.3728),
    ("2025-10-27", 648_450_000, 101.4758),
    ("2025-10-28", 647_950_000, 102.4680),
    ("2025-10-29", 648_150_000, 102.5930),
    ("2025-10-30", 646_950_000, 102.6255),
    ("2025-10-31", 645_650_000, 103.0050),
]
# daily flow = (shares[t] - shares[t-1]) x nav[t]:
#   -1,100,000 x 101.4758 = -111,623,380
#     -500,000 x 102.4680 =  -51,234,000
#     +200,000 x 102.5930 =  +20,518,600
#   -1,200,000 x 102.6255 = -123,150,600
#   -1,300,000 x 103.0050 = -133,906,500
#                     sum = -399,395,880   ("$399.4 million")
IJR_WEEK_FLOW = -399_395_880.0


@lru_cache(maxsize=None)
def _source():
    return open_source()


@lru_cache(maxsize=None)
def _ijr():
    """IJR over the week to 2025-10-31 and its claims."""
    f = build_facts("IJR", AS_OF, "1w", _source())
    return f, C.build(f)


@lru_cache(maxsize=None)
def _digest():
    d = digest_facts(_source(), AS_OF, "1d")
    return d, C.build(d)


def _fact_paths(node, path: str = "") -> dict[str, dict]:
    """Every fact of a facts document (JSON), by its path: a fact is an object with value, kind and source."""
    out: dict[str, dict] = {}
    if isinstance(node, dict):
        if {"value", "kind", "source"} <= set(node):
            out[path] = node
        else:
            for key, value in node.items():
                out.update(_fact_paths(value, f"{path}.{key}" if path else key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.update(_fact_paths(value, f"{path}[{i}]"))
    return out


def _resolve(doc: dict, ref: str):
    """Follow a fact_ref such as `facts.notes[0].flow.net_usd` into the facts document."""
    node = doc
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", ref):
        node = node[int(index)] if index else node[name]
    return node


# ---- one claim per fact ------------------------------------------------------------------------------------


def test_every_fact_of_a_fund_is_one_claim_named_by_its_path():
    f, claims = _ijr()
    doc = facts_document(f, None, "IJR")
    facts = _fact_paths(doc["facts"])
    assert facts, "the facts document has facts"
    assert set(claims) == set(facts)
    for path, claim in claims.items():
        assert claim.id == path
        assert claim.fact_refs == (f"facts.{path}",)
        fact = _resolve(doc, claim.fact_refs[0])
        assert claim.value == fact["value"] and claim.unit == fact["kind"] and claim.basis == fact.get("basis")


def test_every_fact_of_a_digest_is_one_claim_and_its_ref_leads_to_it():
    d, claims = _digest()
    doc = facts_document(d, None, None)
    assert set(claims) == set(_fact_paths(doc["facts"]))
    assert "notes[0].flow.net_usd" in claims and "inflows[0].net_usd" in claims
    for claim in claims.values():
        assert _resolve(doc, claim.fact_refs[0])["value"] == claim.value


def test_the_ijr_week_flow_is_the_hand_computed_sum():
    _, claims = _ijr()
    by_hand = sum((s1 - s0) * nav1 for (_, s0, _), (_, s1, nav1) in zip(IJR_WEEK, IJR_WEEK[1:]))
    assert by_hand == pytest.approx(IJR_WEEK_FLOW)
    claim = claims["flow.net_usd"]
    assert claim.value == pytest.approx(IJR_WEEK_FLOW)
    assert claim.unit == "usd" and claim.basis == "nav" and claim.negative and not claim.positive
    assert render.usd(claim) == "$399.4 million"
    # 645,650,000 - 649,550,000 = -3,900,000 shares, -0.6004% of 649,550,000
    assert claims["flow.shares_start"].value == 649_550_000
    assert claims["flow.shares_end"].value == 645_650_000
    assert claims["flow.shares_change"].value == -3_900_000
    assert claims["flow.shares_change_pct"].value == pytest.approx(645_650_000 / 649_550_000 - 1)


def test_the_ijr_ytd_return_is_close_over_last_years_close():
    _, claims = _ijr()
    # samples/prices/IJR.csv: Close 95.6692 on 2024-12-31, 102.9975 on 2025-10-31
    assert claims["price.ytd_return"].value == pytest.approx(102.9975 / 95.6692 - 1)  # +7.66%
    assert claims["price.last"].value == pytest.approx(102.9975)
    assert render.price(claims["price.last"]) == "$103.00"


def test_a_component_claim_carries_the_holdings_weight_and_its_basket_flow():
    _, claims = _ijr()
    # samples/holdings/IJR.csv: the first equity line is JXN at "Weight (%)" 0.62 (the money-market line is skipped)
    weight = claims["components[0].weight"]
    assert weight.subject == "JXN" and weight.value == pytest.approx(0.0062) and weight.metric == "weight"
    basket = claims["components[0].flow_usd"]
    assert basket.metric == "basket_flow_usd" and basket.subject == "JXN"
    assert basket.value == pytest.approx(0.0062 * IJR_WEEK_FLOW)  # -2,476,254: "about $2.5 million"


# ---- subject, metric, period ----------------------------------------------------------------------------------


def test_subject_is_the_facts_ticker_else_the_enclosing_models():
    f, claims = _ijr()
    assert claims["flow.net_usd"].subject == "IJR"
    assert f.config.stress_pct.ticker is None  # a configuration fact names no ticker ...
    assert claims["config.stress_pct"].subject == "IJR"  # ... so it is about the note's fund
    # a component fact without a ticker of its own is about the component, not the fund
    bare = Fact(value=0.01, kind="pct", source="test")
    g = f.model_copy(update={"components": (Component(ticker="ZZZ", name="Zed", weight=bare),)})
    assert C.build(g)["components[0].weight"].subject == "ZZZ"


def test_digest_subjects_come_from_each_row_and_note():
    d, claims = _digest()
    assert claims["notes[0].flow.net_usd"].subject == d.notes[0].ticker
    assert claims["inflows[0].net_usd"].subject == d.inflows[0].ticker == "IWM"
    assert claims["outflows[0].net_usd"].subject == d.outflows[0].ticker == "QQQ"
    assert claims["config.stress_pct"].subject is None  # a digest is about no one fund
    assert C.build(d, subject="DIGEST")["config.stress_pct"].subject == "DIGEST"


@pytest.mark.parametrize("path,metric", [
    ("flow.net_usd", "flow_usd"), ("flow.shares_change_pct", "shares_change_pct"), ("flow.adv_days", "flow_adv_multiple"),
    ("flow.sessions", "window_sessions"), ("price.ytd_return", "ytd_price_return"), ("price.last", "close"),
    ("price.day_change", "day_price_return"), ("price.high_52w", "high_52w"), ("history.zscore", "z_score"),
    ("history.ytd_usd", "ytd_flow_usd"), ("history.m1_usd", "flow_usd"), ("history.cum_10d_usd", "flow_usd"),
    ("history.streak_days", "streak_sessions"), ("identity.expense_ratio", "expense_ratio"),
    ("components[0].day_change", "day_price_return"), ("config.stress_pct", "stress_pct"),
])
def test_metric_by_path(path, metric):
    assert _ijr()[1][path].metric == metric


def test_a_digests_notes_and_leaderboard_use_the_same_metrics_as_a_fund_note():
    _, claims = _digest()
    assert claims["notes[0].flow.net_usd"].metric == "flow_usd"
    assert claims["notes[0].price.ytd_return"].metric == "ytd_price_return"
    assert claims["inflows[0].net_usd"].metric == claims["outflows[0].net_usd"].metric == "flow_usd"


def test_the_digest_rotation_flow_is_the_hand_computed_iwm_day():
    d, claims = _digest()
    # samples/shares.csv, IWM: 294,950,000 on 2025-10-30, 297,400,000 at NAV 245.496 on 2025-10-31
    # (297,400,000 - 294,950,000) x 245.496 = 2,450,000 x 245.496 = 601,465,200  ("+$601.5 million")
    assert d.rotation.inflow.ticker == "IWM"
    assert claims["rotation.inflow.net_usd"].value == pytest.approx(601_465_200.0)
    assert claims["inflows[0].net_usd"].value == pytest.approx(601_465_200.0)
    assert render.usd(claims["inflows[0].net_usd"], signed=True) == "+$601.5 million"


def test_periods_of_flow_trailing_price_and_config_claims():
    _, claims = _ijr()
    week = C.Period(label="1w", start=date(2025, 10, 24), end=date(2025, 10, 31))
    for path in ("flow.net_usd", "flow.shares_change", "flow.pct_of_aum", "history.zscore", "history.percentile"):
        assert claims[path].period == week, path
    end = date(2025, 10, 31)
    for path, label in (("price.ytd_return", "ytd"), ("history.ytd_usd", "ytd"), ("price.high_52w", "52w"),
                        ("price.low_52w", "52w"), ("price.off_high_pct", "52w"), ("history.m1_usd", "1m"),
                        ("history.m3_usd", "3m"), ("history.momentum_1m", "1m"), ("history.cum_10d_usd", "10 sessions")):
        assert claims[path].period == C.Period(label=label, end=end), path
    for path in ("price.last", "price.day_change", "components[0].day_change"):
        assert claims[path].period == C.Period(label="day", end=end), path
    assert claims["config.stress_pct"].period is None


def test_a_digests_window_is_its_own_start_and_end():
    _, claims = _digest()
    day = C.Period(label="1d", start=date(2025, 10, 30), end=date(2025, 10, 31))
    assert claims["notes[0].flow.net_usd"].period == day
    assert claims["inflows[0].net_usd"].period == day


@pytest.mark.parametrize("path", ["price.window_change", "components[0].window_change", "components[0].flow_usd"])
def test_a_window_figure_covers_the_window(path):
    week = C.Period(label="1w", start=date(2025, 10, 24), end=date(2025, 10, 31))
    assert _ijr()[1][path].period == week


def test_a_rotation_in_the_list_has_the_metrics_of_the_headline_rotation():
    d, claims = _digest()
    assert d.rotations and d.rotations[0].analog is not None and d.rotations[0].analog.inflow.returns
    assert claims["rotation.analog.inflow.returns[0].ret"].metric == "forward_return"
    assert claims["rotations[0].analog.inflow.returns[0].ret"].metric == "forward_return"


def test_a_rotation_sides_year_to_date_figures_are_year_to_date_claims():
    _, claims = _digest()
    ret, flows = claims["rotation.inflow.ytd_return"], claims["rotation.inflow.ytd_flows_usd"]
    assert ret.metric == "ytd_price_return" and flows.metric == "ytd_flow_usd"
    assert ret.period is not None and ret.period.label == "ytd"
    assert flows.period is not None and flows.period.label == "ytd"


def test_claims_carry_the_precision_they_are_printed_at():
    _, claims = _ijr()
    assert claims["identity.expense_ratio"].digits == 2  # "0.06% expense ratio"
    assert claims["history.zscore"].digits == 1  # "z-score -15.2"
    assert claims["flow.net_usd"].digits is None  # the usd filter's own rule
    assert C.build(_ijr()[0], digits={"flow.net_usd": 0})["flow.net_usd"].digits == 0


def test_claim_sign_helpers():
    up = C.Claim(id="x", metric="m", value=1.5, unit="pct")
    zero = up.model_copy(update={"value": 0})
    down = up.model_copy(update={"value": "-2"})  # values may be stored as strings; the helpers read them as numbers
    assert (up.positive, up.negative, up.nonnegative) == (True, False, True)
    assert (zero.positive, zero.negative, zero.nonnegative) == (False, False, True)
    assert (down.positive, down.negative, down.nonnegative, down.num) == (False, True, False, -2.0)


# ---- sentiment claims ------------------------------------------------------------------------------------------


def _sentiment() -> Sentiment:
    return Sentiment(score=-0.25, label="Somewhat-Bearish", facts_score=-0.4, text_score=-0.1, disagreement=False,
                     ticker_sentiment=(TickerSentiment(ticker="IJR", relevance=0.43, score=-0.34, label="Somewhat-Bearish"),
                                       TickerSentiment(ticker="JXN", relevance=0.07, score=0.45, label="Bullish")))


def test_sentiment_scores_are_claims_about_the_note_and_each_ticker():
    claims = C.build_sentiment(_sentiment(), subject="IJR")
    assert set(claims) == {"sentiment.score", "sentiment.facts_score", "sentiment.text_score",
                           "sentiment.ticker_sentiment[0].score", "sentiment.ticker_sentiment[0].relevance",
                           "sentiment.ticker_sentiment[1].score", "sentiment.ticker_sentiment[1].relevance"}
    overall = claims["sentiment.score"]
    assert (overall.value, overall.subject, overall.unit, overall.digits) == (-0.25, "IJR", "score", 2)
    assert overall.fact_refs == ("sentiment.score",) and overall.metric == "sentiment_score"
    jxn = claims["sentiment.ticker_sentiment[1].score"]
    assert (jxn.value, jxn.subject, jxn.digits) == (0.45, "JXN", 2)
    assert jxn.metric == "sentiment_ticker_sentiment_score"
    assert claims["sentiment.ticker_sentiment[1].relevance"].value == 0.07
    assert claims["sentiment.facts_score"].digits is None


def test_sentiment_fact_refs_lead_into_the_facts_document():
    f, _ = _ijr()
    doc = facts_document(f, _sentiment(), "IJR")
    for claim in C.build_sentiment(_sentiment(), subject="IJR").values():
        assert _resolve(doc, claim.fact_refs[0]) == claim.value


# ---- the tree templates see ------------------------------------------------------------------------------------


def _numbers_reached(node, where: str = "f") -> list[str]:
    """Every place under a Node where a template would get a bare number or a raw fact instead of a claim."""
    bad = []
    if isinstance(node, C.Claim):
        return bad
    if isinstance(node, C.Node):
        for name, field in type(node._model).model_fields.items():
            if field.exclude:  # refused to templates (the next test)
                continue
            bad += _numbers_reached(getattr(node, name), f"{where}.{name}")
    elif isinstance(node, tuple):
        for i, item in enumerate(node):
            bad += _numbers_reached(item, f"{where}[{i}]")
    elif isinstance(node, Fact) or (isinstance(node, (int, float)) and not isinstance(node, bool)):
        bad.append(where)
    return bad


def test_every_number_a_fund_template_reaches_is_a_claim():
    f, claims = _ijr()
    F = C.tree(f, claims)
    assert _numbers_reached(F) == []
    assert F.flow.net_usd is claims["flow.net_usd"]
    assert F.components[0].weight is claims["components[0].weight"]
    assert F.ticker == "IJR" and F.identity.name == f.identity.name  # words stay words
    label, weight = F.sectors[0]
    assert isinstance(label, str) and weight is claims["sectors[0][1]"]


def test_a_template_cannot_reach_the_chart_series():
    f, claims = _ijr()
    assert f.charts is not None and f.charts.closes.values  # the series are there, for the charts
    with pytest.raises(AttributeError, match="not in the facts document"):
        C.tree(f, claims).charts


def test_every_number_a_digest_template_reaches_is_a_claim():
    d, claims = _digest()
    D = C.tree(d, claims)
    assert _numbers_reached(D) == []
    assert D.notes[0].flow.net_usd is claims["notes[0].flow.net_usd"]
    assert D.rotation.inflow.net_usd is claims["rotation.inflow.net_usd"]


def test_a_subtree_is_rooted_at_its_path():
    d, claims = _digest()
    fi = C.tree(d.notes[0], claims, "notes[0]")
    assert fi.flow.net_usd is claims["notes[0].flow.net_usd"]
    assert repr(fi) == "Node(notes[0])"
    assert C.wrap(d.inflows, "inflows", claims)[1].net_usd is claims["inflows[1].net_usd"]


def test_a_method_returning_a_part_is_wrapped_at_the_parts_path():
    d, claims = _digest()
    side = d.rotation.analog.inflow
    i = next(k for k, r in enumerate(side.returns) if r.horizon == "year_end")
    D = C.tree(d, claims)
    ye = D.rotation.analog.inflow.ret("year_end")
    assert isinstance(ye, C.Node) and ye.horizon == "year_end"
    assert ye.ret is claims[f"rotation.analog.inflow.returns[{i}].ret"]
    assert ye.end is claims[f"rotation.analog.inflow.returns[{i}].end"]
    assert D.rotation.analog.inflow.ret("10y") is None


def test_a_claim_missing_from_the_index_shows_up_as_a_raw_fact():
    """The walk above can fail: a tree over an incomplete claim index hands templates raw facts."""
    f, claims = _ijr()
    partial = {k: v for k, v in claims.items() if k != "flow.net_usd"}
    assert _numbers_reached(C.tree(f, partial)) == ["f.flow.net_usd.value"]


def test_sentiment_tree_gives_claims_and_labels():
    s = _sentiment()
    claims = C.build_sentiment(s, subject="IJR")
    S = C.tree(s, claims, "sentiment")
    assert S.score is claims["sentiment.score"] and S.label == "Somewhat-Bearish"
    assert S.ticker_sentiment[1].score is claims["sentiment.ticker_sentiment[1].score"]
    assert S.ticker_sentiment[1].ticker == "JXN"
    assert _numbers_reached(S) == []


def test_claim_values_are_finite_numbers_or_iso_dates():
    for claims in (_ijr()[1], _digest()[1]):
        for claim in claims.values():
            if claim.unit == "date":
                date.fromisoformat(claim.value)
            else:
                assert isinstance(claim.value, (int, float)) and math.isfinite(claim.value), claim.id
