"""The facts stage does no I/O: it gets its tables from the source (`Source.tables`) and never opens a file.

Every module under notewriter/facts/ is parsed with `ast`; a call that reads, writes or lists files, or an
import of a file-handling module or of a file-reading function, fails the test with its file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import notewriter

FACTS = Path(notewriter.__file__).resolve().parent / "facts"

#: modules whose import means the code handles files, processes or the network itself
IO_MODULES = {"os", "io", "pathlib", "glob", "shutil", "tempfile", "pickle", "shelve", "csv", "sqlite3", "pyarrow",
              "fsspec", "h5py", "socket", "urllib", "http", "requests", "subprocess", "yfinance"}
#: methods and functions that read, write or list files, whatever object they are called on
IO_CALLS = {"open", "read", "write", "read_text", "read_bytes", "write_text", "write_bytes", "to_parquet", "to_csv",
            "to_json", "to_pickle", "to_feather", "to_excel", "to_hdf", "to_sql", "tofile", "fromfile", "load",
            "loadtxt", "genfromtxt", "save", "savez", "savetxt", "dump", "listdir", "scandir", "walk", "glob",
            "iglob", "rglob", "iterdir", "exists", "is_file", "is_dir", "stat", "mkdir", "makedirs", "unlink",
            "remove", "rmdir", "touch", "memmap"}
#: name prefixes of file-reading and -writing functions (pd.read_csv, pq.read_table, read_prices, load_tables, ...)
IO_PREFIXES = ("read_", "write_", "load_", "save_", "open_")


def _io_name(name: str) -> bool:
    return name in IO_CALLS or name.startswith(IO_PREFIXES)


def io_uses(source: str, filename: str = "<string>") -> list[str]:
    """Every place in `source` that does I/O or imports what does, as 'file:line: what'."""
    out = []
    for node in ast.walk(ast.parse(source, filename)):
        what = None
        if isinstance(node, ast.Import):
            bad = [a.name for a in node.names if a.name.split(".")[0] in IO_MODULES]
            what = bad and f"import {', '.join(bad)}"
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if not node.level and module.split(".")[0] in IO_MODULES:
                what = f"from {module} import ..."
            else:
                bad = [a.name for a in node.names if _io_name(a.name) or a.name.split(".")[0] in IO_MODULES]
                what = bad and f"from {'.' * node.level}{module} import {', '.join(bad)}"
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and _io_name(func.id):
                what = f"{func.id}(...)"
            elif isinstance(func, ast.Attribute) and _io_name(func.attr):
                what = f".{func.attr}(...)"
        if what:
            out.append(f"{filename}:{node.lineno}: {what}")
    return out


def test_no_module_of_the_facts_stage_does_io():
    modules = sorted(FACTS.rglob("*.py"))
    assert len(modules) >= 5, f"expected the facts modules under {FACTS}"
    found = [use for path in modules for use in io_uses(path.read_text(encoding="utf-8"), str(path.name))]
    assert found == []


@pytest.mark.parametrize("code", [
    "import os",
    "import pyarrow.parquet as pq",
    "from pathlib import Path",
    "from os.path import join",
    "from pandas import read_csv",
    "from ..sources.local import read_prices",
    "from ..sources.columnar import load_data_dir",
    "with open('x.csv') as fh:\n    pass",
    "text = path.read_text()",
    "path.write_bytes(b'')",
    "frame = pd.read_csv(path)",
    "frame = pd.read_parquet(path)",
    "table = pq.read_table(path)",
    "frame.to_parquet(path)",
    "frame.to_csv(path)",
    "names = os.listdir(root)",
    "files = sorted(root.glob('*.csv'))",
    "arr = np.load(path)",
    "info = json.load(fh)",
])
def test_the_detector_finds_io(code):
    assert io_uses(code), code


def test_the_detector_passes_pure_code():
    code = ("import math\nimport numpy as np\nimport pandas as pd\nfrom .. import calendar\n"
            "from ..sources.base import Source\nfrom ..sources.tables import Tables\n"
            "def f(source: Source, tables: Tables):\n"
            "    tb = source.tables()\n"
            "    info = json.loads(text)\n"
            "    return pd.Series(np.arange(3)).replace(0, 1), math.sqrt(2), calendar.sessions()\n")
    assert io_uses(code) == []


def test_a_source_hands_the_facts_the_tables_of_the_tickers_asked_for(market):
    from notewriter.sources.local import DataDirSource

    source = DataDirSource(market)
    whole = source.tables()
    some = sorted(whole.funds)[:2] + [t for t in whole.tickers if t not in whole.funds][:1]
    part = source.tables(some)
    assert part.tickers == sorted(some) and part.funds == sorted(some[:2])
    assert part.price_rows.tickers == [t for t in whole.price_rows.tickers if t in some]
    assert set(part.info) <= set(some)
    for rows, full in ((part.share_rows, whole.share_rows), (part.flow_rows, whole.flow_rows)):
        names = [rows.tickers[c] for c in rows.codes]
        assert set(names) <= set(some)
        assert len(names) == sum(full.tickers[c] in some for c in full.codes if c >= 0)
