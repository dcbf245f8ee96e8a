"""A corpus of meaning-changing edits: the numbers stay true, the words around them stop being true.

Built from the clean notes of tests/corpus.py (every sample fund, the real-data funds at three dates; all
weekly notes). Each edit is tied to a phrase of the house style whose meaning is known by construction ("$X
net outflow this week" states the week's flow; "One-month realized volatility is X%" the one-month
volatility), so whether an edit changes the meaning is decided from the phrase and the facts, not from the
checker:

- `period`: the period word of a figure changed (this week -> this month, in the week to -> in the month to,
  year to date -> this quarter, one-month -> three-month, in the last session -> over the past week);
- `metric`: the metric word changed (20-day -> 50-day or 20-week average dollar volume, 52-week -> 26-week,
  of assets -> of average daily volume, realized volatility -> price momentum, shares outstanding -> assets);
- `comparison`: a comparison word flipped (below -> above its 52-week high, short of -> past the stress
  level, largest -> smallest);
- `swap`: two different figures of one sentence swapped;
- `moved`: another fund's figure written into the fund's own lede.

An edit is planted only when the facts make the new words false (a three-month momentum equal to the
one-month figure as printed, or two equal figures swapped, is skipped and counted apart). `benign`
rewordings keep the meaning ("over the week", "so far this year", "YTD", "trading sessions", "$399.4m",
"0.6 percent", "shy of", "biggest"); the checker must accept every one.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from notewriter import render
from notewriter.check import check_note

from .corpus import CleanNote, _facts, _sentence_bounds

KINDS = ("period", "metric", "comparison", "swap", "moved")
PER_NOTE = {"period": 6, "metric": 6, "comparison": 4, "swap": 5, "moved": 2, "benign": 8}

_USD = r"\$[\d.,]+(?: (?:thousand|million|billion|trillion))?"
_PCT = r"[+\-]?[\d.]+%"


def _fact(note_facts: dict, path: str):
    return note_facts.get(f"facts.{path}")


def _always(note, facts, m) -> bool:
    return True


def _printed_pct_differs(path: str, fallback_digits: int = 1):
    """Planted unless the fact at `path` exists and prints as the figure the phrase shows."""
    def guard(note, facts, m) -> bool:
        f = _fact(facts, path)
        if f is None:
            return True
        shown = re.search(r"[\d.]+%", m.group(0)).group(0)
        return render.pct(abs(f.value), None) != shown and render.pct(abs(f.value), fallback_digits) != shown
    return guard


def _printed_usd_differs(path: str):
    """Planted unless the fact at `path` exists and prints as the dollar figure the phrase shows."""
    def guard(note, facts, m) -> bool:
        f = _fact(facts, path)
        return f is None or render.usd(abs(f.value)) not in m.group(0)
    return guard


def _not_largest(note, facts, m) -> bool:
    return True  # "smallest" is never a fact the note has


# (kind, phrase, replacement, planted?) -- the phrase names the figure it governs.
EDITS: tuple[tuple[str, str, str, object], ...] = (
    ("period", rf"({_USD} net (?:inflow|outflow)) this week", r"\1 this month", _always),
    ("period", rf"(net (?:inflows|outflows) of {_USD}) this week", r"\1 this month", _always),
    ("period", rf"({_USD} net (?:inflow|outflow)|net (?:inflows|outflows) of {_USD}) in the week to",
     r"\1 in the month to", _always),
    ("period", rf"({_USD}) over the same week", r"\1 over the same quarter", _always),
    ("period", rf"((?:up|down) [\d.]+%) year to date", r"\1 this quarter", _printed_pct_differs("history.momentum_3m")),
    ("period", rf"year-to-date net (inflows|outflows) of ({_USD})", r"this quarter's net \1 of \2",
     _printed_usd_differs("history.m3_usd")),
    ("period", r"One-month realized volatility is", "Three-month realized volatility is", _always),
    ("period", rf"one-month price momentum of ({_PCT})", r"three-month price momentum of \1",
     _printed_pct_differs("history.momentum_3m")),
    ("period", rf"(rose|fell) ([\d.]+%) in the last session", r"\1 \2 over the past week",
     _printed_pct_differs("price.window_change")),
    ("metric", r"(\d+)-day average dollar volume", "50-day average dollar volume", _always),
    ("metric", r"(\d+)-day average dollar volume", r"\1-week average dollar volume", _always),
    ("metric", r"52-week high", "26-week high", _always),
    ("metric", r"\(52-week range", "(26-week range", _always),
    ("metric", rf"({_PCT}) of assets", r"\1 of average daily volume", _always),
    ("metric", rf"realized volatility is ({_PCT})", r"price momentum is \1",
     _printed_pct_differs("history.momentum_1m")),
    ("metric", rf"({_PCT}) (decline|increase) in shares outstanding", r"\1 \2 in assets", _always),
    ("metric", rf"the (\d+(?:st|nd|rd|th)) percentile", r"a z-score in the \1 range", _always),
    ("comparison", rf"({_PCT}) below its (\d+)-week high", r"\1 above its \2-week high", _always),
    ("comparison", rf"({_PCT}) short of it", r"\1 past it", _always),
    ("comparison", r"the largest (weekly (?:inflow|outflow)) in", r"the smallest \1 in", _not_largest),
    ("comparison", r"the largest weekly (inflow|outflow) in",
     lambda m: "the largest weekly " + ("inflow" if m.group(1) == "outflow" else "outflow") + " in", _always),
)

BENIGN: tuple[tuple[str, str], ...] = (
    (rf"({_USD} net (?:inflow|outflow)) this week", r"\1 over the week"),
    (rf"({_USD} net (?:inflow|outflow)) this week", r"\1 in the past week"),
    (r"((?:up|down) [\d.]+%) year to date", r"\1 so far this year"),
    (r"((?:up|down) [\d.]+%) year to date", r"\1 YTD"),
    (r"year-to-date net", "YTD net"),
    (r"((?:up|down) [\d.]+%) year to date", r"\1 year-to-date"),
    (r"over the last (\d+) sessions", r"over the last \1 trading sessions"),
    (r"in (\d+) sessions", r"in \1 trading sessions"),
    (r"One-month realized volatility is ([\d.]+%)", r"Realized volatility over the past month is \1"),
    (r"\$([\d.]+) million", r"$\1m"),
    (r"(\d\.\d+)% decline", r"\1 percent decline"),
    (r"({_PCT}) short of it".format(_PCT=_PCT), r"\1 shy of it"),
    (r"the largest weekly", "the biggest weekly"),
    (r"over the same week", "in the same week"),
    (r"(\d+)-day average dollar volume", r"\1-session average dollar volume"),
)


@dataclass(frozen=True)
class Edit:
    key: str
    kind: str
    text: str
    what: str


@dataclass
class MeaningTally:
    planted: dict[str, int] = field(default_factory=dict)
    caught: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    missed: list[Edit] = field(default_factory=list)
    clean_notes: int = 0
    benign: int = 0
    false_alarms: list[tuple[str, str]] = field(default_factory=list)

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
               f"meaning-preserving rewordings {self.benign}",
               f"planted {self.total_planted}, caught {self.total_caught} ({self.catch_rate:.2%})"]
        for kind in KINDS:
            n, c = self.planted.get(kind, 0), self.caught.get(kind, 0)
            out.append(f"  {kind:<10} planted {n:>5}  caught {c:>5}  ({c / n if n else 1:.2%})"
                       f"  skipped (meaning unchanged) {self.skipped.get(kind, 0)}")
        return out


def _phrase_edits(note: CleanNote, facts: dict):
    md = note.markdown
    for kind, pattern, repl, planted in EDITS:
        for m in re.finditer(pattern, md):
            new = m.expand(repl) if isinstance(repl, str) else repl(m)
            if new == m.group(0):
                continue
            yield kind, md[:m.start()] + new + md[m.end():], f"{m.group(0)!r} -> {new!r}", planted(note, facts, m)


_FIGURE = re.compile(rf"{_USD}|(?<![\w.])[+\-]?\d+(?:\.\d+)?%")


def _swap_edits(note: CleanNote, facts: dict, report):
    """Two figures of one sentence swapped: planted when they differ as printed and state different facts."""
    md = note.markdown
    matched = {(f.start, f.end): f.matched for f in report.findings if f.matched}
    sentences: dict[tuple[int, int], list[re.Match]] = {}
    for m in _FIGURE.finditer(md):
        if (m.start(), m.end()) in matched:
            sentences.setdefault(_sentence_bounds(md, m.start()), []).append(m)
    for figures in sentences.values():
        for i in range(len(figures)):
            for j in range(i + 1, len(figures)):
                a, b = figures[i], figures[j]
                if a.group(0).startswith("$") != b.group(0).startswith("$"):
                    continue
                if md[a.end():b.start()].strip() in ("–", "-", "to"):
                    continue  # a range: both ends are one claim about the span
                fa, fb = matched[(a.start(), a.end())], matched[(b.start(), b.end())]
                planted = a.group(0).lstrip("+-") != b.group(0).lstrip("+-") and fa != fb
                text = md[:a.start()] + b.group(0) + md[a.end():b.start()] + a.group(0) + md[b.end():]
                yield "swap", text, f"{a.group(0)} <-> {b.group(0)}", planted


def _moved_edits(note: CleanNote, facts: dict, report):
    """A peer's flow figure written into the fund's own lede in place of the fund's flow."""
    md = note.markdown
    own = [f for f in report.findings if f.matched == "facts.flow.net_usd"]
    peers = [f for f in report.findings if (f.matched or "").startswith("facts.peers[")]
    if not own or not peers:
        return
    first = own[0]
    for p in peers:
        planted = p.text != first.text
        yield "moved", md[:first.start] + p.text + md[first.end:], f"{first.text} -> {p.text} (a peer's)", planted


