"""The golden documents: which notes and digests are kept byte for byte, and how each is produced.

Each case runs the real CLI (`write` or `digest`) in-process, so a golden file is exactly what a user
gets from the command line. `scripts/make_golden.py` writes them; `tests/test_golden.py` compares.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
MARKET = ROOT.parent / "shared" / "data" / "market"
FORMATS = ("md", "json")


def cases() -> list[dict]:
    return json.loads((GOLDEN / "cases.json").read_text(encoding="utf-8"))["cases"]


def data_dir(case: dict) -> Path | None:
    """The data directory of a case; None for the bundled samples."""
    return None if case["data"] == "samples" else MARKET


def name(case: dict, fmt: str) -> str:
    subject = case.get("ticker") or "digest"
    return f"{case['data']}/{subject}-{case['as_of'] or 'last'}-{case['window']}.{fmt}"


def args(case: dict, fmt: str) -> list[str]:
    out = ["write", case["ticker"]] if case["kind"] == "fund" else ["digest"]
    if case["as_of"]:
        out += ["--as-of", case["as_of"]]
    out += ["--window", case["window"], "--format", fmt]
    data = data_dir(case)
    if data is not None:
        out += ["--data", str(data)]
    return out


def render(case: dict, fmt: str) -> str:
    """What `notewriter write|digest ... --format fmt` prints for the case (exit code 0 required)."""
    from click.testing import CliRunner

    from notewriter.cli import main

    result = CliRunner().invoke(main, args(case, fmt), catch_exceptions=False)
    if result.exit_code != 0:
        raise AssertionError(f"notewriter {' '.join(args(case, fmt))} exited {result.exit_code}: {result.output}")
    return result.stdout
