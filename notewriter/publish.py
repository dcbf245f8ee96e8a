"""Writers: every document kind as Markdown, standalone HTML, plain text or JSON.

Vendor strings reach the Markdown escaped as text (`notewriter.render.md_escape`), so in every format they
print as the vendor wrote them and do nothing: the HTML page has no links, images or scripts at all and a
Content-Security-Policy that would refuse them anyway, the text shows the names without their escapes, and
the JSON keeps them as string data that cannot close a `<script>` block it is embedded in.
"""

from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt

from .document import Document, to_json
from .render import md_unescape

FORMATS = ("md", "html", "txt", "json")

_CSS = """body{font:16px/1.55 Georgia,serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.5rem;line-height:1.3}h2{font-size:1.1rem;margin-top:1.6rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .6rem;text-align:left}
hr{border:0;border-top:1px solid #ccc;margin-top:2rem}p:last-child{color:#555;font-size:.9rem}"""


# The page loads nothing and runs nothing: no scripts, frames, fonts, images, media or connections; inline
# style (the one <style> block) is all it allows. Forms and <base> are refused too.
CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def _markdown_it() -> MarkdownIt:
    """CommonMark with tables, and no links, images, autolinks, link definitions or raw HTML at all: a note
    has none of its own, so whatever looks like one is printed as the text it is."""
    return (MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
            .disable(["link", "image", "autolink", "html_inline", "html_block", "reference"]))


_MD = _markdown_it()


def to_html(markdown: str, title: str) -> str:
    """Standalone HTML; raw HTML in the Markdown (e.g. a vendor string with <script>) is escaped, never run,
    and no link or image is made from it; a strict Content-Security-Policy refuses any script or remote
    resource besides. `title` is the document's (Markdown) title."""
    body = _MD.render(markdown)
    return (f"<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n"
            f"<meta name=\"referrer\" content=\"no-referrer\">\n"
            f"<title>{html.escape(md_unescape(title))}</title>\n<style>{_CSS}</style>\n</head>\n"
            f"<body>\n{body}</body>\n</html>\n")


# A backslash escape of the Markdown, hidden while the text writer reads the markup around it: each
# escaped character is moved to a private-use code point and back, so "\\*" and "\\|" are never emphasis
# or a cell border and come out as the "*" and "|" the vendor wrote.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_HIDDEN = 0x100000
_HIDDEN_CHAR = re.compile("[\U00100000-\U0010007f]")


def _hide_escapes(line: str) -> str:
    return _ESCAPE.sub(lambda m: chr(_HIDDEN + ord(m.group(1))), line) if "\\" in line else line


def _show_escapes(text: str) -> str:
    return _HIDDEN_CHAR.sub(lambda m: chr(ord(m.group(0)) - _HIDDEN), text)


def to_text(markdown: str) -> str:
    """Plain text: headings underlined, emphasis and table pipes removed, backslash escapes taken out (plain
    text has no markup, so a name shows as its vendor wrote it)."""
    out = []
    for line in map(_hide_escapes, _HIDDEN_CHAR.sub("\ufffd", markdown).splitlines()):
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            out.extend([heading, ("=" if line.startswith("# ") else "-") * len(heading)])
        elif re.fullmatch(r"\|?[-| :]+\|?", line) and "-" in line:
            continue
        elif line.startswith("|"):
            cells = [_show_escapes(c.strip()) for c in line.strip("|").split("|")]
            out.append("  ".join(f"{c:<18}" for c in cells).rstrip())
        elif line.strip() == "---":
            out.append("")
        else:
            out.append(re.sub(r"\*\*?([^*]+)\*\*?", r"\1", line))
    return _show_escapes("\n".join(out).strip() + "\n")


def _json_for_embedding(text: str) -> str:
    """JSON text with '<', '>' and the JavaScript line separators written as \\u escapes: the same data, and
    a string in it cannot close a <script> element the JSON is embedded in."""
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        if ch in text:
            text = text.replace(ch, esc)
    return text


def render_as(doc: Document, fmt: str) -> str:
    """A document of any kind in one output format."""
    if fmt == "md":
        return doc.markdown
    if fmt == "html":
        return to_html(doc.markdown, doc.title)
    if fmt == "txt":
        return to_text(doc.markdown)
    if fmt == "json":
        return _json_for_embedding(to_json(doc))
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
