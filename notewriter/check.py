"""The fact-checker: every number in a note must state a fact, about the right ticker, in the right direction."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

_MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"])}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9

_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "mm": 1e6, "billion": 1e9, "bn": 1e9,
          "b": 1e9, "trillion": 1e12, "tn": 1e12, "t": 1e12}

_MONTH_RE = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_NUMBER = re.compile(
    r"(?P<date>\b\d{4}-\d{2}-\d{2}\b|\b" + _MONTH_RE + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b)"
    r"|(?P<sign>(?<![\w.%$)])[+\-−](?=\$?\d))?(?P<dollar>\$)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<suffix>\s*%|\s*(?:thousand|million|billion|trillion|mn|bn|tn|mm)\b|(?:k|m|b|t)\b|(?:st|nd|rd|th)\b|x\b)?",
    re.IGNORECASE)

_NEG_WORDS = re.compile(
    r"\b(outflows?|redemptions?|redeemed|fell|falls?|falling|declin\w*|drops?|dropped|lost|loses?|losing|down|sold|"
    r"selling|destruction|shed|slipped|slid|withdraw\w*|pulled|lower|decrease\w*|shrank)\b", re.I)
_POS_WORDS = re.compile(
    r"\b(inflows?|creations?|created|rose|rises?|rising|gain\w*|climb\w*|up|added|adds|took in|taken in|bought|"
    r"buying|rall\w*|jump\w*|higher|increase\w*|grew|advanced?)\b", re.I)
_CLAUSE_BREAK = re.compile(r"[;:]|,\s+(?:while|but|whereas|and)\b|\s(?:while|whereas|but|against|versus|vs\.?)\s|\(|\)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(*#|])|\n+")


@dataclass(frozen=True)
class FactRef:
    path: str
    value: float | str
    kind: str
    ticker: str | None
    change: bool = False


@dataclass
class Finding:
    """One number in the text and the fact it matched, or why none did."""

    start: int
    end: int
    text: str
    kind: str
    value: float | str
    ticker: str | None
    matched: str | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.matched is not None

    def as_dict(self) -> dict:
        row = {"span": [self.start, self.end], "text": self.text, "kind": self.kind, "ticker": self.ticker,
               "matched": self.matched, "reason": self.reason}
        return {k: v for k, v in row.items() if v is not None}


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)

    @property
    def unsupported(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok]

    @property
    def ok(self) -> bool:
        return not self.unsupported

    def as_dict(self) -> dict:
        return {"ok": self.ok, "numbers": len(self.findings), "unsupported": len(self.unsupported),
                "findings": [f.as_dict() for f in self.findings]}

    def summary_lines(self) -> list[str]:
        lines = []
        for f in self.findings:
            where = f"[{f.start}:{f.end}]"
            if f.ok:
                lines.append(f"ok    {where} {f.text!r} ({f.ticker or '-'}) = {f.matched}")
            else:
                lines.append(f"FAIL  {where} {f.text!r} ({f.ticker or '-'}): {f.reason}")
        lines.append(f"{len(self.findings)} numbers, {len(self.unsupported)} unsupported")
        return lines


# ---- facts ------------------------------------------------------------------------------------

def collect_facts(doc: dict) -> tuple[list[FactRef], set[str], list[str]]:
    """Facts, known tickers and vendor names from a facts document (the `notewriter facts` JSON).

    Any object with `value` and `kind` is a fact; sentiment scores and relevances count as facts too.
    """
    facts: list[FactRef] = []
    tickers: set[str] = set()
    names: list[str] = []

    def walk(node, path: str, ticker_ctx: str | None):
        if isinstance(node, dict):
            if "value" in node and "kind" in node and isinstance(node.get("kind"), str):
                facts.append(FactRef(path, node["value"], node["kind"], node.get("ticker"), bool(node.get("change"))))
                if node.get("ticker"):
                    tickers.add(node["ticker"])
                return
            t = node.get("ticker") if isinstance(node.get("ticker"), str) else ticker_ctx
            if isinstance(node.get("ticker"), str):
                tickers.add(node["ticker"])
            for key in ("name", "category", "family"):
                if isinstance(node.get(key), str) and node[key]:
                    names.append(node[key])
            for k, v in node.items():
                walk(v, f"{path}.{k}" if path else k, t)
        elif isinstance(node, (list, tuple)):
            if len(node) == 2 and isinstance(node[0], str) and isinstance(node[1], dict):
                names.append(node[0])
                names.append(node[0].replace("_", " "))
            for i, v in enumerate(node):
                walk(v, f"{path}[{i}]", ticker_ctx)

    walk({k: v for k, v in doc.items() if k != "sentiment"}, "", None)
    sent = doc.get("sentiment")
    if isinstance(sent, dict):
        for key in ("score", "facts_score", "text_score"):
            if isinstance(sent.get(key), (int, float)):
                facts.append(FactRef(f"sentiment.{key}", float(sent[key]), "score", None))
        for i, row in enumerate(sent.get("ticker_sentiment") or []):
            for key in ("score", "relevance"):
                facts.append(FactRef(f"sentiment.ticker_sentiment[{i}].{key}", float(row[key]), "score",
                                     row.get("ticker")))
            tickers.add(row.get("ticker"))
    return facts, {t for t in tickers if t}, names


# ---- numbers in text ----------------------------------------------------------------------------

def _mask(text: str, names: Iterable[str]) -> str:
    """Blank out vendor names (fund and holding names, categories) so digits inside them are not numbers."""
    out = text
    for name in sorted({n for n in names if n and re.search(r"\d", n)}, key=len, reverse=True):
        pattern = re.compile(re.escape(name), re.I)
        out = pattern.sub(lambda m: " " * len(m.group(0)), out)
    return out


def _ticker_positions(text: str, tickers: set[str]) -> list[tuple[int, int, str]]:
    found = []
    for t in tickers:
        for m in re.finditer(rf"(?<![A-Za-z0-9$]){re.escape(t)}(?![A-Za-z0-9])", text):
            found.append((m.start(), m.end(), t))
    return sorted(found)


def _precision(num: str) -> float:
    """Half a unit of the last digit shown."""
    if "." in num:
        return 0.5 * 10 ** -len(num.split(".")[1])
    return 0.5


def _parse_date(s: str) -> date | None:
    s = s.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        return date.fromisoformat(s)
    m = re.fullmatch(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", s)
    if m and m.group(1).lower() in _MONTHS:
        return date(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
    return None


@dataclass
class _Token:
    start: int
    end: int
    text: str
    kinds: tuple[str, ...]
    value: float | date
    tol: float
    signed: bool


def extract_numbers(text: str) -> list[_Token]:
    tokens = []
    for m in _NUMBER.finditer(text):
        if m.group("date"):
            d = _parse_date(m.group("date"))
            if d:
                tokens.append(_Token(m.start(), m.end(), m.group(0), ("date",), d, 0.0, False))
            continue
        num = m.group("num")
        before = text[max(0, m.start() - 1):m.start()]
        after = text[m.end():m.end() + 1]
        if re.match(r"[A-Za-z_]", before) or (after and re.match(r"[A-Za-z_]", after) and not m.group("suffix")):
            continue  # part of a word or identifier (Q4, 3M, S&P500)
        raw = float(num.replace(",", ""))
        suffix = (m.group("suffix") or "").strip().lower()
        sign = m.group("sign")
        signed = sign is not None
        value = -raw if sign in ("-", "−") else raw
        tol = _precision(num)
        if suffix == "%":
            kinds, value, tol = ("pct",), value / 100, tol / 100
        elif suffix in _SCALE:
            scale = _SCALE[suffix]
            value, tol = value * scale, tol * scale
            kinds = ("usd",) if m.group("dollar") else ("usd", "shares", "count")
        elif suffix in ("st", "nd", "rd", "th"):
            kinds = ("count",)
        elif suffix == "x":
            kinds = ("ratio",)
        elif m.group("dollar"):
            kinds = ("price", "usd")
        elif "," in num:
            kinds = ("shares", "count", "usd")
        elif "." in num:
            kinds = ("zscore", "score", "ratio", "price")
        else:
            # a bare integer: a count, a share count or a year
            kinds = ("count", "shares", "year")
        tokens.append(_Token(m.start(), m.end(), m.group(0), kinds, value, tol, signed))
    return tokens


def _direction(clause: str) -> int:
    """+1 / -1 when the clause's direction words point one way; 0 when none or mixed."""
    neg = [m.start() for m in _NEG_WORDS.finditer(clause)]
    pos = [m.start() for m in _POS_WORDS.finditer(clause)]
    if neg and not pos:
        return -1
    if pos and not neg:
        return 1
    return 0


