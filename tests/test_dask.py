"""The batch on Dask writes the same run folder, byte for byte, as the local batch."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from notewriter.batch import run_batch
from notewriter.errors import UsageError
from notewriter.pipeline import open_source

from .conftest import SAMPLES

distributed = pytest.importorskip("dask.distributed", reason="the dask extra is not installed")


def _files(out: Path) -> dict[str, bytes]:
    run = (out / "current").resolve()
    return {str(p.relative_to(run)): p.read_bytes() for p in sorted(run.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def cluster():
    """An in-process cluster of two worker threads: the tasks run as they would on remote workers (the
    arguments and results are serialized), without the seconds it takes to start processes."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as c:
        yield c


def _both(data, as_of, window, formats, tmp_path, scheduler):
    local, dask = tmp_path / "local", tmp_path / "dask"
    a = run_batch(open_source(data), as_of, window, local, formats=formats, jobs=1, progress=False)
    b = run_batch(open_source(data), as_of, window, dask, formats=formats, jobs=2, progress=False,
                  executor="dask", scheduler=scheduler)
    return a, b, _files(local), _files(dask)


def test_samples_on_a_cluster_match_the_local_batch(cluster, tmp_path):
    a, b, local, dask = _both(SAMPLES, "2025-10-31", "1w", ("md", "json", "html", "txt"), tmp_path,
                              cluster.scheduler_address)
    assert a.exit_code == b.exit_code == 0
    assert len([k for k in local if k.startswith("md/")]) == 15  # 14 fund notes and the digest
    assert local.keys() == dask.keys() and local == dask


def test_real_data_matches_too(cluster, tmp_path, market):
    # 2026-04-02, 1d: the Good Friday share-count rows, vendor-only funds and funds without flows
    a, b, local, dask = _both(market, "2026-04-02", "1d", ("md", "json"), tmp_path, cluster.scheduler_address)
    assert a.exit_code == b.exit_code
    assert local == dask and len(local) >= 2 * 19


def test_bad_fund_is_reported_by_the_task_and_the_rest_are_written(cluster, tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(SAMPLES, data)
    path = data / "prices" / "XLF.csv"
    lines = path.read_text().splitlines()
    lines[5] = lines[5].split(",")[0] + ",oops," + ",".join(lines[5].split(",")[2:])
    path.write_text("\n".join(lines) + "\n")
    a, b, local, dask = _both(data, "2025-10-31", "1d", ("md",), tmp_path, cluster.scheduler_address)
    assert a.exit_code == b.exit_code == 1
    assert local == dask and "md/XLF.md" not in dask and "md/IJR.md" in dask
    assert b"prices/XLF.csv, row 6" in dask["manifest.jsonl"]


def test_the_command_starts_its_own_local_cluster(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "notewriter", "batch", "--out", str(out), "--formats", "md",
                           "--executor", "dask", "--jobs", "2"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "14 of 14 notes written" in proc.stderr
    assert len(list((out / "current" / "md").glob("*.md"))) == 15


def test_an_unreachable_scheduler_is_a_usage_error(tmp_path):
    with socket.socket() as s:  # a port on this machine that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(UsageError, match="cannot reach the Dask scheduler"):
        run_batch(open_source(SAMPLES), "2025-10-31", "1d", tmp_path / "out", formats=("md",), progress=False,
                  executor="dask", scheduler=f"tcp://127.0.0.1:{port}")
    assert not (tmp_path / "out" / "current").exists()


def _server(reply: bytes):
    """A server on this machine that answers every connection with `reply` (or, with b"", says nothing) and
    keeps it open: not a scheduler."""
    import threading

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    conns = []

    def serve():
        while True:
            try:
                c, _ = srv.accept()
            except OSError:
                return
            conns.append(c)
            if reply:
                try:
                    c.sendall(reply)
                except OSError:
                    pass

    threading.Thread(target=serve, daemon=True).start()
    return srv, conns


@pytest.mark.parametrize("reply", [b"HTTP/1.0 400 Bad Request\r\n\r\n" + b"\xff" * 64, b""])
def test_something_that_is_no_scheduler_is_a_usage_error_in_bounded_time(tmp_path, reply):
    import time

    srv, conns = _server(reply)
    try:
        t = time.monotonic()
        with pytest.raises(UsageError, match="cannot reach the Dask scheduler"):
            run_batch(open_source(SAMPLES), "2025-10-31", "1d", tmp_path / "out", formats=("md",), progress=False,
                      executor="dask", scheduler=f"tcp://127.0.0.1:{srv.getsockname()[1]}")
        assert time.monotonic() - t < 40
    finally:
        srv.close()
        for c in conns:
            c.close()


@pytest.mark.parametrize("args", [["--executor", "dask", "--scheduler", "notaurl"], ["--scheduler", "tcp://x:1"]])
def test_scheduler_misuse_is_exit_2(tmp_path, args):
    from click.testing import CliRunner

    from notewriter.cli import main

    r = CliRunner().invoke(main, ["batch", "--out", str(tmp_path / "out"), *args])
    assert r.exit_code == 2 and "--scheduler" in r.output, r.output
