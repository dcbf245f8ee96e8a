"""Email-ready HTML and .eml messages of a document.

Mail clients drop <style> blocks, scripts and remote fonts and lay out tables best, so the email is a
600-pixel table with every style inlined (css-inline), the charts as PNG images at twice their shown size —
referenced by URL (`asset_base_url`) or, in an .eml, attached as related parts by Content-ID — and nothing
else: no script, no stylesheet link, no web font. The .eml carries the plain text beside the HTML.
"""

from __future__ import annotations

import hashlib
import html
import re
from email import policy
from email.message import EmailMessage
from typing import Callable

from .charts import Chart, charts_for
from .document import Document
from .errors import UsageError
from .pages import alt, body_with_figures
from .render import md_unescape

WIDTH = 600  # pixels: the common width of an email's content column

EMAIL_CSS = """
body{margin:0;padding:0;background:#f3f3f0}
.outer{background:#f3f3f0}
.sheet{background:#ffffff}
.content{font-family:Georgia,'Times New Roman',serif;font-size:16px;line-height:1.55;color:#1b1b1b;padding:16px 20px;overflow-wrap:anywhere;word-break:break-word}
.content h1{font-size:22px;line-height:1.3;margin:0 0 12px}
.content h2{font-size:17px;line-height:1.3;margin:24px 0 8px;padding-bottom:2px;border-bottom:1px solid #dddddd}
.content p{margin:0 0 12px}
.content hr{border:0;border-top:1px solid #cccccc;margin:24px 0 12px}
.content table{border-collapse:collapse}
.content td,.content th{border:1px solid #cccccc;padding:3px 8px;text-align:left;font-size:14px}
.content em{color:#555555}
.content .key{width:100%;background:#f6f6f3;border:1px solid #d8d8d2;margin:8px 0 16px}
.content .key td.box{border:0;padding:8px 12px;font-family:Arial,Helvetica,sans-serif;font-size:14px}
.content .key table{width:100%}
.content .key td,.content .key th{border:0;border-bottom:1px solid #e2e2dc;padding:4px 2px;font-family:Arial,Helvetica,sans-serif}
.content .key .box td:last-child{text-align:right;white-space:nowrap;font-weight:bold}
.content .key ul{margin:4px 0;padding-left:18px;color:#444444;font-size:13px}
.content .key p{margin:8px 0 2px}
.content img{display:block;border:0;outline:none;width:100%;max-width:600px;height:auto;margin:12px 0}
"""


def _image(src: Callable[[Chart], str]) -> Callable[[Chart], str]:
    def figure(chart: Chart) -> str:
        w, h = chart.png_size
        shown_h = round(WIDTH * h / w)
        return (f'<img src="{html.escape(src(chart))}" width="{WIDTH}" height="{shown_h}" alt="{alt(chart)}">\n')
    return figure


def _table_box(html_box: str) -> str:
    """The key figures as a mail client lays them out best: a one-cell table."""
    return ('<table role="presentation" class="key" cellpadding="0" cellspacing="0" border="0">'
            f'<tr><td class="box">\n{html_box}</td></tr></table>\n')


def email_html(doc: Document, src: Callable[[Chart], str]) -> str:
    """The document as one email-ready HTML page; `src(chart)` is where each chart's PNG is found."""
    import css_inline

    body = body_with_figures(doc, _image(src), _table_box, wrap=False)
    page = (f"<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{html.escape(md_unescape(doc.title))}</title>\n<style>{EMAIL_CSS}</style>\n</head>\n<body>\n"
            '<table role="presentation" class="outer" width="100%" cellpadding="0" cellspacing="0" border="0">'
            '<tr><td align="center">\n'
            f'<table role="presentation" class="sheet" width="{WIDTH}" cellpadding="0" cellspacing="0" border="0" '
            f'style="width:100%;max-width:{WIDTH}px"><tr><td class="content">\n{body}</td></tr></table>\n'
            "</td></tr></table>\n</body>\n</html>\n")
    return css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False,
                                 keep_link_tags=False).inline(page)


def asset_url(base: str | None) -> Callable[[str], str]:
    """A file name's URL under `base` (an http(s) URL with a host, no credentials, query or fragment), or the
    bare name, for images served beside the HTML file, when there is none."""
    if base is None:
        return lambda name: name
    m = re.match(r"(?i)https?://([^\s\"'<>/?#@]+)(/[^\s\"'<>?#]*)?$", base)
    if not m:
        raise UsageError(f"--asset-base-url must be an http(s) URL with a host and no credentials, query or "
                         f"fragment, not {base!r}")
    base = base if base.endswith("/") else base + "/"
    return lambda name: f"{base}{name}"


def png_name(doc: Document, chart: Chart) -> str:
    """A chart image's file name, unique to its document's date and window: an email already sent keeps
    showing its own chart when a later run uploads the next day's to the same place."""
    return f"{chart.slug}-{doc.as_of.isoformat()}-{doc.window}.png"


def images(doc: Document) -> dict[str, bytes]:
    """The chart PNGs an email of the document refers to, by file name."""
    return {png_name(doc, c): c.png for c in charts_for(doc.facts)}


def _cid(chart: Chart) -> str:
    return f"{chart.slug}@notewriter"


def to_eml(doc: Document, text: str) -> str:
    """A MIME message: multipart/alternative of the plain text and a multipart/related of the HTML with its
    chart PNGs attached by Content-ID. Byte for byte the same for the same document (no date, no message id,
    boundaries from the content)."""
    html_text = email_html(doc, lambda c: f"cid:{_cid(c)}")
    msg = EmailMessage(policy=policy.default)
    msg["Subject"] = md_unescape(doc.title)
    msg["X-Unsent"] = "1"  # mail programs open it as a draft to send
    msg.set_content(text, cte="quoted-printable")
    msg.add_alternative(html_text, subtype="html", cte="quoted-printable")
    part = msg.get_payload()[1]
    for chart in charts_for(doc.facts):
        part.add_related(chart.png, maintype="image", subtype="png", cid=f"<{_cid(chart)}>",
                         filename=png_name(doc, chart), disposition="inline")
    digest = hashlib.sha256(text.encode() + html_text.encode()).hexdigest()[:24]
    for i, p in enumerate(m for m in msg.walk() if m.is_multipart()):
        p.set_boundary(f"notewriter-{i}-{digest}")
    # bodies are encoded in lines of 76; the subject is written on one line, not folded before its first word
    return msg.as_string(policy=policy.default.clone(linesep="\n", max_line_length=998))
