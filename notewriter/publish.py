"""Writers: every document kind as Markdown, standalone HTML, plain text or JSON."""

from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt

from .document import Document, to_json

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


def render_as(doc: Document, fmt: str) -> str:
    """A document of any kind in one output format."""
    if fmt == "md":
        return doc.markdown
    if fmt == "html":
        return to_html(doc.markdown, doc.title)
    if fmt == "txt":
        return to_text(doc.markdown)
    if fmt == "json":
        return to_json(doc)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
