"""Every number on the page is a claim: spans point at the claim's value as printed, and the checker finds
no number in a template document that is not inside a span."""

from __future__ import annotations

import json
from functools import lru_cache

import pytest

from notewriter import render
from notewriter.check import check_note
from notewriter.pipeline import open_source, write_digest, write_note
from notewriter.publish import render_as
from notewriter.resources import samples_dir

TICKERS = sorted(p.stem for p in (samples_dir() / "funds").glob("*.json"))
FUND_CASES = [(t, w) for t in TICKERS for w in ("1d", "1w", "1m", "ytd")]
DIGEST_CASES = ["1d", "1w", "1m"]


def _formats(claim: dict) -> set[str]:
    """Every way the house style prints a value of this unit (at the claim's precision, when it has one)."""
    v, d = claim["value"], claim.get("digits")
    unit = claim["unit"]
    if unit == "usd":
        return {render.usd(v), render.usd(v, signed=True)}
    if unit == "pct" and claim["metric"].endswith("_pp"):
        return {render.pp(v, 1 if d is None else d)}  # a gap between percentages, in percentage points
    if unit == "pct":
        return {render.pct(v, d), render.spct(v, d)}
    if unit == "shares":
        return {render.shares(v)}
    if unit == "price":
        return {render.price(v)}
    if unit == "ratio":
        return {render.num(v, 1 if d is None else d)}
    if unit == "count":
        return {render.integer(v), render.words(v), render.ordinal(v)}
    if unit == "date":
        return {render.longdate(v)}
    if unit in ("zscore", "score"):
        return {render.snum(v, 2 if d is None else d)}
    raise AssertionError(f"claim {claim['id']} has a unit no filter prints: {unit}")


@lru_cache(maxsize=None)
def _fund(ticker: str, window: str) -> dict:
    return json.loads(render_as(write_note(ticker, None, window, open_source()), "json"))


@lru_cache(maxsize=None)
def _digest(window: str) -> dict:
    return json.loads(render_as(write_digest(open_source(), None, window), "json"))


def _assert_spans(doc: dict) -> None:
    md = doc["markdown"]
    claims = {c["id"]: c for c in doc["claims"]}
    assert doc["spans"], "a document with no numbers"
    assert set(claims) == {s["claim"] for s in doc["spans"]}, "claims listed are exactly the claims printed"
    last_end = 0
    for s in doc["spans"]:
        assert s["start"] >= last_end, "spans overlap"
        last_end = s["end"]
        claim = claims[s["claim"]]
        shown = md[s["start"]:s["end"]]
        assert shown in _formats(claim), (s, shown, claim)
        assert claim["fact_refs"] and claim["metric"]
    for key, section in doc["sections"].items():
        for s in section["spans"]:
            shown = section["text"][s["start"]:s["end"]]
            assert shown in _formats(claims[s["claim"]]), (key, s, shown)
    covered = [(s["start"], s["end"]) for s in doc["spans"]]
    report = check_note(md, {"ticker": doc["ticker"], "as_of": doc["as_of"], "window": doc["window"],
                             "facts": doc["facts"], "sentiment": doc["sentiment"]})
    # a number the checker reads with its unit word ("0.1 times") holds the span of the number itself
    loose = [f for f in report.findings if not any(f.start <= a and b <= f.end for a, b in covered)]
    assert not loose, [(f.text, md[max(0, f.start - 40):f.end + 10]) for f in loose]


@pytest.mark.parametrize("ticker,window", FUND_CASES)
def test_every_span_of_a_sample_note_prints_its_claim(ticker, window):
    _assert_spans(_fund(ticker, window))


@pytest.mark.parametrize("window", DIGEST_CASES)
def test_every_span_of_a_sample_digest_prints_its_claim(window):
    _assert_spans(_digest(window))


def test_fund_note_and_digest_share_one_schema():
    note, digest = _fund("IWM", "1d"), _digest("1d")
    assert list(note) == list(digest)
    assert note["kind"] == "fund" and note["ticker"] == "IWM" and note["subjects"] == ["IWM"]
    assert digest["kind"] == "digest" and digest["ticker"] is None and "IWM" in digest["subjects"]
    for doc in (note, digest):
        assert all(set(s) >= {"title", "text", "origin", "spans"} for s in doc["sections"].values())


def test_a_span_leads_to_the_fact_and_its_inputs():
    doc = _fund("IWM", "1w")
    flow = next(c for c in doc["claims"] if c["id"] == "flow.net_usd")
    assert flow["metric"] == "flow_usd" and flow["unit"] == "usd" and flow["subject"] == "IWM"
    assert flow["period"]["label"] == "1w" and flow["period"]["end"] == doc["facts"]["flow"]["end"]["value"]
    fact = doc["facts"]["flow"]["net_usd"]
    assert flow["fact_refs"] == ["facts.flow.net_usd"] and flow["value"] == fact["value"]
    assert fact["inputs"], "the fact names the input rows behind it"
    first = next(s for s in doc["spans"] if s["claim"] == "flow.net_usd")
    assert doc["markdown"][first["start"]:first["end"]] == render.usd(fact["value"])