def edits(note: CleanNote, report) -> tuple[list[Edit], dict[str, int]]:
    facts = _facts(note.doc)
    facts = {k: v for k, v in facts.items()}
    rows = list(_phrase_edits(note, facts)) + list(_swap_edits(note, facts, report)) + \
        list(_moved_edits(note, facts, report))
    out: list[Edit] = []
    skipped: dict[str, int] = {}
    for kind in KINDS:
        rng = random.Random(f"{note.key}|meaning|{kind}")
        mine = [r for r in rows if r[0] == kind]
        real = [r for r in mine if r[3]]
        skipped[kind] = len(mine) - len(real)
        if len(real) > PER_NOTE[kind]:
            real = rng.sample(real, PER_NOTE[kind])
        out.extend(Edit(note.key, kind, text, what) for kind, text, what, _ in real)
    md = note.markdown
    benign = []
    for pattern, repl in BENIGN:
        for m in re.finditer(pattern, md):
            new = m.expand(repl)
            benign.append(Edit(note.key, "benign", md[:m.start()] + new + md[m.end():], f"{m.group(0)!r} -> {new!r}"))
    rng = random.Random(f"{note.key}|meaning|benign")
    if len(benign) > PER_NOTE["benign"]:
        benign = rng.sample(benign, PER_NOTE["benign"])
    return out + benign, skipped


def measure(notes: list[CleanNote]) -> MeaningTally:
    tally = MeaningTally()
    for note in notes:
        report = check_note(note.markdown, note.doc)
        tally.clean_notes += 1
        if not report.ok:
            tally.false_alarms.extend((note.key, f"{x.text!r}: {x.reason}") for x in report.unsupported)
            continue
        planted, skipped = edits(note, report)
        for kind, n in skipped.items():
            tally.skipped[kind] = tally.skipped.get(kind, 0) + n
        for e in planted:
            ok = check_note(e.text, note.doc).ok
            if e.kind == "benign":
                tally.benign += 1
                if not ok:
                    tally.false_alarms.append((e.key, f"rewording {e.what}"))
                continue
            tally.planted[e.kind] = tally.planted.get(e.kind, 0) + 1
            if not ok:
                tally.caught[e.kind] = tally.caught.get(e.kind, 0) + 1
            else:
                tally.missed.append(e)
    return tally
