"""The review desk's JSON API and pages over HTTP, against the real server on 127.0.0.1, and its safety."""

from __future__ import annotations

import re

import httpx
import pytest

from .desk_server import PASSWORDS, Server, make_store

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    path = tmp_path_factory.mktemp("desk") / "desk.sqlite"
    make_store(path, hostile_name=HOSTILE).close()
    with Server(path) as server:
        yield server


def client(desk, user: str | None = None) -> httpx.Client:
    c = httpx.Client(base_url=desk.url, follow_redirects=False, timeout=30)
    if user:
        r = c.post("/api/login", json={"user": user, "password": PASSWORDS[user]})
        assert r.status_code == 200, r.text
        assert "httponly" in r.headers["set-cookie"].lower() and "samesite=strict" in r.headers["set-cookie"].lower()
    return c


def _doc_id(c, ticker: str) -> int:
    return next(d["id"] for d in c.get("/api/documents", params={"ticker": ticker}).json())


def test_nothing_without_a_login(desk):
    c = client(desk)
    for path in ("/", "/doc/1", "/doc/1/history", "/doc/1/edit/lede"):
        r = c.get(path)
        assert r.status_code == 303 and r.headers["location"] == "/login", path
    for path in ("/api/documents", "/api/documents/1", "/api/documents/1/audit", "/api/documents/1/versions"):
        r = c.get(path)
        assert r.status_code == 401 and "log in" in r.json()["error"], path
    r = c.post("/api/documents/1/transition", json={"to": "in_review"})
    assert r.status_code == 401
    assert c.post("/api/login", json={"user": "ann", "password": "wrong-password"}).status_code == 401
    assert c.post("/api/login", json={"user": "' OR 1=1 --", "password": "x' OR '1'='1"}).status_code == 401


def test_the_api_flow_edit_fail_fix_approve_publish(desk):
    ann, bob = client(desk, "ann"), client(desk, "bob")
    doc_id = _doc_id(ann, "IJR")
    got = ann.get(f"/api/documents/{doc_id}").json()
    assert (got["state"], got["version"]) == ("draft", 1) and got["document"]["kind"] == "fund"
    original = got["document"]["sections"]["risk_assessment"]["text"]
    assert ann.post(f"/api/documents/{doc_id}/transition", json={"to": "in_review"}).json()["state"] == "in_review"
    # an edit with a figure no fact backs: saved as a version, flagged, approval refused
    r = ann.post(f"/api/documents/{doc_id}/sections/risk_assessment",
                 json={"text": original + " Analysts expect $987.6 million more."})
    assert r.status_code == 200 and r.json()["version"] == 2
    bad = [f for f in r.json()["check"]["findings"] if not f.get("matched")]
    assert [f["text"] for f in bad] == ["$987.6 million"]
    r = bob.post(f"/api/documents/{doc_id}/transition", json={"to": "approved"})
    assert r.status_code == 409 and "unsupported" in r.json()["error"]
    # an editor cannot approve at all
    r = ann.post(f"/api/documents/{doc_id}/transition", json={"to": "approved"})
    assert r.status_code == 409 and "editor cannot" in r.json()["error"]
    # fixed, then approved and published
    r = ann.post(f"/api/documents/{doc_id}/sections/risk_assessment", json={"text": original + " Watch the next print."})
    assert r.json()["check"]["ok"] and r.json()["version"] == 3
    assert bob.post(f"/api/documents/{doc_id}/transition", json={"to": "approved"}).json()["state"] == "approved"
    assert bob.post(f"/api/documents/{doc_id}/transition", json={"to": "published"}).json()["state"] == "published"
    audit = ann.get(f"/api/documents/{doc_id}/audit").json()
    assert [(e["event"], e["actor"]) for e in audit] == [
        ("created", "notewriter"), ("checked", "notewriter"), ("state", "ann"), ("edited", "ann"), ("checked", "ann"),
        ("edited", "ann"), ("checked", "ann"), ("state", "bob"), ("published", "bob")]
    assert [v["number"] for v in ann.get(f"/api/documents/{doc_id}/versions").json()] == [1, 2, 3]
    assert ann.get("/api/documents", params={"state": "published"}).json()[0]["id"] == doc_id
    r = ann.post(f"/api/documents/{doc_id}/sections/lede", json={"text": "x"})
    assert r.status_code == 409 and "cannot be edited" in r.json()["error"]


