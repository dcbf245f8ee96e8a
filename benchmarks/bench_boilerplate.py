"""Boilerplate benchmark: how much of the fund notes is the same sentence with different numbers.

A sentence's skeleton is the sentence with its numbers (money, percentages, counts, signed
figures), tickers, fund and holding names and dates replaced by placeholders (<MONEY>, <PCT>,
<NUM>, <TICKER>, <NAME>, <DATE>). A skeleton is boilerplate when it appears in more than
`--threshold` (default 20%) of the universe's notes, counted once per note. The figure is the
share of all sentences (every occurrence counted) whose skeleton is boilerplate, overall and per
`## Section` (sentences before the first section are the lede), with the most common skeletons.

Notes are the fund notes of `notewriter batch` runs on the real data in ../shared/data/market, by
default for three dates and two windows, each (date, window) a separate batch, pooled into one
universe; the digest and each note's footer (data line, flow method, data notes, disclaimer) are
left out. `--notes-dir` measures an existing folder of .md notes instead (subfolders are batches).

    python benchmarks/bench_boilerplate.py [--data DIR] [--dates 2026-04-02,2026-04-17,2026-04-30]
        [--windows 1d,1w] [--threshold 0.2] [--top 15] [--json] [--notes-dir DIR] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKET = ROOT.parent / "shared" / "data" / "market"
DATES = ("2026-04-02", "2026-04-17", "2026-04-30")
WINDOWS = ("1d", "1w")
LEDE = "Lede"

# -- sentences -----------------------------------------------------------------------------------

FOOTER_PREFIXES = ("Data:", "Flows are", "Data notes:", "*Sample note", "Not investment advice")
FOOTER_LINES = ("Not investment advice.",)
# Sections that are labels and tables, not prose: the sentiment line is the same words in every note.
NOT_PROSE = ("Sentiment",)
ABBREVIATIONS = {
    "e.g.", "i.e.", "etc.", "vs.", "cf.", "approx.", "est.", "no.", "inc.", "corp.", "co.", "ltd.", "plc.",
    "mr.", "mrs.", "ms.", "dr.", "st.", "jr.", "sr.", "jan.", "feb.", "mar.", "apr.", "jun.", "jul.", "aug.",
    "sep.", "sept.", "oct.", "nov.", "dec.",
}
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_END = re.compile(r"[.?!]+[\"'”’)\]]*(?=\s|$)")
_INITIALISM = re.compile(r"(?:[A-Za-z]\.){2,}")


def is_footer(line: str) -> bool:
    s = line.strip()
    return s in FOOTER_LINES or s.startswith(FOOTER_PREFIXES)


def split_sentences(text: str) -> list[str]:
    """Sentences of one paragraph: a break after '.', '?' or '!' followed by a space or the end,
    except after an abbreviation ("e.g.", "Inc.") or an initialism ("U.S."); "1.5" has no space."""
    out, start = [], 0
    for m in _END.finditer(text):
        if m.group().rstrip("\"'”’)]") == ".":
            word = text[:m.start() + 1].rsplit(None, 1)[-1].lstrip("(\"'“‘[")
            if word.lower() in ABBREVIATIONS or _INITIALISM.fullmatch(word):
                continue
        piece = text[start:m.end()].strip()
        if piece:
            out.append(piece)
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def _inline(text: str) -> str:
    """Markdown inline markup removed: links to their text, emphasis and code marks dropped."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__|`)", "", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])", "", text)
    return re.sub(r"\s+", " ", text).strip()


def note_sentences(markdown: str) -> list[tuple[str, str]]:
    """(section, sentence) for every sentence of a note's prose. Headings, table rows, rules and the
    footer lines are dropped; list markers are removed and each item is its own paragraph; a
    paragraph's lines are joined before it is split. Sentences before the first `## ` heading
    belong to the lede."""
    section, para, out = LEDE, [], []

    def flush() -> None:
        if para and section not in NOT_PROSE:
            out.extend((section, s) for s in split_sentences(_inline(" ".join(para))))
        para.clear()

    for line in markdown.splitlines():
        s = line.strip()
        if not s or s.startswith("|") or _RULE.match(s) or is_footer(s):
            flush()
            continue
        if s.startswith("#"):
            flush()
            m = re.match(r"^(#+)\s*(.*?)\s*#*$", s)
            if m and len(m.group(1)) == 2:
                section = m.group(2) or section
            continue
        if _LIST.match(line):
            flush()
            s = _LIST.sub("", line).strip()
        para.append(s)
    flush()
    return out


