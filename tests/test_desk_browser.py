"""The review desk in a real browser: headless Debian chromium driven by Playwright, against the real server.

An editor logs in, opens a draft from the queue, hovers a number and reads its fact, edits a section to
introduce a wrong figure and sees it flagged with approval blocked, fixes it; an approver approves and
publishes; every step is in the history. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .desk_server import PASSWORDS, Server, make_store

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _browser_or_reason():
    if CHROMIUM is None:
        return "Debian's chromium is not installed (make test installs it with apt-get when it can)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _browser_or_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run under CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture
def desk(tmp_path):
    path = tmp_path / "desk.sqlite"
    make_store(path).close()
    with Server(path) as server:
        yield server


def _login(page, url: str, user: str) -> None:
    page.goto(url + "/login")
    page.fill("input[name=user]", user)
    page.fill("input[name=password]", PASSWORDS[user])
    page.click("button[type=submit]")
    page.wait_for_url(url + "/")


def test_an_editor_and_an_approver_take_a_draft_to_publication(browser, desk):
    ARTIFACTS.mkdir(exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = ctx.new_page()
    _login(page, desk.url, "ann")
    # the queue lists the drafts; open IJR's
    assert page.locator("table.queue tbody tr").count() == 2
    page.click("text=IJR")
    page.wait_for_selector("article.note")
    # hover the lede's first number: its fact shows
    first = page.locator("#sec-lede .num.ok").first
    first.hover()
    tip = first.locator(".tip")
    assert tip.is_visible()
    assert "flow_usd" in tip.inner_text() and "shares.csv" in tip.inner_text()
    page.screenshot(path=str(ARTIFACTS / "desk-document.png"), full_page=False)
    # send it to review, then edit the risk section with a figure no fact backs
    page.select_option("form.move select[name=to]", "in_review")
    page.click("form.move button")
    assert "moved to in_review" in page.locator(".flash").inner_text()
    page.click("#sec-risk_assessment a.edit")
    text = page.input_value("textarea[name=text]")
    page.fill("textarea[name=text]", text + " Analysts expect $987.6 million more next week.")
    page.click("text=Save and check")
    assert "approval is blocked" in page.locator(".result").inner_text()
    assert page.locator(".preview .num.bad").count() == 1
    assert "$987.6 million" in page.locator(".preview .num.bad").inner_text()
    assert page.locator(".diff ins").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "desk-edit-flagged.png"), full_page=True)
    # the approver cannot approve it
    ctx2 = browser.new_context()
    approver = ctx2.new_page()
    _login(approver, desk.url, "bob")
    approver.click("text=IJR")
    assert "approval is blocked" in approver.locator(".meta").inner_text()
    approver.select_option("form.move select[name=to]", "approved")
    approver.click("form.move button")
    assert "not moved" in approver.locator(".flash").inner_text()
    # the editor fixes it
    page.fill("textarea[name=text]", text + " The next share-count print will show whether it repeats.")
    page.click("text=Save and check")
    assert "Every number in the note traces to a fact" in page.locator(".result").inner_text()
    # approve and publish
    approver.reload()
    approver.select_option("form.move select[name=to]", "approved")
    approver.click("form.move button")
    assert "moved to approved" in approver.locator(".flash").inner_text()
    approver.select_option("form.move select[name=to]", "published")
    approver.click("form.move button")
    assert approver.locator(".state").inner_text() == "published"
    # every step is in the history
    approver.click("text=History")
    rows = approver.locator("table.audit tbody tr")
    events = [rows.nth(i).locator("td").nth(2).inner_text() for i in range(rows.count())]
    who = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(rows.count())]
    assert events == ["created", "checked", "state", "edited", "checked", "edited", "checked", "state", "published"]
    assert who[2:] == ["ann", "ann", "ann", "ann", "ann", "bob", "bob"]
    approver.screenshot(path=str(ARTIFACTS / "desk-history.png"), full_page=True)
    ctx.close()
    ctx2.close()
