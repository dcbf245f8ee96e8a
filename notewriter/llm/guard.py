"""What a model's section may say besides supported numbers: plain prose about the note's own funds.

A section the model wrote replaces the template's only if it passes the fact-checker and `screen`: no
markup (HTML tags or entities, Markdown links, images, headings, lists, quotes, code, emphasis, tables), no
links or web addresses (a scheme, "www.", a bare domain such as evil.test), no call to buy or sell and no
accusation, promise or solicitation beyond the words of the section's own draft (the template's ideas), no
text addressed to the model, and no ticker or name that is neither in the note's facts nor in its draft.

The rules are the tables below. The note's own names (fund, holdings, peers, categories, the data label,
as the draft prints them, Markdown-escaped) are taken out of the text before it is read, so a vendor name
that happens to look like markup or a link is judged like the template text that prints it. `screen`
returns the first rule a text breaks, as the reason the template text was kept ("markup: an HTML tag
'<script>'"), or None.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from notewriter.render import md_escape

from .parse import _one_line


@dataclass(frozen=True)
class Rule:
    code: str  # the reason's first words: which rule
    what: str  # what was found
    pattern: re.Pattern
    own_ideas: bool = False  # allowed where the section's draft says the same words
    in_names: bool = False  # allowed where it is a word of one of the note's names ("Amazon.com Inc")


def _any(*alternatives: str, flags: int = 0) -> re.Pattern:
    """One pattern matching any of the alternatives."""
    return re.compile("|".join(alternatives), flags)


_I, _M = re.I, re.M
# Trading verbs a sentence can order the reader to do ("short of the stress level" is no order).
_VERBS = (r"(?:buy|sell|dump|unload|liquidate|ditch|short(?!\s+of\b)|exit|get\s+out|bail(?:\s+out)?|load\s+up"
          r"|pile\s+in(?:to)?|cash\s+out|offload)")

MARKUP: tuple[Rule, ...] = (
    Rule("markup", "a control, zero-width or private-use character",
         _any("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ue000-\uf8ff"
              "\U000f0000-\U0010ffff]")),
    Rule("markup", "an HTML tag", _any(r"<[/!?]?[A-Za-z][^<>\n]{0,200}>?")),
    Rule("markup", "an HTML entity", _any(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")),
    Rule("markup", "a Markdown image", _any(r"!\[")),
    Rule("markup", "Markdown link brackets", _any(r"[\[\]]")),
    Rule("markup", "Markdown code", _any(r"`", r"^(?: {4}|\t)", flags=_M)),
    Rule("markup", "a Markdown heading", _any(r"^ {0,3}#{1,6}(?:[ \t]|$)", r"^ {0,3}(?:=+|-{2,})[ \t]*$", flags=_M)),
    Rule("markup", "a Markdown list, quote or rule", _any(r"^ {0,3}(?:[-+*][ \t]|\d{1,9}[.)](?:[ \t]|$)|>)", flags=_M)),
    Rule("markup", "Markdown emphasis", _any(r"\*", r"(?<![^\W_])_", r"_(?![^\W_])", r"~~")),
    Rule("markup", "a Markdown table", _any(r"\|")),
)

LINKS: tuple[Rule, ...] = (
    Rule("link", "a web address",
         _any(r"\b(?:https?|s?ftp|file|javascript|vbscript|data|mailto|tel|sms|wss?|ipfs):(?=\S)\S*",
              r"\bwww\d{0,3}\.\S*", r"(?<![\w.])//[\w-]\S*", flags=_I)),
    Rule("link", "a domain name",
         _any(r"(?<![\w.-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])"),
         in_names=True),
)

ADVICE: tuple[Rule, ...] = (
    Rule("advice", "an order to trade",  # a sentence that opens with the verb
         _any(r"(?:^|(?<=[.!?:;])\s+|\n)[\"'“‘(]*(?:(?:now|so|just|simply|then|quickly),?\s+)?"
              + _VERBS + r"(?![\w-])", flags=_I), own_ideas=True),
    Rule("advice", "an order to trade",  # told to the reader
         _any(r"\b(?:you|investors|holders|shareholders|owners|readers|traders|everyone|anyone|we)\s+(?:all\s+)?"
              r"(?:should|must|need\s+to|have\s+to|ought\s+to|had\s+better|(?:would|will)\s+want\s+to"
              r"|are\s+(?:advised|urged|told)\s+to)\s+(?:now\s+|immediately\s+|seriously\s+)?(?:consider\s+)?"
              r"(?:" + _VERBS + r"|avoid|stay\s+away|get\s+rid)(?![\w-])", flags=_I), own_ideas=True),
    Rule("advice", "an order to trade",  # all of it, now
         _any(r"\b(?:buy|sell|dump|unload|liquidate|offload)(?:ing)?\s+"
              r"(?:it\s+|them\s+|this\s+(?:fund|etf)\s+|(?:your\s+)?shares\s+|(?:your\s+)?units\s+)?"
              r"(?:now|everything|all|immediately|today|right\s+away|at\s+once|before|while\s+you\s+can|your|every)\b",
              flags=_I), own_ideas=True),
    Rule("advice", "a rating",
         _any(r"\b(?:strong|clear|screaming|must|top)[- ](?:buy|sell)\b", r"\bis\s+an?\s+(?:strong\s+)?(?:buy|sell)\b",
              r"\b(?:buy|sell)\s+(?:signal|rating|call|recommendation)s?\b", flags=_I), own_ideas=True),
    Rule("advice", "talk of dumping", _any(r"\bdump(?:s|ed|ing)?\b", flags=_I), own_ideas=True),
    Rule("advice", "urgency",
         _any(r"\bact\s+(?:now|fast|quickly|immediately)\b", r"\bbefore\s+it'?s\s+too\s+late\b",
              r"\bdon'?t\s+(?:miss|wait)\b", r"\blast\s+chance\b", r"\bhurry\b", r"\burgent(?:ly)?\b",
              r"\bnow\s+or\s+never\b", r"\bwhile\s+you\s+(?:still\s+)?can\b", flags=_I), own_ideas=True),
    Rule("advice", "an accusation",
         _any(r"\bscam(?:s|mers?|my)?\b", r"\bfraud(?:s|ulent|sters?)?\b", r"\bponzi\b", r"\brug[- ]?pull\b",
              r"\bpump[- ](?:and|&|n)[- ]dump\b", r"\bworthless\b", r"\bgoing\s+to\s+zero\b",
              r"\bwill\s+(?:collapse|crash|implode|go\s+bust)\b", r"\bcriminal\b", r"\bcrooks?\b", r"\bstay\s+away\b",
              r"\bavoid\s+(?:this|the)\s+(?:fund|etf)\b", flags=_I), own_ideas=True),
    Rule("advice", "a promise",
         _any(r"\bguarantee(?:s|d)?\b", r"\brisk[- ]free\b(?!\s+rates?\b)", r"\bcan'?t\s+(?:lose|miss|go\s+wrong)\b",
              r"\bsure\s+(?:thing|bet|winner)\b", r"\bfree\s+money\b", r"\bno[- ]brainer\b",
              r"\b(?:double|triple)\s+your\b", r"\bto\s+the\s+moon\b", flags=_I), own_ideas=True),
    Rule("advice", "a solicitation",
         _any(r"\bclick\b", r"\bsign\s+up\b", r"\bsubscribe\b", r"\bcontact\s+(?:us|me)\b",
              r"\bcall\s+(?:us|me|your\s+broker)\b", r"\bdm\s+(?:us|me)\b", r"\bwhats\s?app\b", r"\btelegram\b",
              r"\bdiscord\b", r"\bjoin\s+(?:us|our|my)\b", r"\bvisit\s+(?:us|our|my)\b", r"\bpromo(?:tion)?\s+code\b",
              flags=_I), own_ideas=True),
    Rule("instructions", "text addressed to the model",
         _any(r"\bignore\s+(?:all\s+|any\s+|the\s+|your\s+)?(?:previous|prior|above|earlier|system)\s+"
              r"(?:instructions|rules|prompts?|messages?)\b", r"\bsystem\s+prompt\b", r"\bas\s+an\s+ai\b",
              r"\blanguage\s+model\b", r"\bnote_data\b", r"\bjailbreak\b", r"\bdeveloper\s+mode\b", flags=_I)),
)

RULES: tuple[Rule, ...] = MARKUP + LINKS + ADVICE

# Words a note may use capitalised, or as all-capital abbreviations, without finding them in its facts or
# draft: calendar words, institutions and index families every note may mention, market abbreviations.
COMMON_WORDS = frozenset("""
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday
fed federal reserve treasury treasuries wall street us usa america american europe european asia asian
russell nasdaq dow jones msci ftse bloomberg stoxx nikkei cboe nyse amex crsp ice gics spdr
etf etfs etn etns nav navs inav adv aum ytd mtd qtd usd fomc cpi ppi pce gdp pmi ism eps ipo sec finra
ceo cfo reit reits esg ai otc ap aps adr adrs atm otm itm iv vix mbs tips ig hy em dm ecb boj boe opec
q1 q2 q3 q4 h1 h2 fy ii iii uk eu
""".split())

_TICKERISH = re.compile(r"(?<![\w$&.'’-])\$?[A-Z][A-Z0-9]{1,5}(?:\.[A-Z]{1,2})?(?![\w&])")
_CAPITAL = re.compile(r"(?<![\w&'’.-])[A-Z][a-z][A-Za-z]*(?:['’][A-Za-z]+)?")
_WORDS = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_NAME = "fund"  # what a known name is read as once taken out


@dataclass(frozen=True)
class Context:
    """What a note's sections may name: its names as printed (longest first) and its vocabulary (every word
    of its facts and its draft, lower case, tickers included)."""

    names: tuple[str, ...]
    words: frozenset[str]
    name_words: frozenset[str] = frozenset()  # the words of those names, lower case, split at spaces


def _strings(node: Any) -> Iterable[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield str(key)
            yield from _strings(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _strings(value)


def context_for(facts: Any, drafts: Iterable[str], vendor_text: Iterable[str] = ()) -> Context:
    """The names and vocabulary of a note: from its facts document, its draft sections and its vendor names."""
    strings = list(_strings(facts)) + list(drafts)
    vendor = [s for s in vendor_text if isinstance(s, str)]
    names: set[str] = set()
    for name in vendor + _named(facts):
        name = name.strip()
        if len(name) >= 2:
            names.add(str(md_escape(name)))
            names.add(str(md_escape(name.replace("_", " "))))
    words = {w.lower() for s in strings + vendor for w in _WORDS.findall(s)}
    name_words = {w.lower().strip(",;:()") for n in vendor + _named(facts) for w in n.split()}
    return Context(names=tuple(sorted(names, key=lambda n: (-len(n), n))), words=frozenset(words),
                   name_words=frozenset(name_words))


def _named(facts: Any) -> list[str]:
    """Every name, category, family and data label in a facts document."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            for key in ("name", "category", "family", "data_label", "tracks"):
                if isinstance(node.get(key), str):
                    out.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, (list, tuple)):
            if len(node) == 2 and isinstance(node[0], str) and isinstance(node[1], Mapping):  # a sector
                out.append(node[0])
            for value in node:
                walk(value)

    walk(facts)
    return out


