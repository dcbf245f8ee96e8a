"""Careful CSV reading: every row with its file line, and every malformed row named, never dropped unseen.

`read_rows` reads one file as string columns. A plain file (each row on one line) is split by pyarrow; one
with quoted line breaks by Python's csv module; both give the same rows and the same line numbers. A row with
more or fewer fields than the header row, or with NUL bytes, is set aside in `Rows.bad` with its line and
what was expected. `numbers` and `dates` parse a column and say which cells are not what the column holds.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError
from .inputs import decode_text, read_bytes

NUL = "\x00"
_NUMBER = r"^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity)$"
_ISO_PREFIX = r"^(1[7-9]|2[01])\d\d-\d\d-\d\d$"
NUL_BYTES = "text, found NUL bytes (the file may be damaged)"


@dataclass
class Rows:
    path: Path
    header: list[str]
    columns: dict              # header name -> pyarrow string array (null: blank); the first column of a name
    lines: np.ndarray          # int64: the file line of each row of `columns`
    bad: list[tuple[int, list[str], str]]  # (line, cells, what was expected): rows left out of `columns`
    encoding: str | None       # None: UTF-8; else the encoding the file was read in

    def __len__(self) -> int:
        return len(self.lines)

    def column(self, name: str):
        import pyarrow as pa

        return self.columns.get(name, pa.nulls(len(self.lines), pa.string()))


def _shape(cells: list[str], n: int) -> str | None:
    """What is wrong with a row of `cells` under a header of `n` names (None: nothing)."""
    if any(NUL in c for c in cells):
        return "expected " + NUL_BYTES
    if len(cells) != n:
        return f"expected as many fields as the header row, got {len(cells)} where the header has {n}"
    return None


def read_rows(path: Path) -> Rows:
    """Every row of one CSV file (blank lines and rows of empty cells are skipped: they hold nothing)."""
    raw = read_bytes(path)
    text, encoding = decode_text(raw)
    if not text.strip():
        raise DataError(path, "the file is empty; expected a header row")
    try:
        header = next(csv.reader(io.StringIO(text.split("\n", 1)[0].rstrip("\r"))))
    except (csv.Error, StopIteration):
        header = []
    plain = '"' not in text and "\r" not in text.replace("\r\n", "\n")
    if header and plain:
        rows = _arrow_rows(path, text if encoding else (raw[3:] if raw[:3] == b"\xef\xbb\xbf" else raw), header)
        if rows is not None:
            rows.encoding = encoding
            return rows
    return _python_rows(path, text, encoding)


def _arrow_rows(path: Path, data, header: list[str]) -> Rows | None:
    """pyarrow's split of a file whose rows are one line each (None: it cannot say which line a row is on)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    if isinstance(data, str):
        data = data.encode("utf-8")
    invalid: list[tuple[int, str]] = []

    def skip(row):
        invalid.append((row.number, row.text))
        return "skip"

    names = [f"c{i}" for i in range(len(header))]
    try:
        table = pacsv.read_csv(pa.BufferReader(data), read_options=pacsv.ReadOptions(
            column_names=names, skip_rows=1, use_threads=True, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(ignore_empty_lines=False, invalid_row_handler=skip),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in names}, null_values=[""],
                                                 strings_can_be_null=True, quoted_strings_can_be_null=True))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if any(n is None for n, _ in invalid):  # pyarrow cannot tell the line of a malformed row
        return None
    n_lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if table.num_rows + len(invalid) != n_lines - 1:
        return None
    bad_lines = np.array(sorted(n for n, _ in invalid), dtype=np.int64)
    lines = np.setdiff1d(np.arange(2, n_lines + 1, dtype=np.int64), bad_lines, assume_unique=True)
    cols = [table.column(c).combine_chunks() for c in names]
    keep = np.zeros(table.num_rows, dtype=bool)
    for col in cols:
        keep |= pc.fill_null(pc.utf8_length(pc.utf8_trim_whitespace(col)), 0).to_numpy(zero_copy_only=False) > 0
    split = [(n, next(csv.reader([t]), [])) for n, t in invalid]
    bad = [(n, cells, "") for n, cells in split if any(c.strip() for c in cells)]
    if b"\x00" in data:
        nul = np.zeros(table.num_rows, dtype=bool)
        for col in cols:
            nul |= pc.fill_null(pc.match_substring(col, NUL), False).to_numpy(zero_copy_only=False)
        for i in np.flatnonzero(nul):
            bad.append((int(lines[i]), [c[i].as_py() or "" for c in cols], ""))
        keep &= ~nul
    bad = sorted((n, cells, _shape(cells, len(header)) or "expected " + NUL_BYTES) for n, cells, _ in bad)
    idx = pa.array(np.flatnonzero(keep))
    columns: dict = {}
    for name, col in zip(header, cols):
        columns.setdefault(name, col.take(idx))
    return Rows(path, header, columns, lines[keep], bad, None)