def _clause_of(sentence: str, offset: int) -> str:
    cuts = [0] + [m.end() for m in _CLAUSE_BREAK.finditer(sentence)] + [len(sentence)]
    for a, b in zip(cuts, cuts[1:]):
        if a <= offset < b or (offset == b == len(sentence)):
            return sentence[a:b]
    return sentence


def _matches(tok: _Token, fact: FactRef, direction: int) -> bool:
    if tok.kinds == ("date",):
        return fact.kind == "date" and str(fact.value)[:10] == tok.value.isoformat()
    if "year" in tok.kinds and fact.kind == "date" and 1900 <= tok.value <= 2100:
        return str(fact.value)[:4] == str(int(tok.value))
    if fact.kind not in tok.kinds or isinstance(fact.value, str):
        return False
    fv = float(fact.value)
    tol = tok.tol * (1 + 1e-9) + 1e-12
    if tok.signed:
        return abs(fv - tok.value) <= tol
    if abs(abs(fv) - tok.value) > tol:
        return False
    if fact.change and direction != 0 and abs(fv) > tol:
        return (fv > 0) == (direction > 0)
    return True


def check_text(text: str, facts: list[FactRef], tickers: set[str], names: list[str],
               default_ticker: str | None) -> CheckReport:
    masked = _mask(text, names)
    report = CheckReport()
    for sentence_match in re.finditer(r"[^\n]+", masked):
        line = sentence_match.group(0)
        base = sentence_match.start()
        starts = [0] + [m.end() for m in _SENTENCE_END.finditer(line)]
        for s0, s1 in zip(starts, starts[1:] + [len(line)]):
            sentence = line[s0:s1]
            tpos = _ticker_positions(sentence, tickers)
            tmask = list(sentence)
            for a, b, _ in tpos:
                tmask[a:b] = " " * (b - a)
            scan = "".join(tmask)
            for tok in extract_numbers(scan):
                preceding = [t for (a, b, t) in tpos if b <= tok.start]
                following = [t for (a, b, t) in tpos if a >= tok.end]
                inside = [t for (a, b, t) in tpos if a < tok.start and _open_paren_before(sentence, a, tok.start)]
                seg_a, seg_b = _segment_bounds(scan, tok.start)
                seg_before = [t for (a, b, t) in tpos if seg_a <= a and b <= tok.start]
                seg_after = [t for (a, b, t) in tpos if tok.end <= a and b <= seg_b]
                subject = (inside[-1] if inside else seg_before[-1] if seg_before else seg_after[0] if seg_after
                           else preceding[-1] if preceding else following[0] if following else default_ticker)
                clause = _clause_of(scan, tok.start)
                direction = 0 if tok.signed else _direction(clause)
                start, end = base + s0 + tok.start, base + s0 + tok.end
                finding = Finding(start, end, text[start:end], "/".join(tok.kinds),
                                  tok.value.isoformat() if isinstance(tok.value, date) else tok.value, subject)
                best = None
                wrong_ticker = None
                wrong_direction = None
                for fact in facts:
                    about = fact.ticker is None or fact.ticker == subject
                    if _matches(tok, fact, direction):
                        if about:
                            best = fact
                            break
                        wrong_ticker = wrong_ticker or fact
                    elif about and fact.change and _matches(tok, fact, 0):
                        wrong_direction = wrong_direction or fact
                if best is not None:
                    finding.matched = best.path
                elif wrong_direction is not None:
                    finding.reason = (f"direction words disagree with the sign of {wrong_direction.path} "
                                      f"({wrong_direction.value})")
                elif wrong_ticker is not None:
                    finding.reason = f"matches {wrong_ticker.path}, which is about {wrong_ticker.ticker}, not {subject}"
                else:
                    finding.reason = "no fact with this value within the rounding shown"
                report.findings.append(finding)
    return report


