"""Charts: every HTML note and digest carries its charts; each chart draws the facts (checked against values
recomputed here from the sample CSVs), nothing dated after the note; the same inputs give the same bytes, in
one process and in two."""

from __future__ import annotations

import csv
import re
import struct
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import matplotlib
import pytest
from matplotlib.figure import Figure

from notewriter.charts import charts_for
from notewriter.pipeline import open_source, write_digest, write_note
from notewriter.publish import CSP, render_as

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
AS_OF = "2025-10-31"


def _rows(name: str) -> list[dict]:
    with open(SAMPLES / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


FUNDS = sorted(p.stem for p in (SAMPLES / "funds").glob("*.json"))
WITH_FLOWS = sorted({r["ticker"] for r in _rows("shares.csv")} | {r["ticker"] for r in _rows("flows.csv")})


@pytest.fixture(scope="module")
def notes():
    source = open_source(None)
    return {t: write_note(t, AS_OF, "1w", source) for t in FUNDS}


@pytest.fixture(scope="module")
def digest():
    return write_digest(open_source(None), AS_OF, "1d")


def _drawn(chart) -> Figure:
    with matplotlib.rc_context({"text.parse_math": False}):
        fig = Figure(figsize=(6.4, 3.6))
        chart.draw(fig)
    return fig


# ---- every HTML document carries its charts ----------------------------------------------------------------------


def test_the_samples_cover_both_kinds_of_fund():
    assert len(FUNDS) == 14 and set(WITH_FLOWS) <= set(FUNDS)


@pytest.mark.parametrize("ticker", FUNDS)
def test_every_sample_note_in_html_carries_its_charts(notes, ticker):
    page = render_as(notes[ticker], "html")
    slug = ticker.lower()
    assert re.search(rf'<figure id="{slug}-price">\s*<div class="wide">\s*<svg ', page)
    has_flows = ticker in WITH_FLOWS
    assert (f'<figure id="{slug}-flows">' in page) == has_flows
    assert page.count("<svg ") == 2 * (2 if has_flows else 1)  # a wide and a phone layout of each chart
    # the figures come after the lede, before the first section
    assert page.index('<div class="figures">') < page.index("<h2>")
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page


def test_the_digest_in_html_carries_the_leaderboard_chart(digest):
    page = render_as(digest, "html")
    assert page.count('<figure id="digest-leaderboard">') == 1
    at = page.index('<figure id="digest-leaderboard">')
    assert page.index("<h2>Leaderboard</h2>") < at < page.index("<h2>", page.index("<h2>Leaderboard</h2>") + 1)


def test_inline_svg_has_no_script_and_refers_to_nothing_outside_itself(notes, digest):
    for doc in (notes["IJR"], notes["GLD"], digest):
        for chart in charts_for(doc.facts):
            for svg in (chart.svg, chart.narrow_svg):
                assert "<script" not in svg.lower() and "<foreignobject" not in svg.lower()
                assert "<metadata" not in svg and "<?xml" not in svg and "<!DOCTYPE" not in svg
                # the only URLs are XML namespace names; references point at the chart's own ids
                assert re.findall(r'(?:href|src)="(?!#)', svg) == []
                for url in re.findall(r'"(https?://[^"]*)"', svg):
                    assert url in ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"), url
                ids = set(re.findall(r'\bid="([^"]+)"', svg))
                refs = set(re.findall(r'(?:href="#|url\(#)([^")]+)', svg))
                assert refs and refs <= ids
                assert all(i.startswith(chart.slug) or i.startswith("chart-") for i in ids)
                assert 'width="100%"' in svg.split(">", 1)[0] and " height=" not in svg.split(">", 1)[0]


# ---- a chart draws the facts, as known on the note's date ---------------------------------------------------------


def _closes(ticker: str, until: str = AS_OF) -> list[tuple[str, float, float, float]]:
    return [(r["Date"], float(r["Close"]), float(r["High"]), float(r["Low"]))
            for r in _rows(f"prices/{ticker}.csv") if r["Date"] <= until]


def test_the_price_chart_draws_a_year_of_closes_the_average_and_the_52_week_range(notes):
    note = notes["IJR"]
    rows = _closes("IJR")
    start = (date.fromisoformat(AS_OF) - timedelta(weeks=52)).isoformat()
    year = [r for r in rows if r[0] > start]
    closes = [c for _, c, _, _ in rows]
    # 200-session simple average, by hand over the CSV's closes
    averages = {rows[k][0]: sum(closes[k - 199:k + 1]) / 200 for k in range(199, len(rows))}
    price = next(c for c in charts_for(note.facts) if c.key == "price")
    ax = _drawn(price).axes[0]
    close_line, avg_line = ax.lines[0], ax.lines[1]
    assert [d.isoformat() for d in close_line.get_xdata()] == [r[0] for r in year]
    assert list(close_line.get_ydata()) == pytest.approx([r[1] for r in year], abs=1e-9)
    assert list(avg_line.get_ydata()) == pytest.approx([averages[r[0]] for r in year], rel=1e-12)
    marks = sorted(line.get_ydata()[0] for line in ax.lines[2:4])  # the 52-week low and high lines
    assert marks == pytest.approx([min(r[3] for r in year), max(r[2] for r in year)])
    assert close_line.get_xdata()[-1] == date.fromisoformat(AS_OF)


def test_the_flows_chart_draws_daily_flows_and_shares_from_the_share_counts(notes):
    note = notes["IJR"]
    shares = [(r["date"], int(r["shares_outstanding"]), float(r["nav"])) for r in _rows("shares.csv")
              if r["ticker"] == "IJR" and r["date"] <= AS_OF]
    last = shares[-63:]
    prev = shares[-64:-1]
    # daily estimated flow = (shares[t] - shares[t-1]) x NAV[t], in $ million; zero days draw no bar
    flows = {d: (s - p) * nav / 1e6 for (d, s, nav), (_, p, _) in zip(last, prev)}
    chart = next(c for c in charts_for(note.facts) if c.key == "flows")
    fig = _drawn(chart)
    ax, ax2 = fig.axes
    bars = {}
    for patch in ax.patches:
        x = matplotlib.dates.num2date(patch.get_x() + patch.get_width() / 2).date().isoformat()
        bars[x] = patch.get_height()
    assert bars == pytest.approx({d: v for d, v in flows.items() if v != 0})
    hatched = {d for d, p in zip(bars, ax.patches) if p.get_hatch()}
    assert hatched == {d for d, v in flows.items() if v < 0}  # outflows hatched: apart in grey-scale too
    # a hatch is drawn in the edge colour, so on a filled bar it must differ from the fill to be seen
    assert all(p.get_edgecolor() != p.get_facecolor() for p in ax.patches if p.get_hatch())
    line = ax2.lines[0]
    assert list(line.get_ydata()) == pytest.approx([s / 1e6 for _, s, _ in last])
    assert "Net flow ($ million)" == ax.get_ylabel() and "million" in ax2.get_ylabel()


def test_vendor_flows_are_drawn_hollow_beside_the_estimate():
    source = open_source(None)
    tlt = write_note("TLT", AS_OF, "1w", source)
    vendor = {r["date"]: float(r["flow_usd"]) / 1e6 for r in _rows("flows.csv")
              if r["ticker"] == "TLT" and r["date"] <= AS_OF}
    chart = next(c for c in charts_for(tlt.facts) if c.key == "flows")
    ax = _drawn(chart).axes[0]
    hollow = {matplotlib.dates.num2date(p.get_x()).date().isoformat(): p.get_height() for p in ax.patches
              if p.get_facecolor()[:3] == (1.0, 1.0, 1.0) and p.get_width() > 0}
    sessions = sorted(vendor)[-63:]
    assert hollow == pytest.approx({d: vendor[d] for d in sessions if vendor[d] != 0})
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:4] == ["Inflow (estimated)", "Outflow (estimated)", "Inflow (vendor)", "Outflow (vendor)"]


