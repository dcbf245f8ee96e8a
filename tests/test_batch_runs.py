"""Unattended batches: only what passed is written, a run is published whole or not at all, one batch at a
time per folder, and an interrupted batch leaves the previous run in place.

The fault-injection test kills real `notewriter batch` processes (SIGINT and SIGKILL, one and two workers,
at several moments) over the bundled samples.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from notewriter.cli import main
from notewriter.runs import RunFolder

from .conftest import SAMPLES

FORMATS = "md,json,txt"


def _cli(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stderr


def _manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]


def _published(out: Path) -> dict[str, bytes]:
    """Every file of the run readers see, by its path in the run."""
    run = (out / "current").resolve()
    return {str(p.relative_to(run)): p.read_bytes() for p in sorted(run.rglob("*")) if p.is_file()}


def _assert_consistent(out: Path) -> None:
    """The published folder is one complete run: the manifest lists exactly its files, with their hashes."""
    files = _published(out)
    rows = [json.loads(line) for line in files.pop("manifest.jsonl").decode().splitlines()]
    listed = {}
    for row in rows:
        for fmt, path in row["paths"].items():
            listed[path] = row["sha256"][fmt]
    assert set(listed) == set(files), (sorted(set(listed) ^ set(files)))[:5]
    for path, digest in listed.items():
        assert hashlib.sha256(files[path]).hexdigest() == digest, path
    assert len({r["as_of"] for r in rows if "as_of" in r}) == 1
    assert not [p for p in files if p.endswith(".tmp")]


# ---- only what passed is written ----------------------------------------------------------------------


def test_a_digest_that_fails_its_check_is_not_written(tmp_path):
    """The finding: with an override adding an invented figure, the run exited 1 but md/digest.md held it."""
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    shipped = (SAMPLES.parent / "templates" / "digest_contrarian_angle.md.j2").read_text()
    (tpl / "digest_contrarian_angle.md.j2").write_text(shipped + "\nAnalysts expect $987.6 million more next week.\n")
    out = tmp_path / "out"
    code, err = _cli("batch", "--out", str(out), "--formats", "md,json", "--templates", str(tpl))
    assert code == 1 and "the digest failed" in err and "'$987.6 million'" in err
    digest = next(r for r in _manifest(out) if r["kind"] == "digest")
    assert digest["status"] == "failed" and digest["paths"] == {}
    assert not (out / "md" / "digest.md").exists() and not (out / "json" / "digest.json").exists()
    assert all("987.6" not in p.read_text() for p in (out / "md").iterdir())
    _assert_consistent(out)


def test_a_fund_that_fails_on_a_rerun_does_not_keep_the_previous_note(tmp_path):
    out = tmp_path / "out"
    assert _cli("batch", "--out", str(out), "--formats", "md")[0] == 0
    assert (out / "md" / "IJR.md").is_file()
    tpl = tmp_path / "tpl" / "sections"
    tpl.mkdir(parents=True)
    shipped = (SAMPLES.parent / "templates" / "sections" / "contrarian_angle.md.j2").read_text()
    (tpl / "contrarian_angle.md.j2").write_text(shipped + "{% if T == 'IJR' %}Analysts expect 42 more.{% endif %}\n")
    code, _ = _cli("batch", "--out", str(out), "--formats", "md", "--templates", str(tmp_path / "tpl"))
    assert code == 1
    assert not (out / "md" / "IJR.md").exists()  # the new run has no IJR note, and only the new run is visible
    assert (out / "md" / "SPY.md").is_file()
    _assert_consistent(out)


def test_a_second_run_with_other_formats_publishes_only_its_own(tmp_path):
    out = tmp_path / "out"
    assert _cli("batch", "--out", str(out), "--formats", "md,json")[0] == 0
    assert _cli("batch", "--out", str(out), "--formats", "txt")[0] == 0
    assert (out / "txt" / "SPY.txt").is_file()
    assert not (out / "md").exists() and not (out / "json").exists()
    _assert_consistent(out)
    assert len(list((out / ".runs").iterdir())) <= 2  # this run and the one before it, nothing older


# ---- one batch at a time ------------------------------------------------------------------------------------


def test_a_second_batch_on_a_held_folder_exits_2_naming_the_holder(tmp_path):
    out = tmp_path / "out"
    with RunFolder(out):
        code, err = _cli("batch", "--out", str(out), "--formats", "md")
    assert code == 2
    assert "another batch is writing to" in err and f"pid {os.getpid()}" in err
    assert not (out / "current").exists()


def test_an_out_folder_that_cannot_be_made_is_a_usage_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, err = _cli("batch", "--out", str(blocker / "notes"), "--formats", "md")
    assert code == 2 and "cannot write to --out" in err and "internal error" not in err
    assert len(err.strip().splitlines()) == 1


# ---- faults: kill a batch at several moments ------------------------------------------------------------------


def _start(out: Path, jobs: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "notewriter", "batch", "--out", str(out), "--formats", FORMATS,
                             "--jobs", str(jobs)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _env(tmp_path: Path) -> dict:
    return {**os.environ, "NOTEWRITER_CACHE_DIR": str(tmp_path / "cache"), "PYTHONHASHSEED": "0"}


def _staged_files(out: Path) -> set[str]:
    runs = out / ".runs"
    return {str(p.relative_to(runs)) for p in runs.rglob("*")} if runs.is_dir() else set()


def test_a_killed_batch_leaves_the_previous_run_whole_and_a_rerun_matches(tmp_path):
    env = _env(tmp_path)
    reference = tmp_path / "reference"
    assert subprocess.run([sys.executable, "-m", "notewriter", "batch", "--out", str(reference), "--formats", FORMATS],
                          env=env, capture_output=True).returncode == 0
    expected = _published(reference)
    out = tmp_path / "out"
    shutil.copytree(reference, out, symlinks=True)
    t0 = time.perf_counter()
    assert subprocess.run([sys.executable, "-m", "notewriter", "batch", "--out", str(out), "--formats", FORMATS],
                          env=env, capture_output=True).returncode == 0
    whole = time.perf_counter() - t0
    killed = 0
    for sig in (signal.SIGINT, signal.SIGKILL):
        for jobs in (1, 2):
            for share in (0.45, 0.8):  # start-up or the first notes; the last notes, the digest and the swap
                proc = _start(out, jobs, env)
                time.sleep(whole * share)
                proc.send_signal(sig)
                proc.wait(timeout=60)
                killed += proc.returncode != 0
                if sig == signal.SIGKILL:  # workers die with their parent: nothing more is written
                    before = _staged_files(out)
                    time.sleep(0.5)
                    assert _staged_files(out) == before, (jobs, share)
                else:
                    # 130 from the CLI; -SIGINT when the signal lands while Python is still importing
                    assert proc.returncode in (0, 130, -signal.SIGINT), proc.stderr.read()
                # readers see one complete run: the previous one, or the new one if it got that far
                _assert_consistent(out)
                assert _published(out) == expected
    assert killed >= 4  # most kills landed before the run completed
    assert subprocess.run([sys.executable, "-m", "notewriter", "batch", "--out", str(out), "--formats", FORMATS],
                          env=env, capture_output=True).returncode == 0
    assert _published(out) == expected
    assert len(list((out / ".runs").iterdir())) <= 2  # what the killed runs left is gone


def test_two_batches_at_once_never_interleave(tmp_path):
    env = _env(tmp_path)
    out = tmp_path / "out"
    procs = [_start(out, 1, env) for _ in range(2)]
    codes = [p.wait(timeout=120) for p in procs]
    errs = [p.stderr.read().decode() for p in procs]
    assert 0 in codes and set(codes) <= {0, 2}, (codes, errs)
    for code, err in zip(codes, errs):
        if code == 2:
            assert "another batch is writing to" in err
    _assert_consistent(out)


def test_published_files_get_the_mode_the_umask_gives(tmp_path):
    out = tmp_path / "out"
    old = os.umask(0o022)
    try:
        assert _cli("batch", "--out", str(out), "--formats", "md")[0] == 0
    finally:
        os.umask(old)
    modes = {oct(p.stat().st_mode & 0o777) for p in (out / "current").resolve().rglob("*") if p.is_file()}
    assert modes == {oct(0o644)}
