"""The fast JSON writer gives the standard library's text byte for byte (the documents' JSON is a published
format: a change of spelling would change every note's bytes)."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from notewriter.jsontext import dumps_indented

GOLDEN = Path(__file__).parent / "golden"


def _std(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def test_spellings_where_orjson_differs_from_python():
    # written by hand from Python's float repr: scientific below 1e-4 and from 1e16 on
    assert dumps_indented([5e-05, 1e-4, 1e16, 9999999999999998.0, -1.5e-7]) == \
        "[\n  5e-05,\n  0.0001,\n  1e+16,\n  9999999999999998.0,\n  -1.5e-07\n]"
    assert dumps_indented({"a": float("nan"), "b": float("inf"), "c": -float("inf")}) == \
        '{\n  "a": NaN,\n  "b": Infinity,\n  "c": -Infinity\n}'
    assert dumps_indented({"é": "ü – \u2028 \x01", "empty": [], "none": {}}) == \
        '{\n  "é": "ü – \u2028 \\u0001",\n  "empty": [],\n  "none": {}\n}'


def test_what_orjson_refuses_is_still_written():
    assert dumps_indented({1: 2**70}) == _std({1: 2**70})


def test_every_golden_document_is_rewritten_byte_for_byte():
    files = sorted(p for p in GOLDEN.rglob("*.json") if p.name != "cases.json")
    assert len(files) >= 20
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert dumps_indented(json.loads(text)) + "\n" == text, path


_scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text() | \
    st.floats(allow_nan=True, allow_infinity=True)
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) |
                       st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)


@settings(max_examples=400, deadline=None)
@given(_values)
def test_any_json_value_is_written_as_the_standard_library_writes_it(value):
    assert dumps_indented(value) == _std(value)