def _python_rows(path: Path, text: str, encoding: str | None) -> Rows:
    import pyarrow as pa

    reader = csv.reader(io.StringIO(text, newline=None))
    try:
        header = next(reader)
    except csv.Error as exc:
        raise DataError(path, f"not a readable CSV file ({exc})", row=1) from None
    n = len(header)
    cells_by_col: list[list] = [[] for _ in range(n)]
    lines: list[int] = []
    bad: list[tuple[int, list[str], str]] = []
    prev = reader.line_num
    try:
        for rec in reader:
            start, prev = prev + 1, reader.line_num
            if not any(c.strip() for c in rec):
                continue
            wrong = _shape(rec, n)
            if wrong:
                bad.append((start, rec, wrong))
                continue
            lines.append(start)
            for col, c in zip(cells_by_col, rec):
                col.append(c if c != "" else None)
    except csv.Error as exc:
        raise DataError(path, f"not a readable CSV file ({exc})", row=reader.line_num) from None
    columns: dict = {}
    for name, col in zip(header, cells_by_col):
        columns.setdefault(name, pa.array(col, type=pa.string()))
    return Rows(path, header, columns, np.array(lines, dtype=np.int64), bad, encoding)


# ---- cells -----------------------------------------------------------------------------------------------


def numbers(col) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, blank, bad) of a string column: floats (NaN where blank or bad); thousands separators and
    padding are tolerated; 'inf' is read (the caller decides whether an infinity may stand)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.replace_substring(pc.utf8_trim_whitespace(col), ",", "")
    blank = pc.fill_null(pc.utf8_length(text), 0).to_numpy(zero_copy_only=False) == 0
    ok = pc.fill_null(pc.match_substring_regex(text, _NUMBER, ignore_case=True), False)
    good = pc.if_else(ok, text, pa.scalar(None, pa.string()))
    try:
        values = pc.cast(good, pa.float64()).to_numpy(zero_copy_only=False).astype(float)
    except pa.ArrowInvalid:  # a form the pattern lets through and the cast does not: one cell at a time
        values = np.array([_float(v) for v in good.to_pylist()])
    bad = ~blank & np.isnan(values)
    return values, blank, bad


def _float(v) -> float:
    try:
        return float(v) if v is not None else np.nan
    except ValueError:
        return np.nan


def dates(col) -> tuple[np.ndarray, np.ndarray]:
    """(datetime64[ns], bad) of a string column of ISO dates (a time or zone suffix is tolerated); a blank
    date is bad too."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.utf8_slice_codeunits(pc.utf8_trim_whitespace(col), 0, 10)
    ok = pc.fill_null(pc.match_substring_regex(text, _ISO_PREFIX), False)
    good = pc.if_else(ok, text, pa.scalar(None, pa.string()))
    parsed = pc.strptime(good, format="%Y-%m-%d", unit="ns", error_is_null=True)
    days = parsed.to_numpy(zero_copy_only=False).astype("datetime64[ns]")
    return days, np.isnat(days)


def cell(col, i: int) -> str:
    v = col[int(i)].as_py()
    return "" if v is None else v


def first_problems(problems: list[tuple[int, str, str | None]]) -> dict[str | None, tuple[int, str, int]]:
    """Per key (a ticker, or None for rows that name none): (line, message, how many rows) of its first
    malformed row; `problems` are (line, message, key)."""
    out: dict[str | None, tuple[int, str, int]] = {}
    for line, message, key in sorted(problems, key=lambda p: p[0]):
        if key in out:
            first = out[key]
            out[key] = (first[0], first[1], first[2] + 1)
        else:
            out[key] = (line, message, 1)
    return out


def more(n: int) -> str:
    return f" (and {n - 1} more malformed row(s))" if n > 1 else ""
