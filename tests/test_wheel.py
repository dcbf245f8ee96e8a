"""A wheel built from the repo, installed in a fresh virtualenv, writes a note from any directory."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT


@pytest.mark.slow
def test_wheel_installs_and_writes_from_elsewhere(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("notewriter-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in ("notewriter/_data/templates/note.md.j2", "notewriter/_data/prompts/system.j2",
                    "notewriter/_data/samples/prices/IJR.csv", "notewriter/_data/samples/shares.csv"):
        assert shipped in names

    # A fresh environment that sees this interpreter's installed libraries but not the source tree:
    # the wheel itself goes in with --no-deps, so the test needs no network.
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False, system_site_packages=False).create(env_dir)
    py = env_dir / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    deps = [p for p in sys.path if p.endswith("site-packages")]
    Path(site, "deps.pth").write_text("\n".join(deps) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", "--target", site,
                    str(wheel)], check=True, capture_output=True)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run([str(py), "-c", "import notewriter; print(notewriter.__file__)"], cwd=elsewhere,
                           check=True, capture_output=True, text=True).stdout
    assert where.startswith(site), f"imported {where} instead of the installed wheel"
    note = subprocess.run([str(py), "-m", "notewriter", "write", "IJR"], cwd=elsewhere, capture_output=True,
                          text=True)
    assert note.returncode == 0, note.stderr
    assert note.stdout.startswith("# IJR:") and "$399.4 million" in note.stdout
