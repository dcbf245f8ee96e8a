"""Text from outside (vendor fund, holding and peer names, categories, sector keys, the data label) prints as
text in every format and never as markup, and a note naming such things still passes the checker.

The hostile data directory is the bundled samples with names replaced (see `hostile_data`); the expected
Markdown of each name is written out by hand below.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from notewriter.check import check_note
from notewriter.document import facts_document
from notewriter.pipeline import open_source, write_digest, write_note
from notewriter.publish import CSP, render_as, to_html, to_text
from notewriter.render import Markdown, md_escape, md_unescape

from .conftest import SAMPLES, sessions, write_fund, write_prices, write_shares

EVIL = "Evil [click](http://x.test) ![i](http://x.test/a.png) <script>alert(1)</script> *bold* _u_ `code` # H"
EVIL_MD = (r"Evil \[click\](http://x.test) !\[i\](http://x.test/a.png) \<script\>alert(1)\</script\> "
           r"\*bold\* \_u\_ \`code\` \# H")
# A peer whose name carries numbers the checker would otherwise read as claims, and a table cell border.
PEER = "Peer 2x <img src=http://x.test/p.png onerror=alert(3)> 98.7% | $5 billion [p](http://x.test)"
PEER_MD = r"Peer 2x \<img src=http://x.test/p.png onerror=alert(3)\> 98.7% \| $5 billion \[p\](http://x.test)"
OUT = "Out <script>alert(4)</script> ![q](http://x.test/q.png)"
OUT_MD = r"Out \<script\>alert(4)\</script\> !\[q\](http://x.test/q.png)"
CATEGORY = "Small *Blend* <i>x</i>"
CATEGORY_MD = r"Small \*Blend\* \<i\>x\</i\>"
HOLDING_RAW = "JACKSON <SCRIPT>ALERT(5)</SCRIPT> [J](HTTP://X.TEST) *FIN*"  # as the holdings file has it
HOLDING = "Jackson <SCRIPT>ALERT(5)</SCRIPT> [J](HTTP://X.TEST) *FIN*"  # the name as the reader cases it
HOLDING_MD = r"Jackson \<SCRIPT\>ALERT(5)\</SCRIPT\> \[J\](HTTP://X.TEST) \*FIN\*"
SECTOR = "<img src=http://x.test/s.png>"
SECTOR_MD = r"\<img src=http://x.test/s.png\>"
LABEL = "feed <script>x</script> [l](http://x.test) v2"
LABEL_MD = r"feed \<script\>x\</script\> \[l\](http://x.test) v2"

HOSTILE = (EVIL, PEER, OUT, CATEGORY, HOLDING_RAW, HOLDING, SECTOR, LABEL)


def _fund(root: Path, ticker: str, **changes) -> None:
    path = root / "funds" / f"{ticker}.json"
    info = json.loads(path.read_text(encoding="utf-8"))
    info.update(changes)
    path.write_text(json.dumps(info), encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory) -> Path:
    """The samples with hostile names: IJR's long and short name, category (IWM shares it, so it stays the
    peer) and largest sector; IWM's and QQQ's names (the peer, and the digest's headline pair); the holding
    JXN's name in IJR's holdings file; the data label."""
    root = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(SAMPLES, root)
    info = json.loads((root / "funds" / "IJR.json").read_text(encoding="utf-8"))
    sectors = {**info["sectorWeightings"], SECTOR: 0.3}
    _fund(root, "IJR", longName=EVIL, shortName=EVIL, category=CATEGORY, sectorWeightings=sectors)
    _fund(root, "IWM", longName=PEER, category=CATEGORY)
    _fund(root, "QQQ", longName=OUT)
    holdings = root / "holdings" / "IJR.csv"
    text = holdings.read_text(encoding="utf-8-sig")
    assert '"JACKSON FINANCIAL INC"' in text
    holdings.write_text(text.replace('"JACKSON FINANCIAL INC"', f'"{HOLDING_RAW}"'), encoding="utf-8")
    (root / "dataset.json").write_text(json.dumps({"label": LABEL, "synthetic": True}), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def note(hostile_data):
    return write_note("IJR", "2025-10-31", "1w", open_source(hostile_data))


@pytest.fixture(scope="module")
def digest(hostile_data):
    return write_digest(open_source(hostile_data), "2025-10-31", "1w")


# ---- escaping -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("iShares Core S&P Small-Cap ETF", "iShares Core S&P Small-Cap ETF"),
    ("Invesco QQQ Trust, Series 1", "Invesco QQQ Trust, Series 1"),
    ("iShares 20+ Year Treasury Bond ETF", "iShares 20+ Year Treasury Bond ETF"),
    ("Amazon.com Inc", "Amazon.com Inc"),
    ("T. Rowe Price Group Inc", "T. Rowe Price Group Inc"),
    ("flows_2024_v2", "flows_2024_v2"),  # an underscore inside a word is no emphasis
    (EVIL, EVIL_MD),
    ("_u_ a__b snake_", r"\_u\_ a\_\_b snake\_"),
    ("AT&amp;T &#60;b&#62; S&P", r"AT\&amp;T &\#60;b&\#62; S&P"),  # entities would print as what they name
    ("- item", r"\- item"), ("+ item", r"\+ item"), ("1. item", r"1\. item"), ("2) item", r"2\) item"),
    ("---", r"\---"), ("-0.5x Fund", r"\-0.5x Fund"),
    ("1789 Growth", "1789 Growth"), ("> quote", r"\> quote"), ("===", r"\==="), ("~~x~~", r"\~\~x\~\~"),
    ("a | b", r"a \| b"), ("back\\slash", r"back\\slash"),
    ("two\nlines\r\n# H", r"two lines \# H"),  # no line of its own
    ("rtl \u202eevil", "rtl  evil"),
    ("forged \ue000flow.net_usd\ue001$1 trillion\ue002 claim", "forged $1 trillion claim"),
])
def test_md_escape(text, expected):
    escaped = md_escape(text)
    assert escaped == expected
    assert isinstance(escaped, Markdown)


@pytest.mark.parametrize("text", HOSTILE + ("1. x", "- x", "# x", "x\n===", "<http://x.test>", "[r]: http://x.test",
                                            "a & b", "&amp;", "`a` ``b``", "***", "x  \\"))
@pytest.mark.parametrize("options", [{"html": False}, {"html": True}])
def test_escaped_text_renders_as_itself_in_any_commonmark_renderer(text, options):
    """Links, images, autolinks and raw HTML all on: the escaped string is still one paragraph of its own text."""
    rendered = MarkdownIt("commonmark", options).render(md_escape(text))
    shown = re.sub(r"[\r\n]+", " ", text)  # a line break is a space
    assert rendered == f"<p>{html.escape(shown, quote=False).replace(chr(34), '&quot;')}</p>\n"


def test_markdown_strings_are_printed_as_they_are():
    marked = Markdown(r"already \*Markdown\*")
    assert md_escape(marked) is marked
    assert md_unescape(EVIL_MD) == EVIL and md_unescape("no escapes") == "no escapes"


def test_ordinary_names_are_not_changed():
    """Every name, category, family, sector key and holding name in the samples prints exactly as written."""
    seen = 0
    for path in sorted((SAMPLES / "funds").glob("*.json")):
        info = json.loads(path.read_text(encoding="utf-8"))
        texts = [info.get(k) for k in ("longName", "shortName", "category", "fundFamily")]
        texts += [h.get(k) for h in info.get("topHoldings") or () for k in ("name", "symbol")]
        texts += list(info.get("sectorWeightings") or ())
        for text in filter(None, texts):
            assert md_escape(text) == text, (path.name, text)
            seen += 1
    assert seen > 100


# ---- a fund note, every format ----------------------------------------------------------------------------------

class _Page(HTMLParser):
    """Every element with its attributes, and the text a browser would show."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


ALLOWED_ELEMENTS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "em", "strong", "hr", "table",
                    "thead", "tbody", "tr", "th", "td", "div", "aside", "ul", "li", "figure",
                    # the inline charts: shapes, groups, clip paths and glyphs drawn as paths, nothing else
                    "svg", "defs", "g", "path", "use", "clippath", "rect", "pattern"}


