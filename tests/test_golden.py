"""Every golden note and digest is reproduced byte for byte by the CLI."""

from __future__ import annotations

import pytest

from .golden_cases import FORMATS, GOLDEN, MARKET, cases, data_dir, name, render

CASES = [(c, fmt) for c in cases() for fmt in FORMATS]


@pytest.mark.parametrize("case,fmt", CASES, ids=[name(c, f) for c, f in CASES])
def test_golden(case, fmt):
    if data_dir(case) is not None and not MARKET.is_dir():
        pytest.skip(f"real market data not found at {MARKET} (../shared is not beside this checkout)")
    expected = (GOLDEN / name(case, fmt)).read_text(encoding="utf-8")
    got = render(case, fmt)
    assert got == expected, f"{name(case, fmt)} differs from its golden file; regenerate with scripts/make_golden.py " \
                            "only if the change is intended"
