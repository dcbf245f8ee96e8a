"""Feeds of published documents: exactly the published items, stable ids through corrections, withdrawals
gone, byte-identical for the same store, and valid as each format says."""

from __future__ import annotations

import json

import feedparser
import pytest

from notewriter.desk.store import Store
from notewriter.document import to_json
from notewriter.feeds import render_feed
from notewriter.pipeline import write_note

BASE = "https://notes.example.com/flows/"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = Store(tmp_path_factory.mktemp("feeds") / "desk.sqlite")
    docs = {t: json.loads(to_json(write_note(t, "2025-10-31", "1w"))) for t in ("IJR", "SPY", "GLD", "QQQ")}
    ids = {}
    for t, d in docs.items():
        ids[t], _ = s.add_draft(d, auto_approve=True)
    for t in ("IJR", "SPY", "GLD"):
        s.transition(ids[t], "published", "bob", role="approver")
    # SPY is corrected: a new document replaces the published one, and is published in turn
    fixed = json.loads(json.dumps(docs["SPY"]))
    fixed["title"] = docs["SPY"]["title"] + " (corrected)"
    new_spy = s.correct(ids["SPY"], fixed, "bob", "restated flow")
    s.transition(new_spy, "in_review", "ann")
    s.transition(new_spy, "approved", "bob", role="approver")
    s.transition(new_spy, "published", "bob", role="approver")
    # GLD is withdrawn; QQQ was never published
    s.transition(ids["GLD"], "withdrawn", "bob", "wrong data vendor file")
    # fixed audit times, so the dates are distinct and known
    for doc_id, at in ((ids["IJR"], "2025-11-01T09:00:00+00:00"), (ids["SPY"], "2025-11-01T09:05:00+00:00"),
                       (new_spy, "2025-11-02T10:00:00+00:00")):
        s.db.execute("UPDATE audit SET at=? WHERE document_id=? AND event='published'", (at, doc_id))
    s.ids = {**ids, "SPY2": new_spy}
    return s


def test_atom_and_rss_parse_and_carry_exactly_the_published_items(store):
    for fmt in ("atom", "rss"):
        text = render_feed(store, fmt, BASE)
        feed = feedparser.parse(text)
        assert not feed.bozo, (fmt, feed.get("bozo_exception"))
        titles = [e.title for e in feed.entries]
        assert len(titles) == 2, titles
        assert titles[0].endswith("(corrected)") and titles[1].startswith("IJR")  # newest update first
        spy, ijr = feed.entries
        assert spy.id == f"urn:notewriter:fund:SPY:2025-10-31:1w:{store.ids['SPY']}"  # the chain's first id
        assert "GLD" not in text and "QQQ:" not in text
        assert spy.link == BASE + "fund-spy-2025-10-31-1w.html"
        assert "<h1>" in spy.content[0].value and "net" in spy.summary
        if fmt == "atom":
            assert spy.published.startswith("2025-11-01T09:05:00") and spy.updated.startswith("2025-11-02T10:00:00")
            assert any(link.rel == "self" for link in feed.feed.links)
        else:
            assert "content:encoded" in text and "<lastBuildDate>Sun, 02 Nov 2025 10:00:00 +0000" in text
            assert "atom:link" in text and 'rel="self"' in text and f"<link>{BASE}</link>" in text
            assert spy.published.startswith("Sat, 01 Nov 2025 09:05:00")


def test_json_feed_has_the_required_fields(store):
    feed = json.loads(render_feed(store, "json", BASE))
    assert feed["version"] == "https://jsonfeed.org/version/1.1" and feed["title"]
    assert [i["id"] for i in feed["items"]] == [f"urn:notewriter:fund:SPY:2025-10-31:1w:{store.ids['SPY']}",
                                                 f"urn:notewriter:fund:IJR:2025-10-31:1w:{store.ids['IJR']}"]
    for item in feed["items"]:
        assert set(item) >= {"id", "url", "title", "content_html", "summary", "date_published", "date_modified"}
    assert feed["items"][0]["date_published"] == "2025-11-01T09:05:00Z"
    assert feed["items"][0]["date_modified"] == "2025-11-02T10:00:00Z"


def test_feeds_are_byte_identical_for_the_same_store(store):
    for fmt in ("atom", "rss", "json"):
        assert render_feed(store, fmt, BASE) == render_feed(store, fmt, BASE), fmt


def test_feed_filters_and_cli(store, tmp_path):
    from click.testing import CliRunner

    from notewriter.cli import main

    assert len(feedparser.parse(render_feed(store, "atom", BASE, ticker="ijr")).entries) == 1
    assert len(feedparser.parse(render_feed(store, "atom", BASE, kind="digest")).entries) == 0
    assert len(feedparser.parse(render_feed(store, "atom", BASE, limit=1)).entries) == 1
    out = tmp_path / "feed.xml"
    r = CliRunner().invoke(main, ["feed", "--store", str(store.path), "--format", "rss", "--base-url", BASE,
                                  "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert not feedparser.parse(out.read_text()).bozo
    r = CliRunner().invoke(main, ["feed", "--store", str(store.path), "--base-url", "ftp://x"])
    assert r.exit_code == 2 and "http(s) URL" in r.stderr
