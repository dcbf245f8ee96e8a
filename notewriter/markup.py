"""The HTML every page shares: the Markdown renderer (no links, images or raw HTML), the Content-Security-Policy,
the base style and the page shell."""

from __future__ import annotations

import html

from markdown_it import MarkdownIt

from .render import md_unescape

CSS = """body{font:16px/1.55 Georgia,serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;overflow-wrap:anywhere}
h1{font-size:1.5rem;line-height:1.3}h2{font-size:1.1rem;margin-top:1.6rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .6rem;text-align:left}
hr{border:0;border-top:1px solid #ccc;margin-top:2rem}p:last-child{color:#555;font-size:.9rem}"""

# The page loads nothing and runs nothing: no scripts, frames, fonts, images, media or connections; inline
# style (the one <style> block) is all it allows. Forms and <base> are refused too.
CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def markdown_it() -> MarkdownIt:
    """CommonMark with tables, and no links, images, autolinks, link definitions or raw HTML at all: a note
    has none of its own, so whatever looks like one is printed as the text it is."""
    return (MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
            .disable(["link", "image", "autolink", "html_inline", "html_block", "reference"]))


MD = markdown_it()


def page(title: str, body: str, css: str = CSS, viewport: bool = False) -> str:
    """A standalone page around `body` (HTML); `title` is the document's (Markdown) title."""
    meta = "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n" if viewport else ""
    return (f"<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n{meta}"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n"
            f"<meta name=\"referrer\" content=\"no-referrer\">\n"
            f"<title>{html.escape(md_unescape(title))}</title>\n<style>{css}</style>\n</head>\n"
            f"<body>\n{body}</body>\n</html>\n")
