"""Email: the HTML a mailer can send as it is (styles inlined, tables for layout, no script, stylesheet link or
web font, under Gmail's clipping size, charts as PNG by URL) and the .eml that carries it with its charts; both
pass the checker like every other format."""

from __future__ import annotations

import email
import json
import re
import subprocess
import sys
from email import policy
from html.parser import HTMLParser
from pathlib import Path

import pytest

from notewriter.check import check_note
from notewriter.charts import charts_for
from notewriter.errors import UsageError
from notewriter.pipeline import open_source, write_digest, write_note
from notewriter.publish import render_as, to_text

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
FUNDS = sorted(p.stem for p in (SAMPLES / "funds").glob("*.json"))
AS_OF = "2025-10-31"
BASE = "https://cdn.example.com/notes/2025-10-31/"
LIMIT = 100 * 1024  # Gmail clips a message whose HTML passes about 102 KB


@pytest.fixture(scope="module")
def docs():
    source = open_source(None)
    out = {t: write_note(t, AS_OF, "1w", source) for t in FUNDS}
    out["digest"] = write_digest(source, AS_OF, "1d")
    return out


class _Tags(HTMLParser):
    def __init__(self, page: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize("name", FUNDS + ["digest"])
def test_email_html_is_small_inlined_and_inert(docs, name):
    doc = docs[name]
    page = render_as(doc, "email", BASE)
    assert len(page.encode("utf-8")) < LIMIT
    low = page.lower()
    for banned in ("<script", "<link", "@import", "@font-face", "<style", "<svg", "javascript:"):
        assert banned not in low, banned
    tags = _Tags(page).tags
    assert not [t for t, a in tags for k in a if k.startswith("on")]
    images = [a for t, a in tags if t == "img"]
    # each image named for its chart and its note's date and window: a later note never overwrites it
    assert [a["src"] for a in images] == [f"{BASE}{c.slug}-{doc.as_of.isoformat()}-{doc.window}.png"
                                          for c in charts_for(doc.facts)]
    assert all(a["alt"] and a["width"] == "600" for a in images)
    # layout by tables, styles on the elements themselves
    assert [a.get("role") for t, a in tags if t == "table"][:2] == ["presentation", "presentation"]
    assert all("style" in a for t, a in tags if t in ("h1", "h2", "p", "img"))
    # every URL in it is one of the chart images
    assert set(re.findall(r"https?://[^\s\"'<>)]+", page)) == {a["src"] for a in images}


@pytest.mark.parametrize("name", ["IJR", "GLD", "TLT", "digest"])
def test_email_html_passes_the_check(docs, name):
    doc = docs[name]
    report = check_note(render_as(doc, "email", BASE), doc.facts_document(), doc.ticker)
    assert report.ok, [f"{f.text}: {f.reason}" for f in report.unsupported]
    if doc.kind == "fund":  # the key figures are read and traced too
        assert report.as_dict()["numbers"] > doc.check["numbers"]


def test_key_figures_in_the_email_state_the_hand_computed_numbers(docs):
    page = render_as(docs["IJR"], "email", BASE)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    # DESIGN.md's check: IJR 649,550,000 -> 645,650,000 shares at NAV 102.41 is a $399.4 million outflow, -0.6%
    assert "Estimated net outflow this week $399.4 million" in text
    assert "Change in shares outstanding this week -0.6%" in text
    # the 52-week range and the YTD return from samples/prices/IJR.csv
    rows = [line.split(",") for line in (SAMPLES / "prices" / "IJR.csv").read_text().splitlines()[1:]]
    year = [r for r in rows if "2024-11-01" < r[0] <= AS_OF]
    low, high = min(float(r[3]) for r in year), max(float(r[2]) for r in year)
    assert f"52-week range ${low:,.2f}–${high:,.2f}" in text
    prior = [r for r in rows if r[0] <= "2024-12-31"][-1]
    ytd = float(year[-1][4]) / float(prior[4]) - 1
    assert f"Price return year to date +{ytd * 100:.1f}%" in text


def test_the_cli_writes_the_email_beside_its_images_and_the_check_passes(tmp_path):
    out = tmp_path / "ijr.html"
    run = lambda *a: subprocess.run([sys.executable, "-m", "notewriter", *a], capture_output=True, text=True)  # noqa
    done = run("write", "IJR", "--as-of", AS_OF, "--format", "email", "--asset-base-url", BASE, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"ijr-flows-{AS_OF}-1w.png", f"ijr-price-{AS_OF}-1w.png",
                                                          "ijr.html"]
    assert (tmp_path / f"ijr-price-{AS_OF}-1w.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the day before, into the same folder: its own images, the later note's left as they were
    before = (tmp_path / f"ijr-price-{AS_OF}-1w.png").read_bytes()
    done = run("write", "IJR", "--as-of", "2025-10-30", "--format", "email", "--out", str(tmp_path / "ijr-30.html"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "ijr-price-2025-10-30-1w.png").is_file()
    assert (tmp_path / f"ijr-price-{AS_OF}-1w.png").read_bytes() == before
    assert run("facts", "IJR", "--as-of", AS_OF, "--out", str(tmp_path / "f.json")).returncode == 0
    checked = run("check", str(out), "--facts", str(tmp_path / "f.json"))
    assert checked.returncode == 0 and checked.stdout.rstrip().endswith(" 0 unsupported"), checked.stdout
    eml = tmp_path / "ijr.eml"
    assert run("write", "IJR", "--as-of", AS_OF, "--format", "eml", "--out", str(eml)).returncode == 0
    from_eml = run("check", str(eml), "--facts", str(tmp_path / "f.json"))
    # the message's HTML part is read: the same numbers as the email page's, key figures included
    assert from_eml.returncode == 0 and from_eml.stdout.splitlines()[-1] == checked.stdout.splitlines()[-1]
    # an email needs a place for its images, and a base URL must be a web address
    assert run("write", "IJR", "--format", "email").returncode == 2
    bad = run("write", "IJR", "--format", "email", "--asset-base-url", "javascript:alert(1)//", "--out",
              str(tmp_path / "x.html"))
    assert bad.returncode == 2 and "--asset-base-url must be an http(s) URL" in bad.stderr


def test_images_without_a_base_url_sit_beside_the_page(docs):
    page = render_as(docs["IJR"], "email")
    assert f'src="ijr-price-{AS_OF}-1w.png"' in page and f'src="ijr-flows-{AS_OF}-1w.png"' in page
    with pytest.raises(UsageError):
        render_as(docs["IJR"], "email", "ftp://example.com/")


def test_eml_is_text_and_html_with_the_charts_attached_by_content_id(docs):
    doc = docs["IJR"]
    raw = render_as(doc, "eml")
    assert raw == render_as(write_note("IJR", AS_OF, "1w", open_source(None)), "eml")  # same bytes again
    msg = email.message_from_string(raw, policy=policy.default)
    assert msg["Subject"] == doc.title and msg.get_content_type() == "multipart/alternative"
    text, related = msg.get_payload()
    assert text.get_content_type() == "text/plain" and text.get_content() == to_text(doc.markdown)
    assert related.get_content_type() == "multipart/related"
    html_part, *images = related.get_payload()
    page = html_part.get_content()
    cids = re.findall(r'src="cid:([^"]+)"', page)
    assert cids == [f"{c.slug}@notewriter" for c in charts_for(doc.facts)]
    assert [i["Content-ID"] for i in images] == [f"<{c}>" for c in cids]
    assert [i.get_content() for i in images] == [c.png for c in charts_for(doc.facts)]
    assert len(page.encode()) < LIMIT and "<script" not in page and "<link" not in page
    report = check_note(page, doc.facts_document(), "IJR")
    assert report.ok
    assert "Date" not in msg and "Message-ID" not in msg


def test_batch_writes_email_and_eml_with_the_images_in_the_manifest(tmp_path):
    from notewriter.batch import run_batch

    result = run_batch(open_source(None), AS_OF, "1d", tmp_path, formats=("md", "email", "eml"),
                       tickers=["IJR", "GLD"], asset_base_url=BASE)
    assert result.exit_code == 0
    rows = [json.loads(line) for line in (tmp_path / "manifest.jsonl").read_text().splitlines()]
    ijr = next(r for r in rows if r["ticker"] == "IJR")
    assert ijr["paths"]["email"] == "email/IJR.html" and ijr["paths"]["eml"] == "eml/IJR.eml"
    assert ijr["assets"] == {"email": [f"email/ijr-price-{AS_OF}-1d.png", f"email/ijr-flows-{AS_OF}-1d.png"]}
    for path in ijr["assets"]["email"] + [ijr["paths"]["email"]]:
        assert (tmp_path / path).is_file()
    digest = rows[-1]
    assert digest["assets"] == {"email": [f"email/digest-leaderboard-{AS_OF}-1d.png"]}
    assert f'src="{BASE}digest-leaderboard-{AS_OF}-1d.png"' in (tmp_path / "email" / "digest.html").read_text()


def test_real_data_notes_carry_charts_and_their_email_passes_the_check(market):
    import csv

    source = open_source(market)
    for ticker in source.funds():
        note = write_note(ticker, "2026-04-02", "1w", source)
        if not note.check["ok"]:
            continue  # not published, so neither page is written (the batch tests cover that path)
        page = render_as(note, "html")
        assert f'<figure id="{ticker.lower()}-price">' in page, ticker
        mail = render_as(note, "email", BASE)
        assert len(mail.encode("utf-8")) < LIMIT, ticker
        report = check_note(mail, note.facts_document(), ticker)
        assert report.ok, (ticker, [f"{f.text}: {f.reason}" for f in report.unsupported])
        with open(market / "prices" / f"{ticker}.csv", newline="", encoding="utf-8") as fh:
            closes = {r["Date"][:10]: float(r["Close"]) for r in csv.DictReader(fh)}
        drawn = note.facts.charts.closes
        last = drawn.dates[-1].isoformat()
        assert last == note.facts.as_of.isoformat() and max(closes) >= last
        assert drawn.values[-1] == pytest.approx(closes[last]), ticker  # the chart's last point is that day's close


@pytest.mark.parametrize("base", ["https://cdn.x/notes?v=1&x=2", "https://cdn.x/n/#top", "http:///x",
                                  "https://user:pw@cdn.x/n/", "javascript:alert(1)//", "//cdn.x/n/", "cdn.x/n"])
def test_an_asset_base_url_that_would_break_or_leak_is_refused(base):
    from notewriter.errors import UsageError
    from notewriter.mail import asset_url

    with pytest.raises(UsageError, match="--asset-base-url"):
        asset_url(base)


def test_an_asset_base_url_gets_its_slash():
    from notewriter.mail import asset_url

    assert asset_url("HTTPS://cdn.x/n")("a.png") == "HTTPS://cdn.x/n/a.png"
    assert asset_url("https://cdn.x:8443/")("a.png") == "https://cdn.x:8443/a.png"
