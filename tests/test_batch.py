"""Batch over a universe with one corrupt fund: every other note is written, the bad one is in the manifest."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from notewriter.cli import main

from .conftest import SAMPLES


def _universe(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SAMPLES, data, ignore=shutil.ignore_patterns(".notewriter-cache"))
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
        assert row["check"] == {"ok": True, "numbers": row["check"]["numbers"], "unsupported": 0}
        assert (out / row["paths"]["md"]).read_text().startswith(f"# {t}")
        assert json.loads((out / row["paths"]["json"]).read_text())["ticker"] == t
    digest = [r for r in rows if r["kind"] == "digest"][0]
    assert digest["status"] == "ok" and (out / "md" / "digest.md").is_file()
    assert not list(out.rglob("*.tmp"))  # atomic writes leave no temporary files


def test_batch_all_good_exits_0_and_second_run_uses_the_cache(tmp_path):
    from notewriter.facts.store import load_tables
    from notewriter.sources.local import DataDirSource

    data = tmp_path / "data"
    shutil.copytree(SAMPLES, data, ignore=shutil.ignore_patterns(".notewriter-cache"))
    out = tmp_path / "out"
    args = ["batch", "--data", str(data), "--as-of", "2025-10-31", "--out", str(out), "--formats", "txt"]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert all(r["status"] == "ok" for r in _manifest(out))
    tables = load_tables(DataDirSource(data))
    assert tables.parsed == 0 and tables.cache_hits == len(tables.tickers) + 2
    # touch one file: only that one is parsed again
    (data / "prices" / "SPY.csv").write_text((data / "prices" / "SPY.csv").read_text() + "\n")
    tables = load_tables(DataDirSource(data))
    assert tables.parsed == 1
