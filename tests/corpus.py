"""A corpus of notes with planted errors, built deterministically from real generated notes.

For every fund in a data directory (at a few dates) the clean note and its facts document are generated
with the normal pipeline. Each mutant is a copy of a clean note with one planted error:

- `digit`: one digit of a number changed (399.4 -> 399.7, 649,550,000 -> 649,500,000);
- `scale`: million <-> billion (thousand -> million);
- `direction`: the direction word that describes a `change` fact flipped (outflow -> inflow, fell -> rose,
  redemptions -> creations, up -> down, took in -> lost, ...);
- `ticker`: a number moved to another fund or holding by swapping the tickers of a sentence, or by
  replacing the ticker a number is attributed to with another one from the facts;
- `date`: a date shifted to a day that is no date fact.

A mutant only counts when it really changes what the note claims: the new number is outside the rounding
of every fact of its kind about its ticker, the flipped word is the direction word nearest to a non-zero
`change` number in its clause, the moved number is not also true for the new ticker. Mutants that happen to
state another true fact are counted apart as `coincident`, never as planted errors.

`benign` edits (meaning-preserving rewordings an editor makes: "$399.4m", "0.6 percent", "Oct. 31, 2025",
"2025-10-31") must pass; any failure there is a false alarm.

Generating a note takes most of a second, so the clean notes are cached under `.pytest_cache`, keyed by a
fingerprint of the package (except the checker, which does not shape the text), the templates and the data
files.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from notewriter.check import CheckReport, check_note

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".pytest_cache" / "notewriter-corpus"
CHECKER = ("notewriter", "check")  # left out of the fingerprint: it does not shape the text

MUTATION_TYPES = ("digit", "scale", "direction", "ticker", "date")
PER_NOTE = {"digit": 6, "scale": 4, "direction": 5, "ticker": 5, "date": 3, "benign": 5}

_FLIPS = {
    "outflows": "inflows", "outflow": "inflow", "inflows": "outflows", "inflow": "outflow",
    "redemptions": "creations", "creations": "redemptions", "redemption": "creation", "creation": "redemption",
    "fell": "rose", "rose": "fell", "falls": "rises", "rises": "falls", "up": "down", "down": "up",
    "gain": "loss", "loss": "gain", "gains": "losses", "losses": "gains", "gained": "lost",
    "lost": "took in", "took in": "lost", "decline": "increase", "increase": "decline",
    "below": "above", "above": "below", "sell": "buy", "buy": "sell", "higher": "lower", "lower": "higher",
}
_FLIP_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _FLIPS), key=len, reverse=True)) + r")\b",
                      re.I)
_LONGDATE = re.compile(r"\b(January|February|March|April|May|June|July|August|September|October|November|"
                       r"December) (\d{1,2}), (\d{4})\b")
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]
_ABBR = {"January": "Jan.", "February": "Feb.", "March": "Mar.", "April": "Apr.", "May": "May", "June": "June",
         "July": "July", "August": "Aug.", "September": "Sept.", "October": "Oct.", "November": "Nov.",
         "December": "Dec."}


@dataclass(frozen=True)
class CleanNote:
    key: str
    ticker: str
    markdown: str
    doc: dict


@dataclass(frozen=True)
class Mutant:
    key: str
    kind: str        # a MUTATION_TYPES entry, or "benign"
    text: str
    what: str        # the edit, for messages


@dataclass
class Tally:
    planted: dict[str, int] = field(default_factory=dict)
    caught: dict[str, int] = field(default_factory=dict)
    coincident: dict[str, int] = field(default_factory=dict)
    missed: list[Mutant] = field(default_factory=list)
    clean_notes: int = 0
    false_alarms: list[tuple[str, str]] = field(default_factory=list)
    benign: int = 0

    @property
    def total_planted(self) -> int:
        return sum(self.planted.values())

    @property
    def total_caught(self) -> int:
        return sum(self.caught.values())

    @property
    def catch_rate(self) -> float:
        return self.total_caught / self.total_planted if self.total_planted else 1.0

    def lines(self) -> list[str]:
        out = [f"clean notes {self.clean_notes}, false alarms {len(self.false_alarms)}; "
               f"benign edits {self.benign}",
               f"planted {self.total_planted}, caught {self.total_caught} ({self.catch_rate:.2%})"]
        for kind in MUTATION_TYPES:
            n, c = self.planted.get(kind, 0), self.caught.get(kind, 0)
            out.append(f"  {kind:<9} planted {n:>5}  caught {c:>5}  ({c / n if n else 1:.2%})"
                       f"  not counted (meaning unchanged) {self.coincident.get(kind, 0)}")
        return out


# ---- clean notes -------------------------------------------------------------------------------

def _generate(job: tuple[str, str, str | None]) -> tuple[str, str, str, dict]:
    from notewriter import DataDirSource, write_note

    root, ticker, as_of = job
    note = write_note(ticker, date.fromisoformat(as_of) if as_of else None, "1w", DataDirSource(root))
    return f"{Path(root).name}/{ticker}@{as_of or 'default'}", ticker, note.markdown, \
        json.loads(json.dumps(note.facts_document()))


def _fingerprint(roots: list[Path]) -> str:
    h = hashlib.sha256()
    for folder in (ROOT / "notewriter", ROOT / "templates"):
        for p in sorted(folder.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts and p.relative_to(ROOT).parts[:2] != CHECKER:
                h.update(str(p.relative_to(ROOT)).encode())
                h.update(p.read_bytes())
    for root in roots:
        for p in sorted(root.rglob("*")):
            if p.is_file():
                st = p.stat()
                h.update(f"{p.relative_to(root)}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:20]


def clean_notes(plan: list[tuple[Path, list[str | None]]]) -> list[CleanNote]:
    """Generate (or load from the cache) the clean note for every fund of every root at every date."""
    from notewriter import DataDirSource

    jobs = []
    for root, dates in plan:
        for ticker in DataDirSource(root).funds():
            for as_of in dates:
                jobs.append((str(root), ticker, as_of))
    plan_key = hashlib.sha256(repr(jobs).encode()).hexdigest()[:8]
    path = CACHE / f"{plan_key}-{_fingerprint([root for root, _ in plan])}.json"
    if path.is_file():
        rows = json.loads(path.read_text())
    else:
        rows = [_generate(j) for j in jobs]
        CACHE.mkdir(parents=True, exist_ok=True)
        for old in CACHE.glob(f"{plan_key}-*.json"):
            old.unlink()
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(rows))
        tmp.replace(path)
    return [CleanNote(key, ticker, md, doc) for key, ticker, md, doc in rows]


# ---- the oracle: what a number in the clean note states ----------------------------------------

@dataclass
class _Fact:
    value: float
    kind: str
    ticker: str | None
    change: bool


def _facts(doc: dict) -> dict[str, _Fact]:
    """Numeric facts by path (the paths the checker reports)."""
    from notewriter.check.index import _walk_facts

    out = {}
    for f in _walk_facts(doc)[0]:
        if isinstance(f.value, (int, float)) and not isinstance(f.value, bool):
            out[f.path] = _Fact(float(f.value), f.kind, f.ticker, f.change)
    return out


_NUM = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9}


def _value_of(text: str, kind: str) -> tuple[float, float] | None:
    """(magnitude, half a unit of the last digit) of a number as the templates write it."""
    m = _NUM.search(text)
    if not m:
        return None
    num = m.group(0)
    v = float(num.replace(",", ""))
    tol = 0.5 * 10 ** -len(num.split(".")[1]) if "." in num else 0.5
    scale = 1.0
    if "%" in text:
        scale = 0.01
    for word, s in _SCALES.items():
        if word in text:
            scale = s
    return v * scale, tol * scale


def _true_for(value: float, tol: float, kind: str, ticker: str | None, facts: dict[str, _Fact]) -> bool:
    """Some fact of this kind about `ticker` (or about any ticker) has this magnitude within the rounding."""
    eps = 1e-9 * max(1.0, value)
    return any(f.kind == kind and (f.ticker is None or f.ticker == ticker)
               and abs(abs(f.value) - value) <= tol + eps for f in facts.values())


def _sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    a = max(text.rfind("\n", 0, pos) + 1, max((m.end() for m in re.finditer(r"[.!?]\s+(?=[A-Z(|*])",
                                                                           text[:pos])), default=0))
    m = re.compile(r"[.!?](?=\s+[A-Z(|*])|\n").search(text, pos)
    return a, (m.start() + 1 if m else len(text))


# ---- mutations -----------------------------------------------------------------------------------

def _digit_mutants(note: CleanNote, report: CheckReport, facts: dict[str, _Fact], rng: random.Random):
    for f in report.findings:
        fact = facts.get(f.matched or "")
        if fact is None or f.kind == "date":
            continue
        text = f.text
        digits = [i for i, ch in enumerate(text) if ch.isdigit()]
        if not digits:
            continue
        i = rng.choice(digits)
        choices = [d for d in "0123456789" if d != text[i]]
        if i == digits[0] and len(re.match(r"[^\d]*(\d+)", text).group(1)) > 1:
            choices = [d for d in choices if d != "0"]  # no leading zero
        new = text[:i] + rng.choice(choices) + text[i + 1:]
        parsed = _value_of(new, fact.kind)
        if parsed is None:
            continue
        mutated = note.markdown[:f.start] + new + note.markdown[f.end:]
        yield "digit", mutated, f"{text} -> {new}", not _true_for(*parsed, fact.kind, f.ticker, facts)


def _scale_mutants(note: CleanNote, report: CheckReport, facts: dict[str, _Fact], rng: random.Random):
    swap = {"million": "billion", "billion": "million", "thousand": "million"}
    for f in report.findings:
        fact = facts.get(f.matched or "")
        word = next((w for w in swap if w in f.text), None)
        if fact is None or word is None:
            continue
        new = f.text.replace(word, swap[word])
        parsed = _value_of(new, fact.kind)
        mutated = note.markdown[:f.start] + new + note.markdown[f.end:]
        yield "scale", mutated, f"{f.text} -> {new}", not _true_for(*parsed, fact.kind, f.ticker, facts)


_ORACLE_CLAUSE = re.compile(r"[;:()—\n]|[.!?](?=\s)")


def _direction_mutants(note: CleanNote, report: CheckReport, facts: dict[str, _Fact], rng: random.Random):
    """Flip a direction word; it counts when it is the nearest direction word to a non-zero change number."""
    md = note.markdown
    words = [(m.start(), m.end(), m.group(0)) for m in _FLIP_RE.finditer(md)]
    from notewriter.check.attribution import _Directions
    from notewriter.check.checker import _strip_markup

    all_words = _Directions(_strip_markup(md)).words
    breaks = [m.start() for m in _ORACLE_CLAUSE.finditer(md)]
    for a, b, word in words:
        governed = False
        for f in report.findings:
            fact = facts.get(f.matched or "")
            if fact is None or not fact.change or fact.value == 0:
                continue
            parsed = _value_of(f.text, fact.kind)
            if parsed and any(not g.change and g.kind == fact.kind and g.ticker in (None, fact.ticker)
                              and abs(abs(g.value) - parsed[0]) <= parsed[1] + 1e-9 for g in facts.values()):
                continue  # the number may state a fact that has no sign
            lo, hi = (b, f.start) if b <= f.start else (f.end, a)
            if hi < lo or any(lo <= x < hi for x in breaks):
                continue
            parsed = _value_of(f.text, fact.kind)
            if parsed and abs(fact.value) <= parsed[1]:
                continue  # shown as zero
            dist = hi - lo
            nearest = min(((f.start - w1 if w1 <= f.start else w0 - f.end) for w0, w1, _, _ in all_words
                           if (w1 <= f.start or w0 >= f.end)
                           and not any(min(w1, f.start) <= x < max(w0, f.end) for x in breaks)), default=1e9)
            if dist <= nearest:
                governed = True
                break
        flip = _FLIPS[word.lower()]
        if word[0].isupper():
            flip = flip[0].upper() + flip[1:]
        yield "direction", md[:a] + flip + md[b:], f"{word} -> {flip}", governed


def _ticker_mutants(note: CleanNote, report: CheckReport, facts: dict[str, _Fact], rng: random.Random):
    md = note.markdown
    tickers = sorted({f.ticker for f in facts.values() if f.ticker})
    if len(tickers) < 2:
        return
    rx = re.compile(r"(?<![A-Za-z0-9$])(" + "|".join(map(re.escape, sorted(tickers, key=len, reverse=True)))
                    + r")(?![A-Za-z0-9])")
    by_sentence: dict[tuple[int, int], list] = {}
    for f in report.findings:
        fact = facts.get(f.matched or "")
        if fact is not None and fact.ticker and f.kind != "date":
            by_sentence.setdefault(_sentence_bounds(md, f.start), []).append((f, fact))
    for (s0, s1), rows in by_sentence.items():
        sentence = md[s0:s1]
        present = sorted({m.group(1) for m in rx.finditer(sentence)})
        if not present:
            continue
        # swap two tickers of the sentence, or replace one with a ticker it does not mention
        if len(present) >= 2:
            a, b = rng.sample(present, 2)
            mapping = {a: b, b: a}
        else:
            a = present[0]
            b = rng.choice([t for t in tickers if t not in present])
            mapping = {a: b}
        new_sentence = rx.sub(lambda m: mapping.get(m.group(1), m.group(1)), sentence)
        if new_sentence == sentence:
            continue
        changed = False
        for f, fact in rows:
            if fact.ticker in mapping:
                parsed = _value_of(f.text, fact.kind)
                if parsed and not _true_for(*parsed, fact.kind, mapping[fact.ticker], facts):
                    changed = True
        yield "ticker", md[:s0] + new_sentence + md[s1:], \
            ", ".join(f"{k}->{v}" for k, v in mapping.items()) + f" in {sentence.strip()[:60]!r}", changed


def _date_mutants(note: CleanNote, report: CheckReport, facts: dict[str, _Fact], rng: random.Random):
    md = note.markdown
    known = set()
    from notewriter.check.index import _walk_facts

    for f in _walk_facts(note.doc)[0]:
        if f.kind == "date":
            known.add(str(f.value)[:10])
    for m in _LONGDATE.finditer(md):
        d = date(int(m.group(3)), _MONTHS.index(m.group(1)) + 1, int(m.group(2)))
        for _ in range(10):
            new = d + timedelta(days=rng.choice([-7, -3, -2, -1, 1, 2, 3, 7, 14]))
            if new.isoformat() not in known and new.strftime("%m-%d") not in {k[5:] for k in known}:
                break
        text = f"{new:%B} {new.day}, {new.year}"
        yield "date", md[:m.start()] + text + md[m.end():], f"{m.group(0)} -> {text}", True


def _benign_mutants(note: CleanNote, report: CheckReport, facts: dict[str, _Fact], rng: random.Random):
    """Meaning-preserving edits an editor makes; the checker must accept every one."""
    md = note.markdown
    for f in report.findings:
        t = f.text
        if re.fullmatch(r"\$[\d.,]+ million", t):
            new = t.replace(" million", "m")
        elif re.fullmatch(r"\$[\d.,]+ billion", t):
            new = t.replace(" billion", "bn")
        elif re.fullmatch(r"[\d.]+%", t):
            new = t[:-1] + " percent"
        elif _LONGDATE.fullmatch(t):
            m = _LONGDATE.fullmatch(t)
            new = rng.choice([f"{_ABBR[m.group(1)]} {m.group(2)}, {m.group(3)}",
                              date(int(m.group(3)), _MONTHS.index(m.group(1)) + 1, int(m.group(2))).isoformat()])
        elif re.fullmatch(r"\d{1,3}(?:,\d{3}){2,}", t) and md[f.end:f.end + 7] == " shares":
            v = int(t.replace(",", ""))
            if v % 10_000:
                continue
            new = f"{v / 1e6:,.2f}".rstrip("0").rstrip(".") + " million"
        else:
            continue
        yield "benign", md[:f.start] + new + md[f.end:], f"{t} -> {new}", True


_MUTATORS = {"digit": _digit_mutants, "scale": _scale_mutants, "direction": _direction_mutants,
             "ticker": _ticker_mutants, "date": _date_mutants, "benign": _benign_mutants}


def mutants(note: CleanNote, report: CheckReport) -> tuple[list[Mutant], dict[str, int]]:
    """Planted-error copies of one clean note (seeded by its key), plus counts of coincident edits."""
    facts = _facts(note.doc)
    out: list[Mutant] = []
    coincident: dict[str, int] = {}
    for kind, mutate in _MUTATORS.items():
        rng = random.Random(f"{note.key}|{kind}")
        rows = list(mutate(note, report, facts, rng))
        real = [r for r in rows if r[3]]
        coincident[kind] = len(rows) - len(real)
        if len(real) > PER_NOTE[kind]:
            real = rng.sample(real, PER_NOTE[kind])
        out.extend(Mutant(note.key, kind, text, what) for kind, text, what, _ in real)
    return out, coincident


def measure(notes: list[CleanNote]) -> Tally:
    tally = Tally()
    for note in notes:
        report = check_note(note.markdown, note.doc)
        tally.clean_notes += 1
        if not report.ok:
            tally.false_alarms.extend((note.key, f"{x.text!r}: {x.reason}") for x in report.unsupported)
            continue
        planted, coincident = mutants(note, report)
        for kind, n in coincident.items():
            tally.coincident[kind] = tally.coincident.get(kind, 0) + n
        for m in planted:
            ok = check_note(m.text, note.doc).ok
            if m.kind == "benign":
                tally.benign += 1
                if not ok:
                    tally.false_alarms.append((m.key, f"benign edit {m.what}"))
                continue
            tally.planted[m.kind] = tally.planted.get(m.kind, 0) + 1
            if not ok:
                tally.caught[m.kind] = tally.caught.get(m.kind, 0) + 1
            else:
                tally.missed.append(m)
    return tally
