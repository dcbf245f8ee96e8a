"""Scoring on constructed prices whose right answers are known by hand."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from notewriter.cli import main
from notewriter.sources.local import DataDirSource
from notewriter.track import stats
from notewriter.track.calls import Call
from notewriter.track.prices import PriceBook
from notewriter.track.score import outcomes, summary
from notewriter.track.store import TrackStore

from .conftest import sessions

DAYS = sessions("2024-01-02", "2024-06-28")


def _prices(root, ticker, close, open_):
    (root / "prices").mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"Date": [d.date().isoformat() for d in DAYS], "Open": open_, "High": np.maximum(open_, close) * 1.01,
                  "Low": np.minimum(open_, close) * 0.99, "Close": close, "Volume": 1_000_000}).to_csv(
        root / "prices" / f"{ticker}.csv", index=False)


@pytest.fixture
def universe(tmp_path):
    """UP rises 1% a session and REV falls 1% a session; each opens 0.2% below its close; SPY is flat at 100."""
    k = np.arange(len(DAYS))
    up = 100 * 1.01 ** k
    down = 100 * 0.99 ** k
    _prices(tmp_path, "UP", up, up / 1.002)
    _prices(tmp_path, "DOWN", down, down / 1.002)
    _prices(tmp_path, "SPY", np.full(len(DAYS), 100.0), np.full(len(DAYS), 100.0))
    return tmp_path


def _calls(ticker):
    """Five contrarian calls after outflows (the price should rise), ten sessions apart from the 2nd session."""
    return [Call(ticker=ticker, category="Test", as_of=DAYS[1 + 10 * i].date(), window="1w", call_type="contrarian",
                 direction="up", label="contrarian", flow_usd=-5e8, benchmark="SPY", entry="next_open")
            for i in range(5)]


def test_wilson_interval_matches_hand_computation():
    # Wilson (1927) with z = 1.96: n=5, k=5 -> (0.566, 1); n=5, k=0 -> (0, 0.434); n=10, k=7 -> (0.397, 0.892)
    low, high = stats.wilson(5, 5)
    assert round(low, 3) == 0.566 and high == 1.0
    low, high = stats.wilson(0, 5)
    assert low == 0.0 and round(high, 3) == 0.434
    low, high = stats.wilson(7, 10)
    assert (round(low, 3), round(high, 3)) == (0.397, 0.892)
    assert stats.wilson(0, 0) is None


def test_binomial_test_and_t_statistic_by_hand():
    assert stats.binom_p(5, 5) == pytest.approx(2 * 0.5 ** 5)      # both tails of 5 of 5
    assert stats.binom_p(4, 5) == pytest.approx(2 * 6 * 0.5 ** 5)   # P(X>=4) + P(X<=1) = 12/32
    # mean 2, sample sd 1 (values 1, 2, 3), n = 3: t = 2 / (1 / sqrt 3)
    assert stats.t_stat([1.0, 2.0, 3.0]) == pytest.approx(2 * math.sqrt(3))
    assert stats.t_stat([1.0]) is None and stats.t_stat([2.0, 2.0]) is None


def test_a_fund_that_always_reverts_and_one_that_never_does(universe, tmp_path):
    with TrackStore(tmp_path / "track.sqlite") as store:
        store.put_calls(_calls("UP") + _calls("DOWN"), "test")
        book = PriceBook(DataDirSource(universe), DAYS[-1].date())
        items, pending = outcomes(store.calls(), book, DAYS[-1].date())
    assert pending == 0
    for ticker, hits, low, high in (("UP", 5, 0.566, 1.0), ("DOWN", 0, 0.0, 0.434)):
        s = summary([o for o in items if o.call.ticker == ticker and o.horizon == 5])
        assert (s["calls"], s["independent"], s["overlapping"], s["directional"], s["hits"]) == (5, 5, 0, 5, hits)
        assert s["hit_rate"] == hits / 5
        assert (round(s["wilson_low"], 3), round(s["wilson_high"], 3)) == (low, high)
        assert s["p_value"] == pytest.approx(0.0625)
        # entry at the next session's open (0.2% below that close), exit at the close 5 sessions after the call:
        # four sessions of 1% a session plus the 0.2% gap at the open
        ret = 1.01 ** 4 * 1.002 - 1 if ticker == "UP" else 0.99 ** 4 * 1.002 - 1
        assert s["mean_return"] == pytest.approx(ret) and s["median_return"] == pytest.approx(ret)
        assert s["mean_excess"] == pytest.approx(ret)  # SPY is flat
    # at 21 sessions calls ten sessions apart overlap: the 1st counts (its horizon ends at session 22), the
    # 2nd and 3rd (sessions 11, 21) are inside it, the 4th (session 31) counts, the 5th (41) is inside the 4th's
    s = summary([o for o in items if o.call.ticker == "UP" and o.horizon == 21])
    assert (s["calls"], s["independent"], s["overlapping"], s["hits"]) == (5, 2, 3, 2)


def test_calls_not_yet_due_are_pending(universe, tmp_path):
    day = DAYS[30].date()  # the 1st call's 30-session horizon ends on session 31: not due on session 30
    with TrackStore(tmp_path / "track.sqlite") as store:
        store.put_calls(_calls("UP"), "test")
        items, pending = outcomes(store.calls(until=day), PriceBook(DataDirSource(universe), day), day)
    due = {(o.call.as_of, o.horizon) for o in items}
    # calls on sessions 1, 11, 21 (the 4th, on 31, is after the date); horizons ending by session 30
    assert due == {(DAYS[1].date(), 5), (DAYS[1].date(), 10), (DAYS[1].date(), 21), (DAYS[11].date(), 5),
                   (DAYS[11].date(), 10), (DAYS[21].date(), 5)}
    assert pending == 3 * 4 - len(due)


def test_score_command_on_constructed_prices(universe, tmp_path):
    store_path = tmp_path / "track.sqlite"
    with TrackStore(store_path) as store:
        store.put_calls(_calls("UP") + _calls("DOWN"), "test")
        store.set_meta(data=str(universe), benchmark="SPY")
    r = CliRunner().invoke(main, ["track", "score", "--store", str(store_path), "--as-of", "2024-06-28",
                                  "--by", "ticker", "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = {(x["ticker"], x["horizon"]): x for x in json.loads(r.output)["rows"]}
    assert rows[("UP", 5)]["hit_rate"] == 1.0 and rows[("DOWN", 5)]["hit_rate"] == 0.0
    assert rows[("UP", 10)]["hits"] == 5 and rows[("UP", 30)]["independent"] == 2
    md = CliRunner().invoke(main, ["track", "score", "--store", str(store_path), "--as-of", "2024-06-28",
                                   "--by", "ticker"])
    assert md.exit_code == 0
    assert "| UP | 5 | 5 | 5 | 0 | 5 | 5 | 100% | 57%–100% |" in md.output
    assert "nan" not in md.output.lower() and "None" not in md.output
    csv = CliRunner().invoke(main, ["track", "score", "--store", str(store_path), "--as-of", "2024-06-28",
                                    "--format", "csv"])
    assert csv.output.splitlines()[0].startswith("call_type,horizon,calls,")


def test_score_never_reads_a_price_after_its_date(universe, tmp_path):
    """The same record scored from the data cut at D and from the whole data gives the same answer."""
    cut = tmp_path / "cut"
    (cut / "prices").mkdir(parents=True)
    day = DAYS[40]
    for path in (universe / "prices").glob("*.csv"):
        frame = pd.read_csv(path)
        frame[pd.to_datetime(frame["Date"]) <= day].to_csv(cut / "prices" / path.name, index=False)
    store_path = tmp_path / "track.sqlite"
    with TrackStore(store_path) as store:
        store.put_calls(_calls("UP") + _calls("DOWN"), "test")
    outs = []
    for data in (universe, cut):
        r = CliRunner().invoke(main, ["track", "score", "--store", str(store_path), "--as-of", day.date().isoformat(),
                                      "--data", str(data), "--format", "json", "--by", "ticker"])
        assert r.exit_code == 0, r.output
        outs.append(r.output)
    assert outs[0] == outs[1]
    assert json.loads(outs[0])["rows"]  # something was due


def test_score_errors_are_one_line_exit_2(tmp_path, universe):
    r = CliRunner().invoke(main, ["track", "score", "--store", str(tmp_path / "none.sqlite"), "--as-of", "2024-06-28"])
    assert r.exit_code == 2 and "does not exist" in r.output
    store_path = tmp_path / "track.sqlite"
    TrackStore(store_path).close()
    r = CliRunner().invoke(main, ["track", "score", "--store", str(store_path), "--as-of", "2024-06-28",
                                  "--by", "sector"])
    assert r.exit_code == 2 and "--by: unknown group sector" in r.output
    r = CliRunner().invoke(main, ["track", "score", "--store", str(store_path), "--as-of", "June 28"])
    assert r.exit_code == 2 and "--as-of: expected a date YYYY-MM-DD" in r.output
    r = CliRunner().invoke(main, ["track", "score", "--store", str(store_path), "--as-of", "2024-06-28"])
    assert r.exit_code == 2 and "records no data directory" in r.output
    (tmp_path / "junk.sqlite").write_text("not a database, just text " * 40)
    r = CliRunner().invoke(main, ["track", "score", "--store", str(tmp_path / "junk.sqlite"), "--as-of", "2024-06-28"])
    assert r.exit_code == 2 and "expected a SQLite file" in r.output
    # a malformed price file: the one line names the file and the row
    with TrackStore(store_path) as store:
        store.put_calls(_calls("UP"), "test")
    bad = universe / "prices" / "UP.csv"
    lines = bad.read_text().splitlines()
    lines[3] = lines[3].replace(lines[3].split(",")[4], "12..5")
    bad.write_text("\n".join(lines) + "\n")
    r = CliRunner().invoke(main, ["track", "score", "--store", str(store_path), "--as-of", "2024-06-28",
                                  "--data", str(universe)])
    assert r.exit_code == 2 and "UP.csv, row" in r.output and len(r.output.strip().splitlines()) == 1


def test_calls_command_lists_the_recorded_calls(tmp_path):
    store_path = tmp_path / "track.sqlite"
    with TrackStore(store_path) as store:
        store.put_calls(_calls("UP") + _calls("DOWN"), "test")
        store.put_calls(_calls("UP")[:1], "test")  # the same fund, date, window and type again: replaced
    r = CliRunner().invoke(main, ["track", "calls", "--store", str(store_path), "--ticker", "up",
                                  "--as-of", DAYS[11].date().isoformat()])
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in r.output.splitlines()]
    assert [x["as_of"] for x in lines] == [DAYS[1].date().isoformat(), DAYS[11].date().isoformat()]
    assert lines[0]["entry"] == "next_open" and lines[0]["direction"] == "up" and lines[0]["horizons"] == [5, 10, 21, 30]


def test_a_newer_track_schema_is_refused(tmp_path):
    store_path = tmp_path / "track.sqlite"
    with TrackStore(store_path) as store:
        store.set_meta(schema="99")
    with pytest.raises(Exception, match="track schema 99"):
        TrackStore(store_path)


def test_category_benchmark_and_no_excess_for_the_benchmark_itself(universe, tmp_path):
    """UP and DOWN share a category: over 5 sessions UP's excess is its return less DOWN's; SPY is the benchmark
    fund, so its own call has no excess."""
    up = [c.model_copy(update={"benchmark": "category"}) for c in _calls("UP")]
    down = [c.model_copy(update={"benchmark": "category"}) for c in _calls("DOWN")]
    spy = [c.model_copy(update={"ticker": "SPY", "category": None}) for c in _calls("UP")]
    items, _ = outcomes(up + down + spy, PriceBook(DataDirSource(universe), DAYS[-1].date()), DAYS[-1].date())
    r_up, r_down = 1.01 ** 4 * 1.002 - 1, 0.99 ** 4 * 1.002 - 1
    s = summary([o for o in items if o.call.ticker == "UP" and o.horizon == 5])
    assert s["mean_excess"] == pytest.approx(r_up - r_down)
    s = summary([o for o in items if o.call.ticker == "DOWN" and o.horizon == 5])
    assert s["mean_excess"] == pytest.approx(r_down - r_up)  # an up call: its excess is its return over UP's
    s = summary([o for o in items if o.call.ticker == "SPY" and o.horizon == 5])
    assert s["excess_n"] == 0 and s["mean_excess"] is None and s["mean_return"] == 0.0


def test_vendor_text_in_a_report_is_text():
    from notewriter.track.report import _csv_text, _md_text

    # a category from a vendor file, as a Markdown table cell: one line, nothing live, the pipe kept in the cell
    cell = _md_text("Large|Blend\n<script>alert(1)</script>")
    assert "\n" not in cell and "<script>" not in cell and "|" not in cell.replace("\\|", "")
    # and as a CSV cell: never a formula when a spreadsheet opens it; numbers stay numbers
    assert _csv_text("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert _csv_text("@SUM(A1)") == "'@SUM(A1)" and _csv_text(-0.25) == -0.25 and _csv_text("Small Blend") == "Small Blend"
