"""Writers (notewriter/publish.py): a document as Markdown, standalone HTML, plain text and JSON.

The figures checked in the output are the planted IJR week of the samples (samples/README.md: 649,550,000 ->
645,650,000 shares, -0.6%, an estimated -$399.4 million) and hand computations from the sample CSVs."""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache

import pytest

from notewriter.pipeline import open_source, write_digest, write_note
from notewriter.publish import FORMATS, render_as, to_html, to_text

TITLE = "IJR: estimated $399.4 million net outflow in the week to October 31, 2025"
JSON_KEYS = {"kind", "ticker", "subjects", "as_of", "window", "title", "sections", "sentiment", "check", "claims", "calls",
             "spans", "rules", "facts", "footer", "markdown"}  # README: one schema for every kind (+ run for LLM runs)
CLAIM_KEYS = {"id", "subject", "metric", "period", "value", "unit", "basis", "fact_refs", "digits"}


@lru_cache(maxsize=None)
def _source():
    return open_source()


@lru_cache(maxsize=None)
def _note():
    return write_note("IJR", "2025-10-31", "1w", _source())


@lru_cache(maxsize=None)
def _digest():
    return write_digest(_source(), "2025-10-31", "1d")


@lru_cache(maxsize=None)
def _note_json() -> dict:
    return json.loads(render_as(_note(), "json"))


def _resolve(doc: dict, ref: str):
    """Follow a fact_ref (`facts.flow.net_usd`, `sentiment.ticker_sentiment[0].score`) into the JSON document."""
    node = doc
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", ref):
        node = node[int(index)] if index else node[name]
    return node


# ---- the formats -------------------------------------------------------------------------------------------------


def test_the_formats():
    assert FORMATS == ("md", "html", "txt", "json", "email", "eml")
    with pytest.raises(ValueError, match="unknown format 'text'; expected one of md, html, txt, json, email, eml"):
        render_as(_note(), "text")


def test_markdown_is_the_documents_own():
    doc = _note()
    md = render_as(doc, "md")
    assert md == doc.markdown
    assert md.startswith(f"# {TITLE}\n\n")
    assert md.endswith("\n") and not md.endswith("\n\n")
    for section in doc.sections:
        assert section.text in md