def test_a_chart_reads_nothing_after_the_notes_date():
    note = write_note("IJR", "2025-06-30", "1w", open_source(None))
    series = note.facts.charts
    assert series.closes.dates[-1] == date(2025, 6, 30) and series.flows_est.dates[-1] == date(2025, 6, 30)
    rows = _closes("IJR", "2025-06-30")
    assert series.closes.values[-1] == pytest.approx(rows[-1][1])
    # and the facts document, which the checker reads, holds no series
    assert "charts" not in note.facts_document()["facts"]


def test_the_leaderboard_chart_draws_the_leaderboard(digest):
    shares: dict[str, list] = {}
    for r in _rows("shares.csv"):
        if r["date"] <= AS_OF:
            shares.setdefault(r["ticker"], []).append((int(r["shares_outstanding"]), float(r["nav"])))
    day = {t: (s[-1][0] - s[-2][0]) * s[-1][1] / 1e6 for t, s in shares.items()}
    chart = charts_for(digest.facts)[0]
    ax = _drawn(chart).axes[0]
    at = {round(t.get_position()[1]): t.get_text() for t in ax.get_yticklabels()}
    by_row = {at[round(p.get_y() + p.get_height() / 2)]: p.get_width() for p in ax.patches}
    assert set(by_row) == {r.ticker for r in digest.facts.inflows + digest.facts.outflows}
    for t, v in by_row.items():
        if t in day:
            assert v == pytest.approx(day[t], rel=1e-9), t
    top_down = [at[y] for y in sorted(at, reverse=True)]
    assert top_down[0] == max(day, key=day.get) and top_down[-1] == min(day, key=day.get)  # largest in on top
    assert [by_row[t] for t in top_down] == sorted(by_row.values(), reverse=True)
    hatched = {at[round(p.get_y() + p.get_height() / 2)] for p in ax.patches
               if p.get_hatch() and p.get_edgecolor() != p.get_facecolor()}
    assert hatched == {t for t, v in by_row.items() if v < 0}
    assert ax.get_xlabel() == "Net flow ($ million)"


