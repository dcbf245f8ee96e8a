"""Jinja environment: user override folder first, then the shipped templates; named number filters.

Every string a template prints with `{{ }}` is text, not Markdown: the environments' `finalize` escapes it
(`md_escape`), so a fund, holding or peer name, a category or a data label from outside prints literally in
every format. What is already Markdown — a filter's number, a drafted section, the footer, a title built
by a kind — is a `Markdown` string and is printed as it is.
"""

from __future__ import annotations

import hashlib
import math
import re
from datetime import date
from pathlib import Path

import jinja2

from .claims import Claim
from .resources import templates_dir

# A number a filter prints from a claim is wrapped as OPEN claim-id SEP text CLOSE; `unmark` takes the
# markers out and returns where each claim's text ended up.
OPEN, SEP, CLOSE = "\ue000", "\ue001", "\ue002"
_MARKED = re.compile(f"{OPEN}([^{SEP}]*){SEP}([^{CLOSE}]*){CLOSE}")


class Markdown(str):
    """A string that is already Markdown (a filter's number, a drafted section, a footer, a kind's title):
    templates print it as it is; every other string they print is escaped first."""

    __slots__ = ()


# Characters that can start Markdown or HTML anywhere in a line (emphasis, code, links and images, raw
# HTML and autolinks, headings, table cells, strikethrough) and the backslash itself; an underscore only
# where it can open or close emphasis (not inside a word: "flows_2024_v2" is left as it is).
_MD_ACTIVE = re.compile(r"[\\`*\[\]<>#|~]|(?<![^\W_])_|_(?![^\W_])")
# "&amp;", "&#60;": an entity reference would print as the character it names, not as written.
_ENTITY = re.compile(r"&(?=#[0-9]{1,7};|#[xX][0-9A-Fa-f]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")
# What only counts at the start of a line (a string may open a paragraph or a table cell): list items,
# setext underlines and thematic breaks.
_LINE_START = re.compile(r"^(?:[-+=]|\d{1,9}(?=[.)](?:\s|$)))")
# Line breaks and other control characters (a name must not open a new line), bidirectional overrides (a
# name must not reorder the text around it) and the claim markers above (a name must not forge a claim).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")
_MARK_CHARS = re.compile(f"[{OPEN}{SEP}{CLOSE}]")
# Whether any of the above applies (most names need nothing and are returned as they are).
_SPECIAL = re.compile("|".join((_MD_ACTIVE.pattern, _ENTITY.pattern, _LINE_START.pattern, _UNPRINTABLE.pattern,
                                _MARK_CHARS.pattern)))
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def md_escape(text) -> Markdown:
    """Text as Markdown that prints it literally: "*x* [a](b)" -> "\\*x\\* \\[a\\](b)".

    Ordinary names ("iShares Core S&P Small-Cap ETF") come back unchanged. Line breaks and control
    characters become a space, so a string cannot start a heading, a list or a table row of its own."""
    if isinstance(text, Markdown):
        return text
    text = str(text)
    if not _SPECIAL.search(text):
        return Markdown(text)
    if OPEN in text or SEP in text or CLOSE in text:
        text = _MARK_CHARS.sub("", _MARKED.sub(lambda m: m.group(2), text))
    text = _UNPRINTABLE.sub(" ", text)
    text = _MD_ACTIVE.sub(lambda m: "\\" + m.group(0), text)
    if "&" in text:
        text = _ENTITY.sub(r"\\&", text)
    text = _LINE_START.sub(lambda m: "\\" + m.group(0) if not m.group(0).isdigit() else m.group(0) + "\\", text)
    return Markdown(text)


def md_unescape(text: str) -> str:
    """Markdown text as a reader sees it: backslash escapes taken out ("\\*x\\*" -> "*x*")."""
    return _ESCAPED.sub(r"\1", text) if "\\" in text else text


def _finalize(value):
    """What `{{ value }}` prints: a plain string escaped as text, Markdown as it is, anything else as is."""
    if isinstance(value, str) and not isinstance(value, Markdown):
        return md_escape(value)
    return value


