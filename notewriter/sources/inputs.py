"""The shape of the JSON inputs (fund info, the dataset label) and of holdings rows, checked at the source.

Each file is decoded as UTF-8 first; a file that is not UTF-8 is read in a fallback encoding and the fallback
is said (`ENCODING_WORDS`), never hidden. Values go through pydantic models: a wrong type is a `DataError`
naming the file and the field (`funds/IJR.json: expected text in field 'longName', got 12345`), not a crash
further down. Only the fields notewriter reads are checked; any other field is passed over as it is.
"""

from __future__ import annotations

import codecs
import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Optional

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, TypeAdapter, ValidationError, field_validator

from ..errors import DataError

# how a note names each fallback encoding (no digits: every number in a note must be a fact)
ENCODING_WORDS = {"cp1252": "Windows Western European (ANSI) text", "latin-1": "ISO Western European text",
                  "utf-16": "two-byte Unicode text"}


def decode_text(raw: bytes) -> tuple[str, str | None]:
    """(text, encoding): UTF-8 (a BOM is dropped) gives None; otherwise UTF-16 by its BOM, then cp1252,
    then latin-1 (which decodes any bytes)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    body = raw[3:] if raw.startswith(codecs.BOM_UTF8) else raw
    try:
        return body.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        return body.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return body.decode("latin-1"), "latin-1"


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataError(path, f"the file cannot be read ({exc.strerror or exc})") from None


def encoding_note(name: str, encoding: str | None) -> str | None:
    """The data-quality sentence for a file read in a fallback encoding (None for UTF-8)."""
    if encoding is None:
        return None
    return f"{name} is not Unicode text as expected, so it was read as {ENCODING_WORDS[encoding]}"


# ---- models -----------------------------------------------------------------------------------------

Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Text = Optional[StrictStr]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class TopHolding(_Open):
    symbol: Text = None
    name: Text = None
    weight: Optional[Number] = None


class FundInfo(_Open):
    """The fields of funds/<TICKER>.json that notes use; null is the same as absent."""

    longName: Text = None
    shortName: Text = None
    category: Text = None
    fundFamily: Text = None
    expenseRatio: Optional[Number] = None
    totalAssets: Optional[Number] = None
    topHoldings: Optional[list[TopHolding]] = None
    sectorWeightings: Optional[dict[str, Optional[Number]]] = None
    fetchedAt: Text = None

    @field_validator("fetchedAt")
    @classmethod
    def _iso(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                date.fromisoformat(v[:10])
            except ValueError:
                raise ValueError("an ISO date and time such as 2026-04-02T21:00:00") from None
        return v


class DatasetMeta(_Open):
    label: Text = None
    synthetic: Optional[StrictBool] = None


class HoldingRow(BaseModel):
    """One row of a holdings file as parsed (blank numbers are NaN; infinities are refused)."""

    ticker: Text = None
    name: StrictStr
    sector: StrictStr
    asset_class: StrictStr
    market_value: Annotated[float, Field(strict=True)]
    weight: Annotated[float, Field(strict=True)]
    quantity: Annotated[float, Field(strict=True)]
    price: Annotated[float, Field(strict=True)]

    @field_validator("market_value", "weight", "quantity", "price")
    @classmethod
    def _not_infinite(cls, v: float) -> float:
        if v in (float("inf"), float("-inf")):
            raise ValueError("a finite number")
        return v


_HOLDING_ROWS = TypeAdapter(list[HoldingRow])

_WHAT = {"string_type": "text", "float_type": "a number", "int_type": "a number", "finite_number": "a finite number",
         "bool_type": "true or false", "dict_type": "an object", "model_type": "an object", "list_type": "a list",
         "missing": "a value"}


def _field(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _shown(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def problem(err: ValidationError, fields: dict[str, str] | None = None) -> tuple[str, list[tuple]]:
    """'expected text in field 'longName', got 12345' for the first problem, and the locations of all."""
    errors = err.errors(include_url=False)
    first = errors[0]
    if first["type"] == "value_error":
        what = re.sub(r"^Value error, ", "", first["msg"])
    else:
        what = _WHAT.get(first["type"], first["msg"].lower())
    loc = tuple(first["loc"])
    name = _field(loc)
    if fields is not None:
        name = fields.get(str(loc[-1]), name) if loc else name
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return f"expected {what} in field {name!r}, got {_shown(first['input'])}{more}", [tuple(e["loc"]) for e in errors]


class FundInfoError(DataError):
    """A funds/<TICKER>.json that cannot be used; `identity` keeps the name and category that did check out,
    so the funds beside it can still say which peer is missing."""

    def __init__(self, path, message: str, row: int | None = None, identity: dict | None = None):
        super().__init__(path, message, row=row)
        self.identity = dict(identity or {})


def _load_json(path: Path, what: str) -> tuple[Any, str | None]:
    text, encoding = decode_text(read_bytes(path))
    if not text.strip():
        raise DataError(path, f"the file is empty; expected {what}")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(path, f"expected {what} ({exc.msg})", row=exc.lineno) from None
    lone = _LONE_SURROGATE.search(text)
    if lone is not None:  # valid JSON, but no text: it cannot be written, shown or cached
        raise DataError(path, f"{lone.group(0)} is half of a surrogate pair, not a character; expected {what} "
                        "of text", row=text.count("\n", 0, lone.start()) + 1)
    return value, encoding


# A \uD800-\uDBFF escape not followed by a \uDC00-\uDFFF one, or one of those without the first before it.
_LONE_SURROGATE = re.compile(r"(?i)\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f][0-9a-f]{2})"
                             r"|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}")


def read_fund_info_file(path: Path) -> tuple[dict | None, str | None]:
    """(info, encoding) of one funds/<TICKER>.json, checked; (None, None) when there is no such file."""
    if not path.is_file():
        return None, None
    info, encoding = _load_json(path, "a JSON object")
    if not isinstance(info, dict):
        raise FundInfoError(path, "expected a JSON object with fund fields such as longName and topHoldings")
    try:
        FundInfo.model_validate(info)
    except ValidationError as exc:
        message, locs = problem(exc)
        bad = {loc[0] for loc in locs if loc}
        identity = {k: info[k] for k in ("longName", "shortName", "category")
                    if k not in bad and isinstance(info.get(k), str)}
        raise FundInfoError(path, message, identity=identity) from None
    return info, encoding


def read_dataset_meta(path: Path) -> tuple[dict, str | None]:
    """(meta, encoding) of dataset.json, checked; ({}, None) when there is none."""
    if not path.is_file():
        return {}, None
    meta, encoding = _load_json(path, 'a JSON object like {"label": "...", "synthetic": false}')
    if not isinstance(meta, dict):
        raise DataError(path, 'expected a JSON object like {"label": "...", "synthetic": false}, '
                              f"got {_shown(meta)}")
    try:
        DatasetMeta.model_validate(meta)
    except ValidationError as exc:
        raise DataError(path, problem(exc)[0]) from None
    return meta, encoding


def check_holdings(path: Path, records: list[dict], lines: list[int], columns: dict[str, str],
                   cells: list[dict[str, str]]) -> None:
    """Holdings rows through `HoldingRow`; the first bad one names its file line, its column and the cell."""
    try:
        _HOLDING_ROWS.validate_python(records)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        k, field = first["loc"][0], str(first["loc"][-1])
        what = re.sub(r"^Value error, ", "", first["msg"]) if first["type"] == "value_error" else \
            _WHAT.get(first["type"], first["msg"].lower())
        raise DataError(path, f"expected {what} in column {columns.get(field, field)!r}, got "
                              f"{cells[k].get(field, '')!r}", row=lines[k]) from None


__all__ = ["DatasetMeta", "ENCODING_WORDS", "FundInfo", "FundInfoError", "HoldingRow", "check_holdings",
           "decode_text", "encoding_note", "problem", "read_dataset_meta", "read_fund_info_file"]