def _without_names(text: str, names: tuple[str, ...]) -> str:
    """The text with each of the note's names (as printed) read as one plain word."""
    for name in names:
        if name in text:
            text = text.replace(name, _NAME)
    return text


def _phrase(text: str) -> str:
    return " ".join(text.lower().split()).strip("\"'“‘( ")


def _found(rule: Rule, text: str, draft: str, context: Context) -> str | None:
    """The first thing in `text` the rule forbids (for own-idea rules, what the draft itself says is allowed)."""
    own = {_phrase(m.group(0)) for m in rule.pattern.finditer(draft)} if rule.own_ideas else set()
    for m in rule.pattern.finditer(text):
        if rule.own_ideas and _phrase(m.group(0)) in own:
            continue
        if rule.in_names and m.group(0).lower() in context.name_words:
            continue
        return m.group(0)
    return None


def _sentence_start(text: str, at: int) -> bool:
    """Whether the word at `at` opens a sentence: the text's start, or after end punctuation, a colon or a
    line break (opening quotes and brackets between them and the word skipped)."""
    before = text[:at].rstrip(" \t\"'“‘(")
    return not before or before[-1] in ".!?:;\n"


def _stranger(text: str, context: Context) -> tuple[str, str] | None:
    """A ticker or a capitalised name the note's facts and draft do not have: (what, the word)."""
    for m in _TICKERISH.finditer(text):
        word = m.group(0).lstrip("$")
        if word.lower() not in context.words and word.lower() not in COMMON_WORDS:
            return "a ticker not in the note's facts", m.group(0)
    for m in _CAPITAL.finditer(text):
        if _sentence_start(text, m.start()):
            continue  # a sentence's first word may be any word
        word = re.sub(r"['’](?:s|S)$", "", m.group(0)).lower()
        if word not in context.words and word not in COMMON_WORDS:
            return "a name not in the note's facts", m.group(0)
    return None


def screen(text: str, draft: str, context: Context) -> str | None:
    """Why a model's section may not replace the template's (`draft`), or None when it may."""
    read = _without_names(text, context.names)
    own = _without_names(draft, context.names)
    for rule in RULES:
        found = _found(rule, read, own, context)
        if found is not None:
            shown = found.strip() if found.strip().isprintable() else " ".join(f"U+{ord(ch):04X}" for ch in found)
            return f"{rule.code}: {rule.what} '{_one_line(shown, 60)}'"
    stranger = _stranger(read, context)
    if stranger is not None:
        return f"off subject: {stranger[0]} '{stranger[1]}'"
    return None


def guard_for(facts: Any, draft: Mapping[str, str],
              vendor_text: Iterable[str] = ()) -> Callable[[str, str], str | None]:
    """`guard(section_key, text)`: the reason a model's text for that section is refused, or None."""
    context = context_for(facts, draft.values(), vendor_text)

    def guard(key: str, text: str) -> str | None:
        return screen(text, draft.get(key, ""), context)

    return guard


__all__ = ["ADVICE", "COMMON_WORDS", "LINKS", "MARKUP", "RULES", "Context", "Rule", "context_for", "guard_for",
           "screen"]