def _num(x) -> float:
    value = getattr(x, "value", x)
    if value is None:
        raise ValueError("a template formatted a missing value; guard it with {% if %}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError("a template formatted a non-finite value")
    return value


def _scaled(a: float, unit: float) -> str:
    """One decimal, dropped only for exactly round amounts (a $200 million threshold), so the
    precision shown never claims less than the number has."""
    whole = a / unit
    return f"${whole:,.0f}" if whole == round(whole) else f"${whole:,.1f}"


def usd(x, signed: bool = False) -> str:
    """$399.4 million, $1.5 billion, $12,500; the sign is left to the words unless `signed`."""
    v = _num(x)
    a = abs(v)
    if round(a / 1e12, 1) >= 1:
        body = _scaled(a, 1e12) + " trillion"
    elif round(a / 1e9, 1) >= 1:
        body = _scaled(a, 1e9) + " billion"
    elif round(a / 1e6, 1) >= 1:
        body = _scaled(a, 1e6) + " million"
    else:
        body = f"${a:,.0f}"
    if signed and round(a) != 0:
        return ("-" if v < 0 else "+") + body
    return body


def pct(x, digits: int | None = None, signed: bool = False) -> str:
    """0.6%, +1.5%; fractions in, percent out; more digits for tiny moves so they never read 0.0%."""
    v = _num(x) * 100
    if digits is None:
        digits = 1 if abs(v) >= 0.095 or v == 0 else 2
    body = f"{abs(v):,.{digits}f}%"
    if signed:
        zero = float(body.rstrip("%").replace(",", "")) == 0
        return ("-" if v < 0 and not zero else "+" if not zero else "") + body
    return body


def pp(x, digits: int = 1) -> str:
    """A gap between two percentages, in percentage points: 0.012 -> "1.2 percentage points"."""
    v = abs(_num(x) * 100)
    body = f"{v:,.{digits}f}"
    return f"{body} percentage point" + ("" if body == "1.0" or body == "1" else "s")


def spct(x, digits: int | None = None) -> str:
    return pct(x, digits, signed=True)


def shares(x) -> str:
    return f"{abs(int(round(_num(x)))):,}"


def price(x) -> str:
    return f"${_num(x):,.2f}"


def num(x, digits: int = 1) -> str:
    return f"{abs(_num(x)):,.{digits}f}"


def snum(x, digits: int = 2) -> str:
    v = _num(x)
    body = f"{abs(v):.{digits}f}"
    return ("-" if v < 0 and float(body) != 0 else "") + body


def integer(x) -> str:
    return f"{abs(int(round(_num(x)))):,}"


def longdate(x) -> str:
    value = getattr(x, "value", x)
    d = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"{d:%B} {d.day}, {d.year}"


_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def words(n) -> str:
    """Small whole numbers as words ("two-for-one split"); larger ones as digits."""
    n = int(round(_num(n)))
    return _WORDS[n] if 0 <= n < len(_WORDS) else f"{n:,}"


def ordinal(n) -> str:
    n = int(round(_num(n)))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def article(shown: str) -> str:
    """ "a" or "an" for a number as printed: an 8.7% gain, an 11% drop, an 18-month high, a 1.5% move."""
    shown = unmark(shown)[0]
    m = re.search(r"\d[\d,]*", shown)
    whole = m.group(0).replace(",", "") if m else ""
    # said aloud by its leading group of thousands: eight..., eleven, eighteen (thousand, million, ...)
    lead = whole[:len(whole) % 3 or 3]
    return "an" if lead.startswith("8") or lead in ("11", "18") else "a"


def pick(options, *keys) -> str:
    """Deterministic choice among wordings, seeded by ticker/date/section so notes vary but reproduce."""
    options = list(options)
    digest = hashlib.sha256("|".join(str(k) for k in keys).encode()).digest()
    return options[int.from_bytes(digest[:4], "big") % len(options)]


def _marking(fn, precision: bool = False):
    """The filter `fn`, recording the claim it prints (and printing it at the claim's own precision); what it
    prints is a number, so it is Markdown already."""

    def filt(x, *args, **kwargs):
        if not isinstance(x, Claim):
            return Markdown(fn(x, *args, **kwargs))
        if precision and not args and "digits" not in kwargs and x.digits is not None:
            kwargs["digits"] = x.digits
        return Markdown(f"{OPEN}{x.id}{SEP}{fn(x, *args, **kwargs)}{CLOSE}")

    filt.__name__, filt.__doc__ = fn.__name__, fn.__doc__
    return filt


def unmark(text: str) -> tuple[str, list[tuple[int, int, str]]]:
    """Text without claim markers, and (start, end, claim id) for every number a claim printed."""
    if OPEN not in text:
        return text, []
    out, spans, pos, shift = [], [], 0, 0
    for m in _MARKED.finditer(text):
        out.append(text[pos:m.start()])
        start = m.start() - shift
        body = m.group(2)
        out.append(body)
        spans.append((start, start + len(body), m.group(1)))
        shift += len(m.group(0)) - len(body)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), spans


def listsep(loop) -> str:
    """The separator after an item of a spoken list: "a, b and c"."""
    return ", " if loop.revindex > 2 else " and " if loop.revindex == 2 else ""


FILTERS = {"usd": _marking(usd), "pct": _marking(pct, True), "spct": _marking(spct, True), "pp": _marking(pp, True),
           "shares": _marking(shares), "price": _marking(price), "num": _marking(num, True),
           "snum": _marking(snum, True), "integer": _marking(integer), "longdate": _marking(longdate),
           "ordinal": _marking(ordinal), "words": _marking(words), "article": article}


def environment(override_dir: str | Path | None = None, prose: bool = False) -> jinja2.Environment:
    """Templates from `override_dir` (if given) shadow the shipped ones file by file.

    `prose` keeps the newlines around block tags (section text is re-flowed by `tidy`, and dropping
    them would glue sentences together); the note layout templates trim them. In both, a plain string
    printed with `{{ }}` is escaped as text (`md_escape`); `Markdown` strings print as they are.
    """
    search = [str(Path(override_dir).expanduser())] if override_dir else []
    search.append(str(templates_dir()))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(search), undefined=jinja2.StrictUndefined,
                             autoescape=False, trim_blocks=not prose, lstrip_blocks=True, keep_trailing_newline=False,
                             finalize=_finalize)
    env.filters.update(FILTERS)
    env.globals["pick"] = pick
    env.globals["listsep"] = listsep
    return env


def template_error(err: jinja2.TemplateError, tb=None) -> str:
    """Where a template failed, as "FILE, line N: what" (a template override's mistakes are the user's to fix)."""
    filename, lineno = getattr(err, "filename", None), getattr(err, "lineno", None)
    while tb is not None:  # an undefined name: the innermost frame that is a template names it
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            filename, lineno = tb.tb_frame.f_code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    where = f"{filename}, line {lineno}" if filename else "a template"
    return f"{where}: {err.message or type(err).__name__}"


def tidy(text: str) -> str:
    """One paragraph: collapse the whitespace template logic leaves behind."""
    text = " ".join(text.split())
    return re.sub(r"\s+([,.;:)])", r"\1", text)
