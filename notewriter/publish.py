"""Writers: Markdown, standalone HTML, plain text and JSON; atomic file output."""

from __future__ import annotations

import html
import json
import re

from markdown_it import MarkdownIt

FORMATS = ("md", "html", "txt", "json")

_CSS = """body{font:16px/1.55 Georgia,serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.5rem;line-height:1.3}h2{font-size:1.1rem;margin-top:1.6rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .6rem;text-align:left}
hr{border:0;border-top:1px solid #ccc;margin-top:2rem}p:last-child{color:#555;font-size:.9rem}"""


def to_html(markdown: str, title: str) -> str:
    """Standalone HTML; raw HTML in the Markdown (e.g. a vendor string with <script>) is escaped, never run."""
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    return (f"<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n")


def to_text(markdown: str) -> str:
    """Plain text: headings underlined, emphasis and table pipes removed."""
    out = []
    for line in markdown.splitlines():
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            out.extend([heading, ("=" if line.startswith("# ") else "-") * len(heading)])
        elif re.fullmatch(r"\|?[-| :]+\|?", line) and "-" in line:
            continue
        elif line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            out.append("  ".join(f"{c:<18}" for c in cells).rstrip())
        elif line.strip() == "---":
            out.append("")
        else:
            out.append(re.sub(r"\*\*?([^*]+)\*\*?", r"\1", line))
    return "\n".join(out).strip() + "\n"


def to_json(note) -> str:
    doc = {
        "ticker": note.ticker, "as_of": note.as_of.isoformat(), "window": note.window, "title": note.title,
        "sections": {s.key: {"title": s.title, "text": s.text, "origin": s.origin,
                             **({"reason": s.reason} if s.reason else {})} for s in note.sections},
        "sentiment": note.sentiment.model_dump(mode="json"),
        "check": note.check,
        "facts": note.facts.model_dump(mode="json", exclude_none=True),
        "footer": note.footer,
        "markdown": note.markdown,
    }
    if note.run:
        doc["run"] = note.run
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_as(note, fmt: str, json_writer=None) -> str:
    """A note (or anything with `markdown` and `title`) in one output format."""
    if fmt == "md":
        return note.markdown
    if fmt == "html":
        return to_html(note.markdown, note.title)
    if fmt == "txt":
        return to_text(note.markdown)
    if fmt == "json":
        return (json_writer or to_json)(note)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
