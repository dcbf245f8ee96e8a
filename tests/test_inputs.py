"""Validated inputs: fund info, the dataset label and holdings are checked where they are read.

A wrong type is exit 2 naming the file and the field, never a crash (exit 3) further down nor a value quietly
turned into something else; in a batch the fund with the bad file fails alone and the digest is written. A
file that is not UTF-8 is read in a fallback encoding and the note says so. A flows CSV value that carries its
own unit is not scaled again by the column's unit.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from notewriter.cli import main
from notewriter.errors import DataError
from notewriter.pipeline import fund_facts, open_source, write_note
from notewriter.sources import importers, vendor_files

from .conftest import SAMPLES

AS_OF = "2025-10-31"


@pytest.fixture
def data(tmp_path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(SAMPLES, root)
    return root


def _edit_info(root: Path, ticker: str, **fields) -> Path:
    path = root / "funds" / f"{ticker}.json"
    info = json.loads(path.read_text(encoding="utf-8"))
    info.update(fields)
    path.write_text(json.dumps(info), encoding="utf-8")
    return path


def _write(root: Path, ticker: str):
    return CliRunner().invoke(main, ["write", ticker, "--data", str(root), "--as-of", AS_OF, "--window", "1w"])


@pytest.mark.parametrize("field, value, expected", [
    ("sectorWeightings", [0.2, 0.3], "expected an object in field 'sectorWeightings', got [0.2, 0.3]"),
    ("category", {"name": "Small Blend"}, "expected text in field 'category', got {\"name\": \"Small Blend\"}"),
    ("longName", 12345, "expected text in field 'longName', got 12345"),
    ("totalAssets", "66.5B", "expected a number in field 'totalAssets', got \"66.5B\""),
    ("topHoldings", [{"symbol": "JXN", "weight": "0.6%"}],
     "expected a number in field 'topHoldings[0].weight', got \"0.6%\""),
    ("fetchedAt", "last Tuesday", "expected an ISO date and time such as 2026-04-02T21:00:00 in field 'fetchedAt'"),
])
def test_a_wrong_type_in_fund_info_is_exit_2_naming_file_and_field(data, field, value, expected):
    path = _edit_info(data, "IJR", **{field: value})
    result = _write(data, "IJR")
    assert result.exit_code == 2, result.output
    assert result.output == f"notewriter: {path}: {expected}" + result.output.split(expected, 1)[1]
    assert result.output.count("\n") == 1 and "internal error" not in result.output


def test_in_a_batch_a_bad_info_file_fails_its_fund_alone_and_the_digest_is_written(data, tmp_path):
    _edit_info(data, "SPY", category={"name": "Large Blend"})
    _edit_info(data, "IJR", sectorWeightings=[0.2])
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", "--data", str(data), "--as-of", AS_OF, "--window", "1w",
                                       "--out", str(out), "--formats", "md"])
    assert result.exit_code == 1, result.output
    rows = {r["ticker"]: r for r in map(json.loads, (out / "manifest.jsonl").read_text().splitlines())}
    assert {t for t, r in rows.items() if r["status"] != "ok"} == {"SPY", "IJR"}
    assert "funds/SPY.json: expected text in field 'category'" in rows["SPY"]["error"]
    assert rows["DIGEST"]["status"] == "ok" and (out / "md" / "digest.md").is_file()


def test_a_refused_funds_category_still_names_it_to_its_peers(data):
    _edit_info(data, "IWM", sectorWeightings="lots")  # its name and category are fine
    facts = fund_facts("IJR", AS_OF, "1w", open_source(data))
    flag = next(q for q in facts.quality if q.code == "peer_unreadable")
    assert flag.message == "IWM's data could not be read (funds/IWM.json), so it is left out of the peers"


@pytest.mark.parametrize("meta, expected", [
    ({"label": "vendor feed", "synthetic": "false"}, "expected true or false in field 'synthetic', got \"false\""),
    ({"label": 7}, "expected text in field 'label', got 7"),
    (["vendor feed"], 'expected a JSON object like {"label": "...", "synthetic": false}, got ["vendor feed"]'),
])
def test_a_wrong_type_in_dataset_json_is_exit_2(data, meta, expected):
    (data / "dataset.json").write_text(json.dumps(meta))
    result = _write(data, "IJR")
    assert result.exit_code == 2 and result.output == f"notewriter: {data / 'dataset.json'}: {expected}\n"


def test_latin_1_fund_info_and_dataset_label_are_read_and_said(data):
    path = data / "funds" / "IJR.json"
    info = json.loads(path.read_text(encoding="utf-8"))
    info["longName"] = "iShares Core S&P Small-Cap ETF (Société)"
    path.write_bytes(json.dumps(info, ensure_ascii=False).encode("latin-1"))
    (data / "dataset.json").write_bytes('{"label": "données de test", "synthetic": true}'.encode("latin-1"))
    facts = fund_facts("IJR", AS_OF, "1w", open_source(data))
    assert facts.identity.name == "iShares Core S&P Small-Cap ETF (Société)" and facts.data_label == "données de test"
    said = [q.message for q in facts.quality if q.code == "file_encoding"]
    assert said == ["funds/IJR.json is not Unicode text as expected, so it was read as Windows Western European "
                    "(ANSI) text",
                    "dataset.json is not Unicode text as expected, so it was read as Windows Western European (ANSI) "
                    "text"]
    result = _write(data, "IJR")
    assert result.exit_code == 0, result.output
    assert "données de test" in result.output and "was read as Windows Western European" in result.output


# ---- holdings ---------------------------------------------------------------------------------------------


def test_an_infinite_holdings_weight_is_refused_naming_row_and_column(data):
    path = data / "holdings" / "IJR.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    i = next(k for k, x in enumerate(lines) if x.startswith('"JXN"'))
    cells = lines[i].split('","')
    cells[5] = "1e309"
    lines[i] = '","'.join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        write_note("IJR", AS_OF, "1w", open_source(data))
    assert str(err.value) == f"{path}, row {i + 1}: expected a finite number in column 'Weight (%)', got '1e309'"


def test_a_cp1252_holdings_file_is_read_and_said(data):
    path = data / "holdings" / "IJR.csv"
    text = path.read_text(encoding="utf-8-sig").replace("JACKSON FINANCIAL INC", "JACKSON FINANCIAL INC \u2013 A")
    path.write_bytes(text.encode("cp1252"))
    facts = fund_facts("IJR", AS_OF, "1w", open_source(data))
    assert any(c.name == "Jackson Financial Inc \u2013 A" for c in facts.components)
    assert "holdings/IJR.csv is not Unicode text as expected, so it was read as Windows Western European (ANSI) " \
           "text" in [q.message for q in facts.quality]


# ---- importing a flows CSV ----------------------------------------------------------------------------------


def test_a_value_with_its_own_unit_is_not_scaled_again_by_the_columns_unit(tmp_path):
    path = tmp_path / "flows.csv"
    path.write_text("Date,Ticker,Net Flows ($M)\n2026-04-01,SPY,1.5B\n2026-04-01,QQQ,250\n2026-04-01,IWM,-$2.1M\n"
                    "2026-04-01,GLD,(750K)\n")
    frame = vendor_files.read_flows_csv(path)
    got = dict(zip(frame["ticker"], frame["flow_usd"]))
    # 1.5B is $1.5 billion, whatever the column's unit; a bare 250 is $250 million by the column's
    assert got == {"SPY": 1.5e9, "QQQ": 250e6, "IWM": -2.1e6, "GLD": -750e3}
    result = importers.import_flows_csv(path, tmp_path / "cache")
    flows = (tmp_path / "cache" / "flows.csv").read_text()
    assert result.rows == 4 and "1500000000.0" in flows and "1500000000000000.0" not in flows


def test_an_infinite_flow_is_refused_at_import(tmp_path):
    path = tmp_path / "flows.csv"
    path.write_text("date,ticker,flow_usd\n2026-04-01,SPY,1\n2026-04-02,SPY,1e309\n")
    with pytest.raises(DataError, match=r"row 3: expected a finite number in column 'flow_usd', got '1e309'"):
        importers.import_flows_csv(path, tmp_path / "cache")


def test_half_a_surrogate_pair_in_a_fund_file_costs_only_that_fund(tmp_path):
    import shutil

    from click.testing import CliRunner

    from notewriter.cli import main

    from .conftest import SAMPLES

    data = tmp_path / "data"
    shutil.copytree(SAMPLES, data)
    path = data / "funds" / "IJR.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"longName": "', '"longName": "Bad \\ud800 ', 1), encoding="utf-8")
    r = CliRunner().invoke(main, ["write", "IJR", "--data", str(data)])
    assert r.exit_code == 2 and "funds/IJR.json" in r.output and "surrogate" in r.output, r.output
    assert CliRunner().invoke(main, ["write", "SPY", "--data", str(data)]).exit_code == 0
    # a proper pair (an emoji written as two escapes) is text
    path.write_text(text.replace('"longName": "', '"longName": "\\ud83d\\ude00 ', 1), encoding="utf-8")
    assert CliRunner().invoke(main, ["write", "IJR", "--data", str(data)]).exit_code == 0
