"""Faults in input files cost only the funds they touch, and nothing is dropped without a word.

Each case plants one fault into a copy of the real data (or of the samples) the way a broken vendor file
carries it: a malformed number in one fund's row of a shared file refuses that fund alone, naming the file
and the row; a short row, NUL bytes or an infinity in a price file refuses that fund; a blank Close is left
out and said; a peer or component refused for bad data is named in the notes that would have used it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from notewriter.cli import main
from notewriter.errors import DataError
from notewriter.pipeline import fund_facts, open_source, write_note

from .conftest import SAMPLES

TICKERS = ("EWZ", "SPY", "GLD", "TLT", "EWJ")
AS_OF = "2026-04-02"


@pytest.fixture
def samples(tmp_path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(SAMPLES, root)
    return root


def _break_open(path: Path, line: int) -> None:
    lines = path.read_text().splitlines()
    cells = lines[line - 1].split(",")
    cells[1] = "oops"
    lines[line - 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")


def test_an_error_read_back_from_the_cache_says_what_it_said(samples):
    _break_open(samples / "prices" / "XLF.csv", 6)
    for _ in range(2):  # cold, then from the columnar cache
        with pytest.raises(DataError) as err:
            write_note("XLF", "2025-10-31", "1d", open_source(samples))
        assert str(err.value).endswith("XLF.csv, row 6: expected a number in column 'Open', got 'oops'")