def test_html_is_a_standalone_page():
    doc = _note()
    page = render_as(doc, "html")
    assert page.startswith("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
    assert page.endswith("</body>\n</html>\n")
    assert f"<title>{html.escape(TITLE)}</title>" in page and f"<h1>{html.escape(TITLE)}</h1>" in page
    for _, heading in [(s.key, s.title) for s in doc.sections[1:]]:
        assert f"<h2>{heading}</h2>" in page
    assert "<table>" in page and "<th>Ticker</th>" in page  # the sentiment table
    assert "iShares Core S&amp;P Small-Cap ETF" in page and "S&P" not in page
    assert "<strong>Overall:</strong>" in page and "**" not in page
    assert "$399.4 million" in page and "649,550,000" in page


def test_html_escapes_vendor_text_and_never_runs_it():
    doc = _note()
    hostile = doc.model_copy(update={
        "title": 'AT&T <b>"x"</b>',
        "markdown": doc.markdown.replace("iShares Core S&P Small-Cap ETF", "<script>alert('x')</script> Fund")
        + "\n<img src=x onerror=alert(1)>\n"})
    page = render_as(hostile, "html")
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<title>AT&amp;T &lt;b&gt;&quot;x&quot;&lt;/b&gt;</title>" in page


def test_html_renders_markdown_tables():
    page = to_html("# T\n\n| Rank | Fund |\n|---|---|\n| 1 | IWM |\n", "T")
    assert "<table>" in page and "<th>Rank</th>" in page and "<td>IWM</td>" in page


def test_text_has_no_markdown_left():
    doc = _note()
    text = render_as(doc, "txt")
    lines = text.splitlines()
    assert lines[0] == TITLE and lines[1] == "=" * len(TITLE)
    assert not [ln for ln in lines if ln.startswith("#") or "|" in ln or ln.strip() == "---" or "*" in ln]
    for _, heading in [(s.key, s.title) for s in doc.sections[1:]]:
        at = lines.index(heading)
        assert lines[at + 1] == "-" * len(heading)
    assert "Sentiment" in lines and "Overall: " + doc.markdown.split("**Overall:** ")[1].split("\n")[0] in lines
    ijr_row = next(ln for ln in lines if ln.startswith("IJR "))  # the sentiment table, as columns
    assert ijr_row.split()[0] == "IJR" and len(ijr_row.split()) == 4
    assert "Sample note: written from bundled sample data (synthetic), not real market data." in text
    assert "S&P" in text and "&amp;" not in text
    for section in doc.sections:  # every prose section reads as it was written
        if not section.text.startswith("|"):
            assert section.text in text, section.key
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_text_of_a_small_markdown_document():
    md = ("# Title\n\nSome **bold** and *emphasis* here.\n\n## Part\n\n### Sub\n\n"
          "| Rank | Fund |\n|---|---|\n| 1 | IWM |\n\n---\n\n*Sample note.* Not advice.\n")
    text = to_text(md)
    assert text.startswith("Title\n=====\n\nSome bold and emphasis here.\n\nPart\n----\n\nSub\n---\n\n")
    assert "Rank" + " " * 16 + "Fund\n1" + " " * 19 + "IWM\n" in text  # cells padded to 18, two spaces apart
    assert "|" not in text and "*" not in text and "\n---\n\n" not in text.split("Sub\n---\n")[1]
    assert text.endswith("\nSample note. Not advice.\n")


def test_every_kind_renders_in_every_format():
    for doc in (_note(), _digest()):
        for fmt in FORMATS:
            out = render_as(doc, fmt)
            assert out.strip() and not re.search(r"\b(nan|None|null)\b|\{\{|\{%", out if fmt != "json" else
                                                 json.loads(out)["markdown"])
    digest_text = render_as(_digest(), "txt")
    assert "|" not in digest_text and "**" not in digest_text
    assert "<table>" in render_as(_digest(), "html")  # the leaderboard


# ---- JSON: claims and spans ---------------------------------------------------------------------------------------


def test_json_has_the_one_schema():
    doc = _note_json()
    assert set(doc) == JSON_KEYS
    assert (doc["kind"], doc["ticker"], doc["subjects"], doc["as_of"], doc["window"]) == (
        "fund", "IJR", ["IJR"], "2025-10-31", "1w")
    assert doc["title"] == TITLE and doc["markdown"] == _note().markdown
    assert doc["rules"]["z_unusual"] == 2.0 and doc["rules"]["large_fund_usd"] == 1e10  # the Rules() defaults
    assert list(doc["sections"])[0] == "lede"
    for section in doc["sections"].values():
        assert {"title", "text", "origin", "spans"} <= set(section) and section["origin"] == "template"
    digest = json.loads(render_as(_digest(), "json"))
    assert set(digest) == JSON_KEYS and digest["kind"] == "digest" and digest["ticker"] is None
    assert {"IWM", "QQQ"} <= set(digest["subjects"])


def test_json_claims_have_the_claim_shape_and_lead_to_their_facts():
    doc = _note_json()
    assert doc["claims"]
    for c in doc["claims"]:
        assert {"id", "metric", "value", "unit", "fact_refs"} <= set(c) <= CLAIM_KEYS, c
        for ref in c["fact_refs"]:
            target = _resolve(doc, ref)
            assert (target["value"] if isinstance(target, dict) else target) == c["value"], ref
    assert {c["id"] for c in doc["claims"]} == {s["claim"] for s in doc["spans"]}, "the claims printed, no others"


# what the IJR week prints, by hand from samples/shares.csv and samples/prices/IJR.csv
PRINTED = {
    "flow.net_usd": "$399.4 million",  # sum of (shares[t] - shares[t-1]) x nav[t], 2025-10-27..31
    "flow.shares_start": "649,550,000",
    "flow.shares_end": "645,650,000",
    "flow.shares_change_pct": "0.6%",  # 645,650,000 / 649,550,000 - 1 = -0.60%
    "flow.shares_change": "3,900,000",  # "Redemptions of 3,900,000 IJR shares"
    "price.last": "$103.00",  # Close 102.9975
    "price.ytd_return": ("7.7%", "+7.7%"),  # 102.9975 / 95.6692 - 1 = +7.66% ("up 7.7%", "a +7.7% price return")
}


@pytest.mark.parametrize("claim_id,shown", PRINTED.items())
def test_json_spans_point_at_the_claims_value_as_printed(claim_id, shown):
    doc = _note_json()
    spans = [s for s in doc["spans"] if s["claim"] == claim_id]
    assert spans, f"{claim_id} is not printed"
    forms = shown if isinstance(shown, tuple) else (shown,)
    for s in spans:
        assert doc["markdown"][s["start"]:s["end"]] in forms


def test_json_spans_are_ordered_disjoint_and_each_prints_a_number():
    doc = _note_json()
    md, last = doc["markdown"], 0
    for s in doc["spans"]:
        assert last <= s["start"] < s["end"] <= len(md)
        assert re.search(r"\d", md[s["start"]:s["end"]])
        last = s["end"]


def test_json_section_spans_index_the_sections_own_text():
    doc = _note_json()
    md = doc["markdown"]
    lede = doc["sections"]["lede"]
    assert [lede["text"][s["start"]:s["end"]] for s in lede["spans"] if s["claim"] == "flow.net_usd"] == [
        "$399.4 million"]
    for key, section in doc["sections"].items():
        at = md.find(section["text"])
        assert at >= 0, key
        for s in section["spans"]:
            assert {"start": s["start"] + at, "end": s["end"] + at, "claim": s["claim"]} in doc["spans"], (key, s)