# -- skeletons -----------------------------------------------------------------------------------

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
DATE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b"                                                   # 2026-04-02
    r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b"                                            # 4/2/2026
    rf"|\b{_MONTH}\.?\s+{_DAY}(?:\s*[–-]\s*{_DAY})?(?:,?\s+\d{{4}})?(?![\w])"  # April 2, 2026; Apr 02, 2026; April 2
    rf"|\b{_DAY}\s+{_MONTH}\.?(?:,?\s+\d{{4}})?\b"                            # 2 April 2026
    rf"|\b{_MONTH}\.?\s+\d{{4}}\b"                                             # April 2026
)
_SIGN = r"(?:(?<![\w])[+\-−]\s?)?"
_SCALE = r"(?:\s?(?:thousand|million|billion|trillion|bn|mn)\b|[KMBT]\b)"
MONEY = re.compile(_SIGN + r"(?<![\w$])\$\s?\d+(?:,\d{3})*(?:\.\d+)?" + _SCALE + "?")
PCT = re.compile(_SIGN + r"(?<![\d.,])\d+(?:,\d{3})*(?:\.\d+)?\s?(?:%|percent\b)")
NUM = re.compile(_SIGN + r"(?<![\d.,])\d+(?:,\d{3})*(?:\.\d+)?(?:\s?(?:thousand|million|billion|trillion)\b)?")
_TOKEN = re.compile(r"(?<![\w<&])[A-Z][A-Z0-9]*(?:[.\-][A-Z0-9]+)*(?![\w>&])")
_CAPS = re.compile(r"[A-Z][A-Z0-9]*(?:[.\-][A-Z0-9]+)*")


