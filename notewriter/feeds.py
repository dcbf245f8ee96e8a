"""Feeds of published documents from the desk store: Atom 1.0, RSS 2.0 and JSON Feed 1.1.

An item is a publication chain: a published document and the corrections that replaced it. Its id is
stable for the chain (re-renders and corrections keep it), `published` is when the chain was first
published and `updated` when its current text was; a withdrawal removes the item. Every date comes from
the store's audit log, so the same store gives the same feed bytes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

from .desk.store import Store
from .errors import UsageError
from .publish import to_html, to_text

FEED_FORMATS = ("atom", "rss", "json")


@dataclass(frozen=True)
class Item:
    id: str
    slug: str
    kind: str
    subject: str
    title: str
    summary: str
    content_html: str
    published: datetime
    updated: datetime


def _summary(document: dict) -> str:
    """The lede's first sentence as plain text (a feed's short description)."""
    lede = to_text(document["sections"].get("lede", {}).get("text", "")).strip()
    m = re.match(r"(.+?[.!?])(\s|$)", lede, re.S)
    return (m.group(1) if m else lede).replace("\n", " ")


def items(store: Store, kind: str | None = None, ticker: str | None = None, limit: int | None = None) -> list[Item]:
    """The published chains, newest update first."""
    db = store.db
    rows = db.execute("SELECT * FROM documents WHERE state IN ('published', 'corrected', 'withdrawn') "
                      "ORDER BY id").fetchall()
    by_id = {r["id"]: r for r in rows}
    out = []
    for r in rows:
        if r["replaces"] is not None and r["replaces"] in by_id:
            continue  # a correction: shown under the chain's first document
        chain = [r]
        while chain[-1]["replaced_by"] is not None:
            nxt = db.execute("SELECT * FROM documents WHERE id=?", (chain[-1]["replaced_by"],)).fetchone()
            if nxt is None:
                break
            chain.append(nxt)
        if chain[-1]["state"] == "withdrawn":
            continue
        shown = [d for d in chain if d["state"] in ("published", "corrected")]
        published = [(d, p) for d in shown if (p := _publication(store, d["id"])) is not None]
        if not published:
            continue
        live, (_, version) = published[-1]
        times = [at for _, (at, _) in published]
        doc = store.version(live["id"], version).document
        if kind and r["kind"] != kind or ticker and r["subject"] != ticker.upper():
            continue
        slug = f"{r['kind']}-{r['subject']}-{r['as_of']}-{r['window']}".lower()
        out.append(Item(id=f"urn:notewriter:{r['kind']}:{r['subject']}:{r['as_of']}:{r['window']}:{r['id']}",
                        slug=slug, kind=r["kind"], subject=r["subject"], title=doc["title"], summary=_summary(doc),
                        content_html=_body(doc), published=times[0], updated=times[-1]))
    out.sort(key=lambda i: (i.updated, i.id), reverse=True)
    return out[:limit] if limit else out


def _publication(store: Store, doc_id: int) -> tuple[datetime, int] | None:
    """When a document was (last) published, and which version."""
    row = store.db.execute("SELECT at, version FROM audit WHERE document_id=? AND event='published' "
                           "ORDER BY id DESC LIMIT 1", (doc_id,)).fetchone()
    return (datetime.fromisoformat(row["at"]), row["version"]) if row else None


def _body(document: dict) -> str:
    """The note's HTML body (what a mailer puts in the message): the standalone page's <body> content."""
    page = to_html(document["markdown"], document["title"])
    m = re.search(r"<body>\n?(.*)</body>", page, re.S)
    return m.group(1) if m else page


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds").replace("+00:00", "Z")


def _rfc822(t: datetime) -> str:
    from email.utils import format_datetime

    return format_datetime(t)


def render_feed(store: Store, fmt: str, base_url: str, title: str = "notewriter notes", kind: str | None = None,
                ticker: str | None = None, limit: int | None = None, self_url: str | None = None) -> str:
    """The feed's text. `base_url` is where the HTML notes are served (`<base>/<slug>.html`)."""
    if fmt not in FEED_FORMATS:
        raise UsageError(f"unknown feed format {fmt!r}; expected one of {', '.join(FEED_FORMATS)}")
    if not re.match(r"https?://", base_url):
        raise UsageError(f"--base-url must be an http(s) URL, not {base_url!r}")
    base = base_url if base_url.endswith("/") else base_url + "/"
    self_url = self_url or urljoin(base, f"feed.{ 'xml' if fmt != 'json' else 'json'}")
    its = items(store, kind, ticker, limit)
    built = max((i.updated for i in its), default=datetime.fromisoformat("1970-01-01T00:00:00+00:00"))
    link = lambda i: urljoin(base, f"{i.slug}.html")  # noqa: E731
    if fmt == "json":
        return json.dumps({
            "version": "https://jsonfeed.org/version/1.1", "title": title, "home_page_url": base, "feed_url": self_url,
            "items": [{"id": i.id, "url": link(i), "title": i.title, "content_html": i.content_html,
                       "summary": i.summary, "date_published": _iso(i.published), "date_modified": _iso(i.updated),
                       "tags": [i.kind, i.subject]} for i in its]}, indent=2, ensure_ascii=False) + "\n"
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.id(base)
    fg.title(title)
    fg.link(href=self_url, rel="self")
    fg.link(href=base, rel="alternate")  # after "self": RSS takes the channel's <link> from the last one
    fg.description(title)
    fg.language("en")
    fg.generator("notewriter")
    fg.updated(built)
    fg.lastBuildDate(built)
    for i in reversed(its):  # feedgen prepends: add oldest first so the newest ends up first
        e = fg.add_entry()
        e.id(i.id)
        e.guid(i.id, permalink=False)
        e.title(i.title)
        e.link(href=link(i))
        e.summary(i.summary)
        e.description(i.summary)
        e.content(i.content_html, type="CDATA" if fmt == "rss" else "html")
        e.published(i.published)
        e.updated(i.updated)
        e.pubDate(i.published)
    text = (fg.atom_str(pretty=True) if fmt == "atom" else fg.rss_str(pretty=True)).decode("utf-8")
    return text


__all__ = ["FEED_FORMATS", "items", "render_feed"]
