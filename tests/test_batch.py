"""Batch over a universe with one corrupt fund: every other note is written, the bad one is in the manifest."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from click.testing import CliRunner

from notewriter.cli import main

from .conftest import SAMPLES


def _universe(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SAMPLES, data)
    path = data / "prices" / "XLF.csv"
    lines = path.read_text().splitlines()
    lines[5] = lines[5].split(",")[0] + ",oops" + "".join("," + c for c in lines[5].split(",")[2:])
    path.write_text("\n".join(lines) + "\n")
    return data


def _manifest(out):
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]


def test_batch_with_one_corrupt_fund(tmp_path):
    data, out = _universe(tmp_path), tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", "--data", str(data), "--as-of", "2025-10-31", "--window", "1d",
                                       "--out", str(out), "--formats", "md,json", "--jobs", "2"])
    assert result.exit_code == 1, result.output
    rows = _manifest(out)
    notes = {r["ticker"]: r for r in rows if r["kind"] == "note"}
    assert len(notes) == 14  # every fund in the samples, the corrupt one included
    bad = notes.pop("XLF")
    assert bad["status"] == "failed"
    # the DataError names the file and the row (header is row 1, so line index 5 is row 6)
    assert "prices/XLF.csv" in bad["error"] and "row 6" in bad["error"] and "'oops'" in bad["error"]
    for t, row in notes.items():
        assert row["status"] == "ok", row
        written = json.loads((out / row["paths"]["json"]).read_text())
        assert written["ticker"] == t
        # the manifest counts the numbers the written note's own check report lists, all of them supported
        assert row["check"] == {"ok": True, "numbers": len(written["check"]["findings"]), "unsupported": 0}
        assert row["check"]["numbers"] >= 10 and all(f.get("matched") for f in written["check"]["findings"])
        assert (out / row["paths"]["md"]).read_text().startswith(f"# {t}")
    digest = [r for r in rows if r["kind"] == "digest"][0]
    assert digest["status"] == "ok" and (out / "md" / "digest.md").is_file()
    assert not list(out.rglob("*.tmp"))  # atomic writes leave no temporary files


def test_batch_all_good_exits_0_and_second_run_uses_the_cache(tmp_path):
    from notewriter.sources.local import DataDirSource

    data = tmp_path / "data"
    shutil.copytree(SAMPLES, data)
    out = tmp_path / "out"
    args = ["batch", "--data", str(data), "--as-of", "2025-10-31", "--out", str(out), "--formats", "txt"]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert all(r["status"] == "ok" for r in _manifest(out))
    tables = DataDirSource(data).tables()
    assert tables.parsed == 0 and tables.cache_hits == len(tables.tickers) + 2
    # touch one file: only that one is parsed again
    (data / "prices" / "SPY.csv").write_text((data / "prices" / "SPY.csv").read_text() + "\n")
    tables = DataDirSource(data).tables()
    assert tables.parsed == 1


def test_batch_note_equals_the_single_write_note(tmp_path):
    """A batch note (cold cache, warm cache, forked workers) is byte for byte the note `write` gives."""
    data = tmp_path / "data"
    shutil.copytree(SAMPLES, data)
    tickers = ["IJR", "SPY", "GLD"]
    single = {}
    for t in tickers:
        out = tmp_path / f"{t}.md"
        result = CliRunner().invoke(main, ["write", t, "--data", str(data), "--as-of", "2025-10-31", "--window", "1w",
                                           "--format", "md", "--out", str(out)])
        assert result.exit_code == 0, result.output
        single[t] = out.read_text()
    for run, jobs in (("cold", "1"), ("warm", "2")):
        if run == "cold":
            shutil.rmtree(Path(os.environ["NOTEWRITER_CACHE_DIR"]) / "columnar", ignore_errors=True)
        out = tmp_path / run
        result = CliRunner().invoke(main, ["batch", "--data", str(data), "--as-of", "2025-10-31", "--window", "1w",
                                           "--out", str(out), "--formats", "md", "--jobs", jobs])
        assert result.exit_code == 0, result.output
        for t in tickers:
            assert (out / "md" / f"{t}.md").read_text() == single[t], (run, t)


def test_fast_csv_reader_matches_the_careful_one_and_still_names_bad_rows(tmp_path):
    import pandas as pd
    import pytest

    from notewriter.errors import DataError
    from notewriter.sources import local, readers

    for path in sorted((SAMPLES / "prices").glob("*.csv")):
        pd.testing.assert_frame_equal(local.read_prices(path), readers._read_prices_careful(path), check_exact=True)
    source = local.DataDirSource(SAMPLES)
    pd.testing.assert_frame_equal(source._shares_all, source._shares_careful(), check_exact=True)
    pd.testing.assert_frame_equal(source._flows_all, source._flows_careful(), check_exact=True)
    # text the fast reader would take too leniently goes to the careful reader, which names the row
    good = "Date,Open,High,Low,Close,Volume\n2024-01-02,1,1,1,10,100\n2024-01-03,1,1,1,11,100\n"
    for bad, expect in (("2024-01-03,1,1,1,nan,100", "'nan'"), ("2024-01-03,1,1,1,-4,100", "'-4'"),
                        ("2024-13-03,1,1,1,11,100", "'2024-13-03'"), ("2024-01-03,1,1,1,1 1,100", "'1 1'")):
        path = tmp_path / "X.csv"
        path.write_text(good.splitlines()[0] + "\n" + good.splitlines()[1] + "\n" + bad + "\n")
        with pytest.raises(DataError) as err:
            local.read_prices(path)
        assert "row 3" in str(err.value) and expect in str(err.value), str(err.value)
    # padded numbers and thousands separators are read (by the careful reader) just as before
    path = tmp_path / "Y.csv"
    path.write_text("Date,Close,Volume\n 2024-01-02 , 10.5 ,\"1,000\"\n2024-01-02,11,5\n")
    frame = local.read_prices(path)
    assert frame["Close"].tolist() == [11.0] and frame.attrs["duplicates"] == 1


def test_a_batch_that_would_write_nothing_or_ignore_an_option_is_a_usage_error(tmp_path):
    for args in (["--formats", ""], ["--formats", " , "], ["--formats", "md", "--asset-base-url", "https://x.example/"]):
        r = CliRunner().invoke(main, ["batch", "--out", str(tmp_path / "out"), *args])
        assert r.exit_code == 2, (args, r.output)
        assert not (tmp_path / "out" / "current").exists()