def _assert_inert(page: str) -> _Page:
    parsed = _Page(page)
    tags = {tag for tag, _ in parsed.elements}
    assert tags <= ALLOWED_ELEMENTS, tags - ALLOWED_ELEMENTS  # no script, img, a, iframe, link, form, base, ...
    for tag, attrs in parsed.elements:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        assert not {"src", "srcset", "action", "formaction", "data", "poster", "background"} & set(attrs)
        for name in ("href", "xlink:href"):  # a chart's glyphs and clips refer to its own elements, nowhere else
            assert name not in attrs or (tag == "use" and attrs[name].startswith("#")), (tag, attrs)
        assert "url(" not in "".join(v or "" for v in attrs.values()).replace("url(#", ""), (tag, attrs)
        if tag == "meta":
            assert set(attrs) in ({"charset"}, {"http-equiv", "content"}, {"name", "content"}), attrs
    metas = [attrs for tag, attrs in parsed.elements if tag == "meta"]
    assert {"http-equiv": "Content-Security-Policy", "content": CSP} in metas
    assert {"name": "referrer", "content": "no-referrer"} in metas
    return parsed


def test_the_content_security_policy_allows_no_script_and_no_remote_resource():
    assert CSP == "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def test_hostile_note_passes_the_check(note):
    assert note.check["ok"], [f for f in note.check["findings"] if not f.get("matched")]


