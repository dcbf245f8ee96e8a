"""Regenerate tests/golden/ from the current code: the Markdown and JSON of every case in cases.json.

Run after an intended change to the output, and commit the result on its own with a message that says
what changed and why. Cases on the real data are skipped (and their files kept) when ../shared is absent.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.golden_cases import FORMATS, GOLDEN, MARKET, cases, data_dir, name, render  # noqa: E402


def main() -> int:
    os.environ.setdefault("NOTEWRITER_CACHE_DIR", tempfile.mkdtemp(prefix="notewriter-golden-"))
    written = skipped = 0
    for case in cases():
        if data_dir(case) is not None and not MARKET.is_dir():
            skipped += 1
            continue
        for fmt in FORMATS:
            path = GOLDEN / name(case, fmt)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(case, fmt), encoding="utf-8", newline="")
            written += 1
    print(f"wrote {written} golden files to {GOLDEN}" + (f"; skipped {skipped} real-data cases" if skipped else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
