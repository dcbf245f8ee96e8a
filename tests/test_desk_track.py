"""The desk shows a fund note's track record beside it, over HTTP, when its store holds one."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest

from notewriter.track.calls import Call
from notewriter.track.store import TrackStore

from .conftest import SAMPLES
from .desk_server import PASSWORDS, Server, make_store

DAYS = ("2025-01-03", "2025-03-07", "2025-05-02", "2025-06-27", "2025-08-22")  # 40 sessions apart: independent


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    path = tmp_path_factory.mktemp("desk") / "desk.sqlite"
    make_store(path).close()
    with TrackStore(path) as st:  # the track record in the desk's own file
        st.set_meta(data=str(SAMPLES), benchmark="SPY")
        st.put_calls([Call(ticker="IJR", category="Small Blend", as_of=date.fromisoformat(d), window="1w",
                           call_type="flow_signal", direction="down", label="outflow (unusual)", benchmark="SPY",
                           entry="next_open") for d in DAYS], "test")
    with Server(path) as server:
        yield server


def _page(desk, ticker: str) -> str:
    c = httpx.Client(base_url=desk.url, timeout=30)
    assert c.post("/api/login", json={"user": "ann", "password": PASSWORDS["ann"]}).status_code == 200
    doc_id = next(d["id"] for d in c.get("/api/documents", params={"ticker": ticker}).json())
    r = c.get(f"/doc/{doc_id}")
    assert r.status_code == 200
    return r.text


def _fell_after(day: str, h: int) -> bool:
    """From prices/IJR.csv: the close h rows after the call's row below the open of the row after it."""
    import csv

    with open(SAMPLES / "prices" / "IJR.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    i = next(k for k, r in enumerate(rows) if r["Date"] == day)
    return float(rows[i + h]["Close"]) < float(rows[i + 1]["Open"])


def test_the_note_page_shows_the_funds_record(desk):
    html = _page(desk, "IJR")
    assert 'id="track-record"' in html
    assert "IJR&#39;s calls scored as of 2025-10-31" in html or "IJR's calls scored as of 2025-10-31" in html
    hits = sum(_fell_after(d, 30) for d in DAYS)  # a down call is a hit when the price fell
    row = re.search(r"<tr><td>flow signal</td><td>30</td><td>(\d+)</td><td>(\d+) of (\d+)</td><td>(\d+)%</td>", html)
    assert row is not None
    assert row.groups() == ("5", str(hits), "5", str(round(100 * hits / 5)))


def test_no_record_no_panel(desk):
    assert 'id="track-record"' not in _page(desk, "SPY")