_SEGMENT_BREAK = re.compile(r"[,;:]\s|\s(?:while|whereas|but|against|versus|vs\.?)\s")


def _segment_bounds(sentence: str, offset: int) -> tuple[int, int]:
    """The comma/clause-delimited stretch of the sentence around `offset` (parentheses do not break it)."""
    a, b = 0, len(sentence)
    for m in _SEGMENT_BREAK.finditer(sentence):
        if m.end() <= offset:
            a = m.end()
        elif m.start() >= offset:
            b = m.start()
            break
    return a, b


def _open_paren_before(sentence: str, a: int, b: int) -> bool:
    """True when the ticker at `a` opens a parenthetical that is still open at `b` (e.g. "(CIVI +1.5%)")."""
    left = sentence.rfind("(", 0, a + 1)
    return left != -1 and sentence.find(")", left, b) == -1 and sentence[left + 1:a].strip() == ""


def check_note(text: str, facts_doc: dict, default_ticker: str | None = None) -> CheckReport:
    """Check a whole note (Markdown, plain text or an editor's edit) against a facts document."""
    facts, tickers, names = collect_facts(facts_doc)
    subject = default_ticker or facts_doc.get("ticker")
    return check_text(_strip_markup(text), facts, tickers, names, subject)


def _strip_markup(text: str) -> str:
    """Remove Markdown/HTML markup that is not prose; Markdown keeps its character positions."""
    if re.search(r"<(p|h1|h2|td|html)\b", text):
        text = re.sub(r"<(style|script|title)\b.*?</\1>", " ", text, flags=re.S | re.I)
        text = re.sub(r"\s*\n\s*", " ", text)
        text = re.sub(r"</(p|h\d|tr|li|div|table)>", "\n", text, flags=re.I)
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return re.sub(r"[*_`#|]", " ", text)
