"""The HTML note, the digest and the email in a real browser (headless Debian chromium, as the desk's browser
tests drive it), at desktop (1280 px) and phone (390 px) width: nothing wider than the screen, the chart laid out
for the width shown, the key figures visible, no policy violation. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from notewriter.pipeline import open_source, write_digest, write_note
from notewriter.publish import assets, render_as

from .test_desk_browser import ARTIFACTS, browser  # noqa: F401  (the fixture: fails under CI without a browser)

AS_OF = "2025-10-31"
WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    source = open_source(None)
    docs = {"ijr": write_note("IJR", AS_OF, "1w", source), "tlt": write_note("TLT", AS_OF, "1w", source),
            "digest": write_digest(source, AS_OF, "1d")}
    out = {}
    for name, doc in docs.items():
        out[name] = folder / f"{name}.html"
        out[name].write_text(render_as(doc, "html"), encoding="utf-8")
    mail = folder / "mail"
    mail.mkdir()
    out["ijr-email"] = mail / "ijr.html"
    out["ijr-email"].write_text(render_as(docs["ijr"], "email"), encoding="utf-8")
    for name, data in assets(docs["ijr"], "email").items():
        (mail / name).write_bytes(data)
    return out


def _open(browser, path, width):  # noqa: F811
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    page = ctx.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return ctx, page, problems


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["ijr", "tlt", "digest"])
def test_the_page_fits_the_screen_and_shows_the_chart_for_its_width(browser, pages, name, width):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    ctx, page, problems = _open(browser, pages[name], width)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
        shown, hidden = (".wide", ".narrow") if width > 600 else (".narrow", ".wide")
        figures = page.locator("figure")
        assert figures.count() == (1 if name == "digest" else 2)
        for i in range(figures.count()):
            fig = figures.nth(i)
            assert fig.locator(f"{shown} svg").is_visible() and not fig.locator(f"{hidden} svg").is_visible()
            box = fig.locator(f"{shown} svg").bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width and box["height"] > 200
        if name != "digest":
            assert page.locator("aside.key").is_visible()
            assert "Key figures" in page.locator("aside.key").inner_text()
        assert problems == []  # the Content-Security-Policy refused nothing: the page asks for nothing remote
        page.screenshot(path=str(ARTIFACTS / f"page-{name}-{width}.png"), full_page=True)
    finally:
        ctx.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_email_fits_the_screen_with_its_images(browser, pages, width):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    ctx, page, problems = _open(browser, pages["ijr-email"], width)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        images = page.locator("img")
        assert images.count() == 2
        for i in range(2):
            img = images.nth(i)
            assert img.evaluate("i => i.complete && i.naturalWidth") == 1280  # the 2x PNG, loaded
            box = img.bounding_box()
            assert box["width"] <= min(width, 600) and box["width"] > 300
        assert problems == []
        page.screenshot(path=str(ARTIFACTS / f"email-ijr-{width}.png"), full_page=True)
    finally:
        ctx.close()


@pytest.mark.parametrize("fmt", ["html", "email"])
def test_a_very_long_vendor_name_wraps_instead_of_widening_the_page(browser, tmp_path, fmt):  # noqa: F811
    import json
    import shutil

    from .conftest import SAMPLES

    data = tmp_path / "data"
    shutil.copytree(SAMPLES, data)
    info_path = data / "funds" / "IJR.json"
    info = json.loads(info_path.read_text(encoding="utf-8"))
    info["longName"] = "Unbroken" * 40  # 320 characters without a space
    info_path.write_text(json.dumps(info), encoding="utf-8")
    doc = write_note("IJR", AS_OF, "1w", open_source(data))
    page_path = tmp_path / "page.html"
    page_path.write_text(render_as(doc, fmt), encoding="utf-8")
    ctx, page, _ = _open(browser, page_path, 390)
    try:
        assert "Unbroken" * 40 in page.inner_text("body").replace("\n", "")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        ctx.close()
