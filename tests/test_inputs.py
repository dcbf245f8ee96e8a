"""Validated inputs: a flows CSV value that carries its own unit is not scaled again by the column's unit."""

from __future__ import annotations

import pytest

from notewriter.errors import DataError
from notewriter.sources import importers, vendor_files


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
