"""Writers: every document kind as Markdown, standalone HTML, plain text or JSON.

Vendor strings reach the Markdown escaped as text (`notewriter.render.md_escape`), so in every format they
print as the vendor wrote them and do nothing: the HTML page has no links, images or scripts at all and a
Content-Security-Policy that would refuse them anyway, the text shows the names without their escapes, and
the JSON keeps them as string data that cannot close a `<script>` block it is embedded in.
"""

from __future__ import annotations

import re

from .document import Document, to_json
from .markup import CSP, MD, page  # noqa: F401  (CSP is imported from here too)

FORMATS = ("md", "html", "txt", "json", "email", "eml")
# the file name ending of each format (an email is an HTML file)
EXTENSIONS = {"email": "html"}


def to_html(markdown: str, title: str) -> str:
    """Standalone HTML; raw HTML in the Markdown (e.g. a vendor string with <script>) is escaped, never run,
    and no link or image is made from it; a strict Content-Security-Policy refuses any script or remote
    resource besides. `title` is the document's (Markdown) title."""
    return page(title, MD.render(markdown))


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


def render_as(doc: Document, fmt: str, asset_base_url: str | None = None) -> str:
    """A document of any kind in one output format. `email` refers to its chart PNGs (`assets`) under
    `asset_base_url`, or beside it when None; `eml` carries them."""
    if fmt == "md":
        return doc.markdown
    if fmt == "html":
        from .pages import note_page

        return note_page(doc)
    if fmt == "txt":
        return to_text(doc.markdown)
    if fmt == "json":
        return _json_for_embedding(to_json(doc))
    if fmt == "email":
        from .mail import asset_url, email_html, png_name

        url = asset_url(asset_base_url)
        return email_html(doc, lambda chart: url(png_name(doc, chart)))
    if fmt == "eml":
        from .mail import to_eml

        return to_eml(doc, to_text(doc.markdown))
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def assets(doc: Document, fmt: str) -> dict[str, bytes]:
    """Files a format's output refers to and that go beside it (an email's chart PNGs), by file name."""
    if fmt != "email":
        return {}
    from .mail import images

    return images(doc)
