"""The HTML note and digest with their figures: the key-figures box, the charts, the data caveats.

The figures go after the lede (a fund note) or after the leaderboard (a digest). Charts are inline SVG in the
standalone page and images in email (`notewriter.mail`); the key figures are the kind's box, printed from
claims and checked when the document was composed.
"""

from __future__ import annotations

import html
from typing import Callable

from .charts import Chart, charts_for
from .document import Document
from .markup import CSS, MD, page

PAGE_CSS = CSS + """
.figures{margin:1.4rem 0}figure{margin:1.2rem 0;max-width:100%}figure svg{display:block;width:100%;height:auto}
.key{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;background:#f6f6f3;
border:1px solid #d8d8d2;border-radius:4px;padding:.6rem .9rem}.key table{width:100%}
.key th,.key td{border:0;border-bottom:1px solid #e2e2dc;padding:.3rem .2rem;vertical-align:top}
.key td:last-child{text-align:right;white-space:nowrap;font-weight:600}.key p{margin:.6rem 0 .2rem;color:#1b1b1b}
.key ul{margin:.2rem 0;padding-left:1.2rem;color:#444;font-size:14px}
figure .narrow{display:none}
@media (max-width:600px){body{margin:1rem auto;font-size:15px}h1{font-size:1.25rem}.key{font-size:14px}
figure .wide{display:none}figure .narrow{display:block}
}"""


def svg_figure(chart: Chart) -> str:
    """The chart inline, in its wide layout and in its phone layout (the style shows one)."""
    return (f'<figure id="{chart.slug}">\n<div class="wide">\n{chart.svg}</div>\n'
            f'<div class="narrow">\n{chart.narrow_svg}</div>\n</figure>\n')


def aside_box(html_box: str) -> str:
    """The key figures (rendered) as the page shows them."""
    return f'<aside class="key">\n{html_box}</aside>\n'


def figures(doc: Document, figure: Callable[[Chart], str] = svg_figure, box: Callable[[str], str] = aside_box,
            wrap: bool = True) -> str:
    """The key figures and data caveats (when the document has them), then its charts; in a <div> of their own
    on the page (`wrap`), as they are in an email."""
    key = doc.boxes.get("key_figures")
    body = (box(MD.render(key)) if key else "") + "".join(figure(c) for c in charts_for(doc.facts))
    return f'<div class="figures">\n{body}</div>\n' if body and wrap else body


def figures_at(body: str, doc: Document) -> int:
    """Where the figures go: before the first section heading of a fund note, after a digest's leaderboard."""
    start = 0
    if doc.kind == "digest":
        board = body.find("<h2>Leaderboard</h2>")
        start = board + 1 if board >= 0 else 0
    at = body.find("<h2>", start)
    return at if at >= 0 else len(body)


def body_with_figures(doc: Document, figure: Callable[[Chart], str] = svg_figure,
                      box: Callable[[str], str] = aside_box, wrap: bool = True) -> str:
    """The document's HTML with its figures where `figures_at` puts them."""
    body = MD.render(doc.markdown)
    extra = figures(doc, figure, box, wrap)
    at = figures_at(body, doc)
    return body[:at] + extra + body[at:]


def note_page(doc: Document) -> str:
    """The standalone HTML page: the note, its key figures and its charts inline; nothing remote, no script."""
    return page(doc.title, body_with_figures(doc), PAGE_CSS, viewport=True)


def alt(chart: Chart) -> str:
    return html.escape(chart.title)