class Vocabulary:
    """What a skeleton masks besides numbers and dates.

    `funds`: the universe's fund tickers, masked wherever they stand as a token. `tickers`: every
    other ticker in the data (prices, share counts, flows, holdings); one of two or more characters
    is masked as a token, a one-letter one only where a ticker stands, "(V," or "(V)". `names`:
    fund and holding names, matched case-insensitively; a one-word name only right before a
    parenthesized ticker, "Fabrinet (FN", so that a company called "Bullish" does not mask the word."""

    def __init__(self, funds=(), tickers=(), names=()) -> None:
        self.funds = frozenset(t.upper() for t in funds)
        self.tickers = frozenset(t.upper() for t in tickers) | self.funds
        cleaned = {re.sub(r"\s+", " ", str(n)).strip() for n in names}
        self.names = frozenset(n for n in cleaned if len(n) >= 3 and not n.isdigit())
        self._lowered = sorted(((n.lower(), n) for n in self.names), key=lambda p: (-len(p[0]), p[0]))

    def name_pattern(self, text: str) -> re.Pattern | None:
        low = text.lower()
        parts = []
        for lowered, name in self._lowered:
            if lowered in low:
                body = r"\s+".join(re.escape(w) for w in name.split())
                parts.append(body + (r"(?=\s*\([A-Z])" if " " not in name else ""))
        return re.compile(r"(?<![\w<])(?:" + "|".join(parts) + r")(?![\w>])", re.I) if parts else None

    def is_ticker(self, token: str, text: str, start: int) -> bool:
        if token in self.funds:
            return True
        if token not in self.tickers:
            return False
        if len(token) >= 2:
            return True
        return text[start - 1:start] == "(" and text[start + 1:start + 2] in (",", ")")

    @classmethod
    def from_data(cls, data: Path | None, extra_funds=()) -> "Vocabulary":
        """Tickers and names of a data directory (missing files are skipped): funds/*.json
        (ticker, longName, shortName, topHoldings), prices/*.csv, the ticker column of shares.csv,
        flows.csv and aum.csv, and the equity rows of holdings/*.csv."""
        funds, tickers, names = set(extra_funds), set(), set()
        if data is None or not Path(data).is_dir():
            return cls(frozenset(funds))
        data = Path(data)
        for p in sorted((data / "funds").glob("*.json")):
            try:
                info = json.loads(p.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            funds.add(p.stem)
            if isinstance(info, dict):
                funds.add(str(info.get("ticker") or p.stem))
                names.update(str(info[k]) for k in ("longName", "shortName") if info.get(k))
                for h in info.get("topHoldings") or []:
                    if isinstance(h, dict):
                        if h.get("symbol"):
                            tickers.add(str(h["symbol"]).strip())
                        if h.get("name"):
                            names.add(str(h["name"]))
        tickers.update(p.stem for p in (data / "prices").glob("*.csv"))
        for table in ("shares.csv", "flows.csv", "aum.csv"):
            path = data / table
            if path.is_file():
                with path.open(newline="", encoding="utf-8-sig") as fh:
                    tickers.update(r["ticker"].strip() for r in csv.DictReader(fh) if r.get("ticker"))
        holdings = sorted((data / "holdings").glob("*.csv"))
        if holdings:
            from notewriter.sources.vendor_files import read_ishares_holdings

            for p in holdings:
                try:
                    frame, _ = read_ishares_holdings(p)
                except Exception:  # an unreadable holdings file only narrows the vocabulary
                    continue
                if "asset_class" in frame.columns:
                    frame = frame[frame["asset_class"].astype(str).str.lower().str.startswith("equity")]
                tickers.update(str(t).strip() for t in frame["ticker"] if str(t).strip())
                names.update(str(n) for n in frame["name"] if str(n).strip())
        tickers = {t for t in tickers if _CAPS.fullmatch(t.upper())}
        return cls(frozenset(funds), frozenset(tickers), frozenset(names))


def _mask_tickers(text: str, vocab: Vocabulary) -> str:
    def one(m: re.Match) -> str:
        token = m.group()
        if vocab.is_ticker(token, text, m.start()):
            return "<TICKER>"
        if "-" in token or "." in token:  # "SPY-IVV": each part on its own
            pieces = re.split(r"([.\-])", token)
            if any(p in vocab.tickers and len(p) >= 2 for p in pieces[::2]):
                return "".join("<TICKER>" if i % 2 == 0 and p in vocab.tickers and len(p) >= 2 else p
                               for i, p in enumerate(pieces))
        return token

    return _TOKEN.sub(one, text)


def skeleton(sentence: str, vocab: Vocabulary | None = None) -> str:
    """The sentence with names, dates, tickers, money, percentages and other numbers masked, in that
    order (a name or date holds digits and capitals that would otherwise be read on their own)."""
    vocab = vocab or Vocabulary()
    s = _inline(sentence)
    pattern = vocab.name_pattern(s)
    if pattern is not None:
        s = pattern.sub("<NAME>", s)
    s = DATE.sub("<DATE>", s)
    s = _mask_tickers(s, vocab)
    s = MONEY.sub("<MONEY>", s)
    s = PCT.sub("<PCT>", s)
    s = NUM.sub("<NUM>", s)
    return re.sub(r"\s+", " ", s).strip()


# -- the figure ----------------------------------------------------------------------------------


def note_skeletons(markdown: str, vocab: Vocabulary | None = None) -> list[tuple[str, str]]:
    return [(section, skeleton(s, vocab)) for section, s in note_sentences(markdown)]


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def measure(notes: dict[str, list[tuple[str, str]]], threshold: float = 0.2, top: int = 15) -> dict:
    """Boilerplate figures for a universe: note id -> [(section, skeleton)].

    A skeleton's document frequency is the number of notes it appears in (once per note); it is
    boilerplate when that is more than `threshold` of the notes. The share is over all sentences."""
    n = len(notes)
    df: Counter = Counter()
    occurrences: Counter = Counter()
    sections_of: dict[str, Counter] = {}
    for sents in notes.values():
        df.update({sk for _, sk in sents})
        for section, sk in sents:
            occurrences[sk] += 1
            sections_of.setdefault(sk, Counter())[section] += 1
    boiler = {sk for sk, d in df.items() if d > threshold * n}
    per_section: dict[str, list[int]] = {}
    total = hits = 0
    for sents in notes.values():
        for section, sk in sents:
            row = per_section.setdefault(section, [0, 0])
            row[1] += 1
            total += 1
            if sk in boiler:
                row[0] += 1
                hits += 1
    ranked = sorted(df, key=lambda sk: (-df[sk], -occurrences[sk], sk))[:top]
    return {
        "notes": n, "threshold": threshold, "sentences": total, "boilerplate_sentences": hits,
        "share": _share(hits, total), "skeletons": len(df), "boilerplate_skeletons": len(boiler),
        "sections": {sec: {"sentences": t, "boilerplate_sentences": b, "share": _share(b, t)}
                     for sec, (b, t) in per_section.items()},
        "top": [{"skeleton": sk, "notes": df[sk], "df": _share(df[sk], n), "occurrences": occurrences[sk],
                 "sections": [s for s, _ in sections_of[sk].most_common()]} for sk in ranked],
    }


def share_by(notes: dict[str, list[tuple[str, str]]], boiler_from: dict[str, list[tuple[str, str]]],
             threshold: float) -> float:
    """Share of `notes`' sentences whose skeleton is boilerplate in the universe `boiler_from`."""
    n = len(boiler_from)
    df: Counter = Counter()
    for sents in boiler_from.values():
        df.update({sk for _, sk in sents})
    sents = [sk for ss in notes.values() for _, sk in ss]
    return _share(sum(df[sk] > threshold * n for sk in sents), len(sents))


# -- notes on disk -------------------------------------------------------------------------------


def read_notes(folder: Path) -> dict[str, dict[str, str]]:
    """batch label -> note id -> markdown for every .md under `folder` except digests. A note's
    batch is the folder it sits in, relative to `folder` (a trailing `md` folder dropped). A batch's
    output folder is read through its published run (`current`), not the runs kept beside it."""
    out: dict[str, dict[str, str]] = {}
    root = Path(folder)
    if (root / "current").is_dir():
        root = (root / "current").resolve()
    for p in sorted(root.rglob("*.md")):
        if p.stem.lower().startswith("digest") or ".runs" in p.relative_to(root).parts:
            continue
        rel = p.parent.relative_to(root)
        parts = [x for x in rel.parts if x != "md"]
        label = "/".join(parts) or "."
        out.setdefault(label, {})[f"{label}/{p.stem}" if parts else p.stem] = p.read_text(encoding="utf-8")
    return out


def run_batches(data: Path, dates, windows, out: Path) -> tuple[dict[str, Path], dict[str, dict]]:
    """One `notewriter batch` per (date, window) into out/<date>-<window>, in parallel; a batch with
    failed notes (exit 1) still counts with what it wrote."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    jobs = [(d, w) for d in dates for w in windows]

    def one(job):
        d, w = job
        folder = out / f"{d}-{w}"
        shutil.rmtree(folder, ignore_errors=True)
        proc = subprocess.run([sys.executable, "-m", "notewriter", "batch", "--data", str(data), "--as-of", d,
                               "--window", w, "--out", str(folder), "--formats", "md"],
                              cwd=ROOT, env=env, capture_output=True, text=True)
        if proc.returncode not in (0, 1):
            sys.exit(f"bench: batch {d} {w} failed ({proc.returncode}):\n{proc.stderr.strip()}")
        status = Counter()
        manifest = folder / "manifest.jsonl"
        if manifest.is_file():
            for line in manifest.read_text().splitlines():
                if line.strip():
                    row = json.loads(line)
                    if row.get("kind") != "digest" and row.get("ticker") != "DIGEST":
                        status["ok" if row.get("status") == "ok" else "failed"] += 1
        return f"{d} {w}", folder, dict(status)

    with ThreadPoolExecutor(max_workers=min(len(jobs), os.cpu_count() or 1) or 1) as pool:
        results = list(pool.map(one, jobs))
    return {label: folder for label, folder, _ in results}, {label: st for label, _, st in results}


# -- report --------------------------------------------------------------------------------------


def report(result: dict, batches: dict[str, dict], universe: str) -> str:
    t = result["threshold"]
    lines = [f"universe: {universe}"]
    for label, b in batches.items():
        lines.append(f"  {label}: {b['notes']} notes, {b['sentences']:,} sentences; boilerplate {b['share']:.1%} "
                     f"within the batch (>{t:.0%} of its notes), {b['pooled_share']:.1%} by the pooled frequencies"
                     + (f"; {b['failed']} note(s) failed" if b.get("failed") else ""))
    lines.append(f"boilerplate: {result['share']:.1%} of {result['sentences']:,} sentences "
                 f"(skeleton in >{t:.0%} of {result['notes']:,} notes); {result['boilerplate_skeletons']:,} of "
                 f"{result['skeletons']:,} distinct skeletons are boilerplate")
    lines.append("by section:")
    width = max((len(s) for s in result["sections"]), default=0)
    for sec, r in result["sections"].items():
        lines.append(f"  {sec:<{width}}  {r['share']:6.1%} of {r['sentences']:>5,} sentences")
    lines.append(f"top {len(result['top'])} skeletons by document frequency (notes, share of notes, occurrences):")
    for i, r in enumerate(result["top"], 1):
        lines.append(f"  {i:>2}. {r['notes']:>4} {r['df']:5.0%} {r['occurrences']:>5}x  "
                     f"[{r['sections'][0]}] {r['skeleton']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None,
                    help=f"data directory for the batches and the names and tickers to mask (default {MARKET})")
    ap.add_argument("--dates", default=",".join(DATES), help="comma-separated as-of dates")
    ap.add_argument("--windows", default=",".join(WINDOWS), help="comma-separated windows (1d, 1w, 1m, ytd)")
    ap.add_argument("--threshold", type=float, default=0.2,
                    help="a skeleton is boilerplate in more than this share of the notes")
    ap.add_argument("--top", type=int, default=15, help="how many of the most common skeletons to list")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--notes-dir", type=Path, default=None, help="measure the .md notes in this folder; no batches")
    ap.add_argument("--keep", type=Path, default=None, help="write the batches here and keep them")
    args = ap.parse_args(argv)
    data = args.data if args.data is not None else (MARKET if MARKET.is_dir() else None)
    tmp = None
    try:
        if args.notes_dir is not None:
            if not args.notes_dir.is_dir():
                sys.exit(f"bench: {args.notes_dir} is not a folder")
            texts = read_notes(args.notes_dir)
            statuses: dict[str, dict] = {}
            universe = f"the notes in {args.notes_dir}"
        else:
            if data is None or not data.is_dir():
                sys.exit(f"bench: {args.data or MARKET} not found; the benchmark writes its notes from that data")
            dates = [d.strip() for d in args.dates.split(",") if d.strip()]
            windows = [w.strip() for w in args.windows.split(",") if w.strip()]
            out = args.keep or Path(tmp := tempfile.mkdtemp(prefix="nw-boiler-"))
            folders, statuses = run_batches(data, dates, windows, out)
            texts = {label: read_notes(folder).get(".", {}) for label, folder in folders.items()}
            texts = {label: {f"{label} {k}": v for k, v in notes.items()} for label, notes in texts.items()}
            universe = (f"{len(folders)} batches of {data} (as of {', '.join(dates)} x windows {', '.join(windows)})"
                        + (f", kept in {out}" if args.keep else ""))
        stems = {k.rsplit("/", 1)[-1].rsplit(" ", 1)[-1] for notes in texts.values() for k in notes}
        vocab = Vocabulary.from_data(data, extra_funds={s for s in stems if _CAPS.fullmatch(s)})
        skeletons = {label: {k: note_skeletons(md, vocab) for k, md in notes.items()} for label, notes in texts.items()}
        pooled = {k: v for notes in skeletons.values() for k, v in notes.items()}
        if not pooled:
            sys.exit("bench: no notes to measure")
        result = measure(pooled, args.threshold, args.top)
        batches = {}
        if len(skeletons) > 1:
            for label, notes in skeletons.items():
                own = measure(notes, args.threshold, 0) if notes else {"share": 0.0, "sentences": 0}
                batches[label] = {"notes": len(notes), "sentences": own["sentences"], "share": own["share"],
                                  "pooled_share": share_by(notes, pooled, args.threshold),
                                  "failed": statuses.get(label, {}).get("failed", 0)}
        result["batches"] = batches
        result["universe"] = universe
        print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else report(result, batches, universe))
        return result
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
