"""Checker benchmark: milliseconds per note for `check_note` over the sample and real-data notes.

Uses the clean notes of the checker corpus (tests/corpus.py; generated once, then cached under
.pytest_cache) and times three ways of checking each note:

- `check_note(markdown, doc)`: the public call, facts walked from the JSON document every time;
- `check_note(markdown, index)`: with a `FactIndex` built once per facts document (what `compose` does);
- `FactIndex.from_doc(doc)` alone: the cost of building that index.

Then `check` at scale: the bundled samples' IJR note, its paragraphs repeated to 1, 5 and 20 MB, checked
once each (against a `FactIndex`, as `notewriter check` does after reading the facts), in seconds and
MB/s; a linear checker keeps the MB/s the same at every size.

    python benchmarks/bench_check.py [--repeat 5] [--samples-only] [--scale 1,5,20 | --scale none]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from notewriter import check  # noqa: E402
from tests.conftest import MARKET, SAMPLES  # noqa: E402
from tests.corpus import clean_notes  # noqa: E402


def _per_note(fn, notes, repeat: int) -> tuple[float, float]:
    """(median, best) over `repeat` passes of the mean milliseconds per note."""
    for note in notes[: min(5, len(notes))]:
        fn(note)  # warm up regex caches
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        for note in notes:
            fn(note)
        runs.append((time.perf_counter() - t) * 1000 / len(notes))
    return statistics.median(runs), min(runs)


def _long_note(repeat: int) -> None:
    """One long note: the IJR lede of tests/test_check.py forty times over (160 numbers)."""
    from tests.test_check import DOC, LEDE

    text = "\n\n".join([LEDE] * 40)
    check.check_note(text, DOC)
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        report = check.check_note(text, DOC)
        runs.append((time.perf_counter() - t) * 1000)
    print(f"long note: {len(text):,} chars, {len(report.findings)} numbers: "
          f"{statistics.median(runs):.2f} ms per check (best {min(runs):.2f})")


def _scale_note(megabytes: float) -> tuple[str, dict]:
    """The samples' IJR note (week to 2025-10-31), its paragraphs repeated to `megabytes` MB."""
    from notewriter.pipeline import open_source, write_note
    from notewriter.publish import render_as

    note = write_note("IJR", "2025-10-31", "1w", open_source())
    paragraphs = [p for p in render_as(note, "md").split("\n\n") if p.strip()]
    size = sum(len(p) + 2 for p in paragraphs)
    copies = max(1, round(megabytes * 1e6 / size))
    return "\n\n".join(paragraphs * copies) + "\n", note.facts_document()


def _scale(sizes: list[float]) -> None:
    """`check` on notes of the given sizes: seconds (wall and CPU) and MB/s."""
    for mb in sizes:
        text, doc = _scale_note(mb)
        index = check.FactIndex.from_doc(doc)
        wall, cpu = time.perf_counter(), time.process_time()
        report = check.check_note(text, index)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        size = len(text.encode("utf-8")) / 1e6
        print(f"check, {size:5.1f} MB note ({len(report.findings):,} numbers): {wall:6.2f} s "
              f"({cpu:.2f} s CPU), {size / wall:5.2f} MB/s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--samples-only", action="store_true")
    ap.add_argument("--scale", default="1,5,20", help="note sizes in MB for the scale line, or 'none'")
    args = ap.parse_args(argv)

    sets = [("sample notes", clean_notes([(SAMPLES, [None])]))]
    if not args.samples_only and (MARKET / "prices").is_dir():
        sets.append(("real-data notes", clean_notes([(MARKET, ["2026-04-02", "2026-03-20", None])])))

    _long_note(args.repeat)
    has_index = hasattr(check, "FactIndex")
    for label, notes in sets:
        numbers = sum(len(check.check_note(n.markdown, n.doc).findings) for n in notes)
        chars = sum(len(n.markdown) for n in notes)
        print(f"{label}: {len(notes)} notes, {chars / len(notes):,.0f} chars and "
              f"{numbers / len(notes):.1f} numbers per note")
        med, best = _per_note(lambda n: check.check_note(n.markdown, n.doc), notes, args.repeat)
        print(f"  check_note(text, doc)          {med:7.3f} ms/note (best {best:.3f})")
        if has_index:
            indexes = {n.key: check.FactIndex.from_doc(n.doc) for n in notes}
            med, best = _per_note(lambda n: check.check_note(n.markdown, indexes[n.key]), notes, args.repeat)
            print(f"  check_note(text, FactIndex)    {med:7.3f} ms/note (best {best:.3f})")
            med, best = _per_note(lambda n: check.FactIndex.from_doc(n.doc), notes, args.repeat)
            print(f"  FactIndex.from_doc(doc)        {med:7.3f} ms/note (best {best:.3f})")
    if args.scale != "none":
        _scale([float(x) for x in args.scale.split(",") if x.strip()])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
