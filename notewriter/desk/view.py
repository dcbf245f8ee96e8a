"""A stored document as the desk shows it: the note as it will publish, each number marked with the claim
and fact behind it (or the checker's reason for rejecting it), caveats beside the sections they touch."""

from __future__ import annotations

import html
import re

from ..markup import MD as _MD  # as the HTML note renders: no links, images or raw HTML from any text

_OPEN, _MID, _CLOSE = "\ue000", "\ue001", "\ue002"
_MARK = re.compile(_OPEN + r"(\d+)" + _MID)


def fact_at(facts: dict, path: str) -> dict | None:
    """The fact dict at a dotted path with [i] indexes ("flow.net_usd", "peers[0].net_usd")."""
    node = facts
    for part in path.replace("]", "").replace("[", ".").split("."):
        if isinstance(node, list):
            try:
                node = node[int(part)]
            except (ValueError, IndexError):
                return None
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    return node if isinstance(node, dict) and "value" in node else None


def _period(period) -> str:
    if not period:
        return ""
    if isinstance(period, dict):
        label = period.get("label") or ""
        span = "–".join(x for x in (period.get("start"), period.get("end")) if x)
        return f"{label} {span}".strip()
    return str(period)


def _shown(value, kind: str | None) -> str:
    """A fact's value as an editor reads it: dollars with separators, percentages as percent."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if kind == "usd":
        return f"${value:,.0f}" if value >= 0 else f"-${-value:,.0f}"
    if kind == "pct":
        return f"{value * 100:.4g}%"
    if kind in ("shares", "count"):
        return f"{value:,.0f}"
    return f"{value:.6g}"


def explain(document: dict, finding: dict) -> tuple[bool, str]:
    """(supported, what the tooltip says) for one number the checker read."""
    if not finding.get("matched"):
        return False, f"Not supported: {finding.get('reason') or 'no fact has this value'}"
    path = finding["matched"].removeprefix("facts.")
    claim = next((c for c in document.get("claims", []) if c["id"] == path), None)
    fact = fact_at(document.get("facts", {}), path) or fact_at(document, path) or {}
    parts = []
    if claim:
        parts.append(f"{claim.get('metric', path)}")
        if claim.get("period"):
            parts.append(f"period {_period(claim['period'])}")
        if claim.get("basis"):
            parts.append(f"basis {claim['basis']}")
        parts.append(f"value {_shown(claim.get('value'), fact.get('kind'))}")
    else:
        parts.append(path)
        if "value" in fact:
            parts.append(f"value {_shown(fact['value'], fact.get('kind'))}")
    src = fact.get("source")
    if src:
        parts.append(f"from {src}" + (f" as of {fact['as_of']}" if fact.get("as_of") else ""))
    if fact.get("inputs"):
        parts.append("inputs " + ", ".join(map(str, fact["inputs"])))
    parts.append(f"fact {finding['matched']}")
    return True, " · ".join(parts)


def marked_html(document: dict, markdown: str | None = None) -> str:
    """The note's HTML with every number the checker read wrapped in a focusable mark and its tooltip."""
    md = document["markdown"] if markdown is None else markdown
    findings = sorted(document["check"]["findings"], key=lambda f: f["span"][0])
    out, last = [], 0
    for i, f in enumerate(findings):
        a, b = f["span"]
        if a < last:
            continue
        out.append(md[last:a] + f"{_OPEN}{i}{_MID}{md[a:b]}{_CLOSE}")
        last = b
    out.append(md[last:])
    body = _MD.render("".join(out))

    def mark(m: re.Match) -> str:
        i = int(m.group(1))
        ok, tip = explain(document, findings[i])
        cls = "num ok" if ok else "num bad"
        return (f'<span class="{cls}" tabindex="0" data-fact="{html.escape(findings[i].get("matched") or "")}">'
                f'<span class="tip" role="tooltip">{html.escape(tip)}</span>')

    body = _MARK.sub(mark, body)
    return body.replace(_CLOSE, "</span>")


def caveats(document: dict) -> list[str]:
    """The data-quality messages that touch the numbers shown."""
    return [q["message"] for q in document.get("facts", {}).get("quality", []) if q.get("touches_numbers")]


def section_rows(document: dict) -> list[dict]:
    """Each section with its own marked HTML, its unsupported numbers and the caveats beside it."""
    from .edit import section_findings

    cav = caveats(document)
    rows = []
    for key, sec in document["sections"].items():
        found = section_findings(document, key) if sec["text"] else []
        touches = any((f.get("matched") or "").startswith(("facts.flow.", "facts.history.")) for f in found)
        sub = {**document, "markdown": sec["text"],
               "check": {"findings": [{**f, "span": [f["span"][0] - _offset(document, key),
                                                      f["span"][1] - _offset(document, key)]} for f in found]}}
        rows.append({"key": key, "title": sec["title"], "origin": sec.get("origin", "template"),
                     "reason": sec.get("reason"), "text": sec["text"],
                     "html": marked_html(sub) if sec["text"] else "",
                     "unsupported": [f for f in found if not f.get("matched")],
                     "caveats": cav if touches else []})
    return rows


def _offset(document: dict, key: str) -> int:
    from .edit import _block

    sections = document["sections"]
    return _block(document["markdown"], key, sections[key], list(sections), sections)[0]


def tail_html(document: dict) -> str:
    """What follows the sections as it will publish (the sentiment block and the footer), marked."""
    md = document["markdown"]
    at = md.find("## Sentiment")
    if at < 0:
        return ""
    found = [{**f, "span": [f["span"][0] - at, f["span"][1] - at]} for f in document["check"]["findings"]
             if f["span"][0] >= at]
    return marked_html({**document, "markdown": md[at:], "check": {"findings": found}})