def test_names_print_escaped_in_the_markdown(note):
    md = note.markdown
    lede = note.section("lede").text
    assert lede.startswith(EVIL_MD + " (IJR) ")
    assert f"{HOLDING_MD} (JXN +3.2%)" in lede
    cd = note.section("competitive_dynamics").text
    assert cd.startswith(f"Within the {CATEGORY_MD} category, {PEER_MD} (IWM) took in $100.7 million")
    assert f"exposures are {SECTOR_MD} at 30.0%" in note.section("key_catalysts").text
    assert f"*Sample note: written from {LABEL_MD}, not real market data.* Data: {LABEL_MD};" in md
    for raw in HOSTILE:
        assert raw not in md
    # read by a CommonMark renderer with everything on, the note has no link, image or HTML of its vendors
    rendered = MarkdownIt("commonmark", {"html": True}).render(md)
    assert "<a " not in rendered and "<img" not in rendered and "<script" not in rendered and "<i>" not in rendered


def test_names_print_as_text_in_the_html(note):
    page = render_as(note, "html")
    parsed = _assert_inert(page)
    shown = "".join(parsed.text)
    for raw in (EVIL, PEER, CATEGORY, SECTOR, LABEL, HOLDING):
        assert raw in shown
    assert "x.test" not in "".join(str(v) for _, attrs in parsed.elements for v in attrs.values())


def test_names_print_as_written_in_the_text(note):
    text = render_as(note, "txt")
    assert f"\n{EVIL} (IJR) " in text
    assert f"Within the {CATEGORY} category, {PEER} (IWM) took in $100.7 million" in text
    assert f"{HOLDING} (JXN +3.2%)" in text and f"exposures are {SECTOR} at 30.0%" in text
    assert f"Sample note: written from {LABEL}, not real market data. Data: {LABEL};" in text
    assert "\\" not in text  # no Markdown escape leaks into plain text


def test_names_are_data_in_the_json(note):
    out = render_as(note, "json")
    assert "<" not in out and ">" not in out  # cannot close a <script> element it is embedded in
    doc = json.loads(out)
    assert doc["facts"]["identity"]["name"] == EVIL and doc["facts"]["identity"]["category"] == CATEGORY
    assert doc["facts"]["data_label"] == LABEL
    assert PEER in [p["name"] for p in doc["facts"]["peers"]]
    assert doc["markdown"] == note.markdown
    assert doc["sections"]["lede"]["text"].startswith(EVIL_MD)
    assert doc["check"]["ok"] is True


def test_the_checker_knows_the_names_as_printed(note):
    """The escaped peer name's figures ("2x", "98.7%", "$5 billion") are part of a name, read against the
    facts alone: the checker knows every vendor string both as written and as the Markdown prints it."""
    bare = check_note(note.markdown, facts_document(note.facts, note.sentiment, note.ticker), note.ticker)
    assert bare.ok, [f.text for f in bare.unsupported]
    assert note.check["ok"]


def test_a_hostile_name_changes_nothing_else(note):
    """The note from the hostile data says what the samples' note says, names apart."""
    plain = write_note("IJR", "2025-10-31", "1w", open_source())
    swap = {EVIL_MD: "iShares Core S&P Small-Cap ETF", PEER_MD: "iShares Russell 2000 ETF", CATEGORY_MD: "Small Blend",
            HOLDING_MD: "Jackson Financial Inc"}
    for key in ("lede", "competitive_dynamics", "risk_assessment", "trade_implications"):
        text = note.section(key).text
        for printed, original in swap.items():
            text = text.replace(printed, original)
        assert text == plain.section(key).text, key


