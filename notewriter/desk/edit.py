"""An editor's change to one section of a stored document: the new document, re-checked, and the
word-level differences an editor reviews."""

from __future__ import annotations

import copy
import difflib
import re

from ..check import check_note
from ..errors import UsageError

_WORD = re.compile(r"\S+|\s+")


def facts_doc(document: dict) -> dict:
    """What the numbers of a stored document are checked against (as `notewriter facts` prints it)."""
    out = {"ticker": document.get("ticker"), "as_of": document["as_of"], "window": document["window"],
           "facts": document["facts"]}
    if document.get("sentiment") is not None:
        out["sentiment"] = document["sentiment"]
    return out


def _block(markdown: str, key: str, section: dict, order: list[str], sections: dict) -> tuple[int, int]:
    """Where a section's text sits in the Markdown: [start, end); an empty section, where it would go."""
    text = section["text"]
    if key == order[0]:  # the lede follows the title line
        start = markdown.index("\n\n") + 2
        return (start, start + len(text)) if text else (start, start)
    heading = f"## {section['title']}\n\n"
    at = markdown.find(heading)
    if at >= 0:
        start = at + len(heading)
        return start, start + len(text)
    # not printed: it goes before the next printed section, or before the sentiment block
    for later in order[order.index(key) + 1:]:
        at = markdown.find(f"## {sections[later]['title']}\n\n")
        if at >= 0:
            return at, at
    at = markdown.find("## Sentiment\n\n")
    return at, at


def edit_section(document: dict, key: str, text: str) -> dict:
    """The document with section `key` replaced by `text` (an editor's), its Markdown rebuilt and the whole
    note checked again; numbers in the new text are traced by the checker, like any text it did not write."""
    sections = document["sections"]
    if key not in sections:
        raise UsageError(f"no section {key!r}; the document has {', '.join(sections)}")
    if key in ("leaderboard",):
        raise UsageError(f"the {key} is a table built from the facts; it cannot be edited")
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    new = copy.deepcopy(document)
    order = list(sections)
    md = document["markdown"]
    start, end = _block(md, key, sections[key], order, sections)
    old = sections[key]["text"]
    if old and md[start:end] != old:
        raise UsageError(f"section {key!r} is not where the document says it is; regenerate the document")
    if old and not text and key != order[0]:  # the section goes, heading and all
        heading = f"## {sections[key]['title']}\n\n"
        start -= len(heading)
        end += 2 if md[end:end + 2] == "\n\n" else 0
        replacement = ""
    elif not old and text and key != order[0]:
        replacement = f"## {sections[key]['title']}\n\n{text}\n\n"
    else:
        replacement = text
    new["markdown"] = md[:start] + replacement + md[end:]
    new["sections"][key] = {**sections[key], "text": text, "origin": "editor", "spans": []}
    new["sections"][key].pop("reason", None)
    report = check_note(new["markdown"], facts_doc(document))
    new["check"] = report.as_dict()
    new["spans"] = [{"start": f.start, "end": f.end, "claim": f.matched.removeprefix("facts.")}
                    for f in report.findings if f.matched]
    return new


def section_findings(document: dict, key: str) -> list[dict]:
    """The check findings that fall inside one section's text."""
    sections = document["sections"]
    start, end = _block(document["markdown"], key, sections[key], list(sections), sections)
    return [f for f in document["check"]["findings"] if start <= f["span"][0] and f["span"][1] <= end]


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """(op, text) runs: op is '=', '-' (removed) or '+' (added), word by word."""
    a, b = _WORD.findall(before), _WORD.findall(after)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("=", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                out.append(("-", "".join(a[i1:i2])))
            if j2 > j1:
                out.append(("+", "".join(b[j1:j2])))
    return out