# ---- the same inputs, the same bytes -------------------------------------------------------------------------------


def _png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    out, at = [], 8
    while at < len(data):
        n, = struct.unpack(">I", data[at:at + 4])
        out.append(data[at + 4:at + 8])
        at += 12 + n
    return out


def test_two_drawings_give_the_same_bytes_and_no_software_or_date():
    docs = [write_note("IJR", AS_OF, "1w", open_source(None)) for _ in range(2)]  # separate facts, separate charts
    a, b = (charts_for(d.facts) for d in docs)
    assert [c is d for c, d in zip(a, b)] == [False, False]
    for c, d in zip(a, b):
        assert c.svg == d.svg and c.narrow_svg == d.narrow_svg and c.png == d.png
        assert matplotlib.__version__ not in c.svg and "Matplotlib" not in c.svg and "<dc:date" not in c.svg
        chunks = _png_chunks(c.png)
        assert b"tEXt" not in chunks and b"iTXt" not in chunks and b"tIME" not in chunks
        assert struct.unpack(">II", c.png[16:24]) == (1280, 720)  # twice the 640 x 360 it is shown at


def test_two_processes_write_the_same_html_and_png(tmp_path):
    for run in ("a", "b"):
        out = tmp_path / run
        out.mkdir()
        for fmt, name in (("html", "ijr.html"), ("email", "ijr-email.html")):
            subprocess.run([sys.executable, "-m", "notewriter", "write", "IJR", "--as-of", AS_OF, "--format", fmt,
                            "--out", str(out / name)], check=True, capture_output=True)
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == ["ijr-email.html", f"ijr-flows-{AS_OF}-1w.png", f"ijr-price-{AS_OF}-1w.png", "ijr.html"]
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_flows_of_billions_are_drawn_in_billions(market):
    # SPY's vendor flows in the 63 sessions to 2026-04-02 reach $15.3 billion a day (flows.csv): tick labels in
    # millions ("15,000") would push the axis title off the chart
    with open(market / "flows.csv", newline="") as fh:
        spy = [r for r in csv.DictReader(fh) if r["ticker"] == "SPY" and r["date"] <= "2026-04-02" and r["flow_usd"]]
    peak = max(abs(float(r["flow_usd"])) for r in spy[-63:])
    assert peak >= 1e9
    note = write_note("SPY", "2026-04-02", "1w", open_source(market))
    chart = next(c for c in charts_for(note.facts) if c.key == "flows")
    ax = _drawn(chart).axes[0]
    assert ax.get_ylabel() == "Net flow ($ billion)" and "$ billion" in chart.title
    assert max(abs(p.get_height()) for p in ax.patches) == pytest.approx(peak / 1e9)