def test_a_ticker_with_markup_is_text_in_the_title(tmp_path):
    """Tickers come from file names; one with a '*' in it is text in the title and wherever else it prints."""
    days = sessions("2024-01-02", "2024-06-28")
    write_prices(tmp_path, "A*B", days, 20.0)
    write_fund(tmp_path, "A*B", longName="Star <b>Fund</b>")
    write_shares(tmp_path, [(d.date().isoformat(), "A*B", 1_000_000 + 50_000 * (i // 20), 20.0)
                            for i, d in enumerate(days)])
    doc = write_note("A*B", None, "1w", open_source(tmp_path))
    assert doc.check["ok"]
    title = "A*B: estimated $1 million net inflow in the week to June 28, 2024"
    assert doc.markdown.startswith("# A\\*B: estimated $1 million net inflow in the week to June 28, 2024\n\n"
                                   "Star \\<b\\>Fund\\</b\\> (A\\*B) saw an estimated $1 million net inflow")
    page = render_as(doc, "html")
    assert f"<title>{title}</title>" in page and f"<h1>{title}</h1>" in page
    assert "<em>" not in page and "<b>" not in page
    assert render_as(doc, "txt").startswith(f"{title}\n{'=' * len(title)}\n\nStar <b>Fund</b> (A*B) saw")


# ---- the digest -------------------------------------------------------------------------------------------------

def test_hostile_digest_in_every_format(digest):
    assert digest.check["ok"], [f for f in digest.check["findings"] if not f.get("matched")]
    md = digest.markdown
    assert digest.section("lede").text.startswith(f"{PEER_MD} (IWM) took in $100.7 million")
    assert f"On the other end, {OUT_MD} (QQQ) lost $1.8 billion." in md
    assert f"| 1 | IWM | $100.7 million | {PEER_MD} |" in md  # the pipe in the name is no cell border
    assert f"| 3 | IJR | $399.4 million | {EVIL_MD} |" in md
    for raw in (EVIL, PEER, OUT, LABEL):
        assert raw not in md

    parsed = _assert_inert(render_as(digest, "html"))
    cells = [t.strip() for t in parsed.text]
    assert PEER in cells and EVIL in cells  # each name a cell of its own

    text = render_as(digest, "txt")
    assert f"{PEER} (IWM) took in $100.7 million" in text and f"On the other end, {OUT} (QQQ) lost" in text
    row = next(line for line in text.splitlines() if line.startswith("1 ") and "IWM" in line)
    assert row.split("  ")[0] == "1" and row.endswith(PEER)
    assert "\\" not in text

    out = render_as(digest, "json")
    assert "<" not in out
    doc = json.loads(out)
    assert {r["name"] for r in doc["facts"]["inflows"]} >= {PEER}
    assert doc["markdown"] == md


# ---- the writers on their own -----------------------------------------------------------------------------------

def test_html_makes_no_link_image_or_html_from_raw_markdown():
    """Markdown the escaping did not touch (an override's or a model's) still makes no element of its own."""
    md = ("# T\n\n[click](http://x.test) ![i](http://x.test/a.png) <http://x.test> <script>alert(1)</script>\n\n"
          "<iframe src=http://x.test></iframe>\n\n[ref]\n\n[ref]: http://x.test/r\n")
    page = to_html(md, "T <b>")
    parsed = _assert_inert(page)
    shown = "".join(parsed.text)
    assert "[click](http://x.test)" in shown and "![i](http://x.test/a.png)" in shown
    assert "<script>alert(1)</script>" in shown and "[ref]: http://x.test/r" in shown
    assert "<title>T &lt;b&gt;</title>" in page


def test_text_takes_escapes_out_after_reading_the_markup():
    md = ("# A \\*title\\* \\# one\n\nSome **bold**, an escaped \\*star\\* and \\_under\\_.\n\n"
          "| Rank | Fund |\n|---|---|\n| 1 | A \\| B |\n")
    assert to_text(md) == ("A *title* # one\n===============\n\nSome bold, an escaped *star* and _under_.\n\n"
                           "Rank                Fund\n1                   A | B\n")


def test_json_escapes_only_what_could_close_a_script_element(note):
    out = render_as(note, "json")
    assert "\\u003cscript\\u003e" in out
    assert "S&P" in render_as(write_note("IJR", "2025-10-31", "1w", open_source()), "json")  # '&' stays as it is


def test_a_saved_note_with_escaped_names_checks_clean_from_the_command_line(note, tmp_path):
    """`notewriter check note.md --facts facts.json` on a note whose vendor names needed escaping and hold
    digits ("Peer 2x ... 98.7% | $5 billion"): the checker knows the names as the Markdown prints them."""
    from click.testing import CliRunner

    from notewriter.cli import main

    assert PEER_MD in note.markdown
    md, facts = tmp_path / "note.md", tmp_path / "facts.json"
    md.write_text(note.markdown)
    facts.write_text(json.dumps(note.facts_document()))
    result = CliRunner().invoke(main, ["check", str(md), "--facts", str(facts)])
    assert result.exit_code == 0, result.output