def test_api_errors_are_json(desk):
    ann = client(desk, "ann")
    assert ann.get("/api/documents/999").status_code == 404 and "no document" in ann.get("/api/documents/999").json()["error"]
    r = ann.post("/api/documents/2/transition", content="to=in_review",
                 headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 403 and "JSON" in r.json()["error"]  # a cross-site form cannot drive the API
    r = ann.post("/api/documents/2/transition", content="{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]
    r = ann.post("/api/documents/2/transition", json={"to": "nowhere"})
    assert r.status_code == 409


def test_forms_need_the_csrf_token(desk):
    ann = client(desk, "ann")
    doc_id = _doc_id(ann, "SPY")
    page = ann.get(f"/doc/{doc_id}").text
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = ann.post(f"/doc/{doc_id}/comment", data={"text": "no token"})
    assert r.status_code == 403 and "CSRF" in r.text
    r = ann.post(f"/doc/{doc_id}/comment", data={"text": "wrong token", "csrf": token[:-1] + "x"})
    assert r.status_code == 403
    r = ann.post(f"/doc/{doc_id}/comment", data={"text": "'; DROP TABLE documents; --", "csrf": token})
    assert r.status_code == 303
    assert "&#39;; DROP TABLE documents; --" in ann.get(f"/doc/{doc_id}").text
    assert ann.get("/api/documents").status_code == 200  # the table is still there


def test_a_vendor_name_with_markup_is_inert_on_every_page(desk):
    ann = client(desk, "ann")
    doc_id = _doc_id(ann, "SPY")
    pages = ["/", f"/doc/{doc_id}", f"/doc/{doc_id}/history", f"/doc/{doc_id}/edit/lede"]
    for path in pages:
        r = ann.get(path)
        assert r.status_code == 200, path
        assert "<script" not in r.text.lower() and "<img" not in r.text.lower(), path  # escaped, so inert
        csp = r.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp, path
    assert "&lt;script&gt;" in ann.get(f"/doc/{doc_id}").text


def test_the_server_listens_on_loopback_only(desk):
    assert desk.server.config.host == "127.0.0.1"


def test_sql_metacharacters_in_every_field(desk):
    ann = client(desk, "ann")
    nasty = "x' OR '1'='1'; DROP TABLE versions; --"
    assert ann.get("/api/documents", params={"state": nasty, "ticker": nasty, "as_of": nasty}).json() == []
    assert ann.get(f"/doc/2/edit/{nasty}").status_code == 404
    r = ann.post("/api/documents/2/sections/" + nasty, json={"text": nasty})
    assert r.status_code == 404
    r = ann.post("/api/documents/2/transition", json={"to": "withdrawn", "reason": nasty})
    assert r.status_code == 200
    audit = ann.get("/api/documents/2/audit").json()
    assert audit[-1]["reason"] == nasty
    assert len(ann.get("/api/documents").json()) == 2 and ann.get("/api/documents/2/versions").json()


def test_four_eyes_the_approver_may_not_be_the_last_editor(tmp_path):
    path = tmp_path / "desk.sqlite"
    make_store(path).close()
    with Server(path, four_eyes=True) as server:
        bob = client(server, "bob")
        doc_id = _doc_id(bob, "IJR")
        text = bob.get(f"/api/documents/{doc_id}").json()["document"]["sections"]["lede"]["text"]
        assert bob.post(f"/api/documents/{doc_id}/transition", json={"to": "in_review"}).status_code == 200
        assert bob.post(f"/api/documents/{doc_id}/sections/lede", json={"text": text}).json()["check"]["ok"]
        r = bob.post(f"/api/documents/{doc_id}/transition", json={"to": "approved"})
        assert r.status_code == 409 and "last editor" in r.json()["error"]


def test_desk_commands(tmp_path):
    from click.testing import CliRunner

    from notewriter.cli import main
    from notewriter.desk.auth import verify_password
    from notewriter.desk.store import Store

    store = tmp_path / "desk.sqlite"
    r = CliRunner().invoke(main, ["desk", "--store", str(store)])
    assert r.exit_code == 2 and "no store at" in r.stderr
    r = CliRunner().invoke(main, ["desk", "add-user", "cy", "--store", str(store), "--role", "approver",
                                  "--password-stdin"], input="correct horse battery\n")
    assert r.exit_code == 0, r.output
    user = Store(store).user("cy")
    assert user["role"] == "approver" and verify_password("correct horse battery", user["password_hash"])
    assert "correct horse" not in user["password_hash"]
    r = CliRunner().invoke(main, ["desk", "add-user", "cy", "--store", str(store), "--role", "approver",
                                  "--password-stdin"], input="short\n")
    assert r.exit_code == 2 and "at least 8" in r.stderr


def test_an_editors_markdown_link_or_image_is_text_on_the_desk(tmp_path):
    path = tmp_path / "desk.sqlite"
    make_store(path).close()
    with Server(path) as server:
        ann = client(server, "ann")
        doc_id = _doc_id(ann, "SPY")
        text = ann.get(f"/api/documents/{doc_id}").json()["document"]["sections"]["contrarian_angle"]["text"]
        r = ann.post(f"/api/documents/{doc_id}/sections/contrarian_angle",
                     json={"text": text + " See [this](https://evil.test/x) ![i](https://evil.test/a.png)."})
        assert r.status_code == 200
        page = ann.get(f"/doc/{doc_id}").text
    assert "https://evil.test" in page and "<a href=\"https://evil.test" not in page and "<img" not in page
