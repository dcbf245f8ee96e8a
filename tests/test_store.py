"""The document store: immutable versions, the state rules, and an audit log that tells the story in order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from notewriter.desk.edit import edit_section, section_findings, word_diff
from notewriter.desk.store import Store, TransitionRefused
from notewriter.document import to_json
from notewriter.pipeline import write_note


@pytest.fixture(scope="module")
def draft() -> dict:
    return json.loads(to_json(write_note("IJR", "2025-10-31", "1w")))


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "desk.sqlite")
    yield s
    s.close()


def test_a_draft_is_stored_with_its_check_and_a_regeneration_is_a_new_version(store, draft):
    doc_id, number = store.add_draft(draft, data_snapshot="samples@abc")
    assert number == 1
    row = store.document(doc_id)
    assert (row["kind"], row["subject"], row["as_of"], row["window"], row["state"]) == \
        ("fund", "IJR", "2025-10-31", "1w", "draft")
    v = store.version(doc_id)
    assert v.markdown == draft["markdown"] and v.check_ok and v.data_snapshot == "samples@abc"
    assert store.add_draft(draft) == (doc_id, 2)
    assert [e["event"] for e in store.audit(doc_id)] == ["created", "checked", "regenerated", "checked"]
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_state_rules(store, draft):
    doc_id, _ = store.add_draft(draft)
    with pytest.raises(TransitionRefused, match="a draft document cannot move to approved"):
        store.transition(doc_id, "approved", "ann")
    store.transition(doc_id, "in_review", "ann")
    with pytest.raises(TransitionRefused, match="needs a reason"):
        store.transition(doc_id, "changes_requested", "bob")
    store.transition(doc_id, "changes_requested", "bob", "the lede overstates the flow")
    store.transition(doc_id, "in_review", "ann")
    with pytest.raises(TransitionRefused, match="only an approver"):
        store.transition(doc_id, "approved", "ann", role="editor")
    store.transition(doc_id, "approved", "bob", role="approver")
    store.transition(doc_id, "published", "bob", role="approver")
    with pytest.raises(TransitionRefused, match="cannot move to in_review"):
        store.transition(doc_id, "in_review", "ann")


def test_an_unsupported_number_blocks_approval_unless_overridden_with_a_reason(store, draft):
    doc_id, _ = store.add_draft(draft)
    store.transition(doc_id, "in_review", "ann")
    text = draft["sections"]["risk_assessment"]["text"] + " Analysts expect $987.6 million more."
    edited = edit_section(store.version(doc_id).document, "risk_assessment", text)
    assert not edited["check"]["ok"]
    assert [f["text"] for f in section_findings(edited, "risk_assessment") if not f.get("matched")] == ["$987.6 million"]
    store.add_version(doc_id, edited, "ann")
    with pytest.raises(TransitionRefused, match="1 unsupported number"):
        store.transition(doc_id, "approved", "bob", role="approver")
    with pytest.raises(TransitionRefused, match="override with a written reason"):
        store.transition(doc_id, "approved", "bob", " ", override=True, role="approver")
    store.transition(doc_id, "approved", "bob", "figure confirmed by the issuer's press release", override=True,
                     role="approver")
    last = store.audit(doc_id)[-1]
    assert (last["event"], last["actor"], last["reason"]) == \
        ("override", "bob", "figure confirmed by the issuer's press release")


def test_the_audit_log_of_edit_failure_fix_approve_publish(store, draft):
    doc_id, _ = store.add_draft(draft)
    store.transition(doc_id, "in_review", "ann")
    original = draft["sections"]["risk_assessment"]["text"]
    bad = edit_section(store.version(doc_id).document, "risk_assessment", original + " It will lose $987.6 million.")
    store.add_version(doc_id, bad, "ann")
    fixed = edit_section(store.version(doc_id).document, "risk_assessment", original + " Watch the next print.")
    assert fixed["check"]["ok"]
    store.add_version(doc_id, fixed, "ann")
    store.comment(doc_id, "bob", "fine now", section="risk_assessment")
    store.transition(doc_id, "approved", "bob", role="approver")
    store.transition(doc_id, "published", "bob", role="approver")
    events = [(e["event"], e["actor"], e["version"]) for e in store.audit(doc_id)]
    assert events == [("created", "notewriter", 1), ("checked", "notewriter", 1), ("state", "ann", 1),
                      ("edited", "ann", 2), ("checked", "ann", 2), ("edited", "ann", 3), ("checked", "ann", 3),
                      ("comment", "bob", 3), ("state", "bob", 3), ("published", "bob", 3)]
    checks = [e["detail"]["ok"] for e in store.audit(doc_id) if e["event"] == "checked"]
    assert checks == [True, False, True]
    assert [v["number"] for v in store.versions(doc_id)] == [1, 2, 3]
    assert store.version(doc_id, 1).markdown == draft["markdown"]  # versions are never changed


def test_a_correction_keeps_the_published_note_and_links_the_new_one(store, draft):
    doc_id, _ = store.add_draft(draft, auto_approve=True)
    assert store.document(doc_id)["state"] == "approved"
    assert store.audit(doc_id)[-1]["reason"].startswith("auto-approved")
    store.transition(doc_id, "published", "bob", role="approver")
    new_id = store.correct(doc_id, draft, "bob", "the vendor restated the flow")
    old, new = store.document(doc_id), store.document(new_id)
    assert (old["state"], old["replaced_by"], new["replaces"], new["state"]) == ("corrected", new_id, doc_id, "draft")


def test_a_failing_draft_is_not_auto_approved(store, draft):
    bad = edit_section(draft, "lede", draft["sections"]["lede"]["text"] + " Up 99.9% tomorrow.")
    doc_id, _ = store.add_draft(bad, auto_approve=True)
    assert store.document(doc_id)["state"] == "draft"


def test_sql_metacharacters_are_data(store, draft):
    doc_id, _ = store.add_draft(draft)
    nasty = "'; DROP TABLE documents; -- \" OR 1=1"
    store.comment(doc_id, nasty, nasty, section=nasty)
    assert store.comments(doc_id)[0] == {"section": nasty, "at": store.comments(doc_id)[0]["at"], "actor": nasty,
                                          "text": nasty}
    assert store.documents(subject=nasty) == [] and len(store.documents()) == 1


def test_editing_a_section_back_to_the_draft_restores_the_draft(draft):
    same = edit_section(draft, "risk_assessment", draft["sections"]["risk_assessment"]["text"])
    assert same["markdown"] == draft["markdown"] and same["check"]["ok"]
    assert word_diff("flows came to $1.2 billion", "flows came to $1.3 billion") == \
        [("=", "flows came to "), ("-", "$1.2"), ("+", "$1.3"), ("=", " billion")]


def test_batch_and_write_put_every_draft_in_the_store(tmp_path):
    from click.testing import CliRunner

    from notewriter.cli import main

    store_path = tmp_path / "desk.sqlite"
    tpl = tmp_path / "tpl" / "sections"
    tpl.mkdir(parents=True)
    shipped = (Path(__file__).resolve().parents[1] / "templates" / "sections" / "contrarian_angle.md.j2").read_text()
    (tpl / "contrarian_angle.md.j2").write_text(shipped + "{% if T == 'IJR' %}Analysts expect 42 more.{% endif %}\n")
    result = CliRunner().invoke(main, ["batch", "--out", str(tmp_path / "out"), "--formats", "md", "--store",
                                       str(store_path), "--auto-approve", "--templates", str(tmp_path / "tpl")])
    assert result.exit_code == 1  # IJR's note fails its check: not published, but in the store for an editor
    s = Store(store_path)
    docs = {d["subject"]: d for d in s.documents()}
    assert len(docs) == 15 and docs["digest"]["kind"] == "digest"
    assert docs["IJR"]["state"] == "draft" and not docs["IJR"]["check_ok"]
    assert all(d["state"] == "approved" for t, d in docs.items() if t != "IJR")
    assert not (tmp_path / "out" / "md" / "IJR.md").exists()
    assert "_document" not in (tmp_path / "out" / "manifest.jsonl").read_text()
    result = CliRunner().invoke(main, ["write", "SPY", "--as-of", "2025-10-31", "--window", "1d", "--store",
                                       str(store_path)])
    assert result.exit_code == 0
    spy = next(d for d in s.documents() if d["subject"] == "SPY")
    # an approval is of a version: the newer draft goes back to review
    assert spy["current_version"] == 2 and spy["state"] == "in_review"
    assert s.version(spy["id"]).generator.startswith("notewriter")
    assert "as of 2025-10-31" in s.version(spy["id"]).data_snapshot


def test_a_regeneration_keeps_edited_sections_and_flags_those_whose_facts_changed(store, draft):
    doc_id, _ = store.add_draft(draft)
    mine = "Our desk reads this as a flow of " + draft["markdown"].split("net outflow")[0].split("estimated ")[-1] \
        + "that will not repeat."
    edited = edit_section(draft, "contrarian_angle", mine)
    assert edited["check"]["ok"], edited["check"]
    store.add_version(doc_id, edited, "ann")
    # the data refresh: the same draft, and one whose flow changed
    store.add_draft(draft)
    kept = store.audit(doc_id)[-2]
    assert kept["event"] == "regenerated" and kept["detail"] == {"kept_edits": ["contrarian_angle"],
                                                                  "facts_changed": []}
    assert store.version(doc_id).document["sections"]["contrarian_angle"]["text"] == mine
    refreshed = json.loads(json.dumps(draft))
    refreshed["facts"]["flow"]["net_usd"]["value"] = refreshed["facts"]["flow"]["net_usd"]["value"] * 2
    store.add_draft(refreshed)
    flagged = [e for e in store.audit(doc_id) if e["event"] == "regenerated"][-1]
    assert flagged["detail"] == {"kept_edits": ["contrarian_angle"], "facts_changed": ["contrarian_angle"]}


def test_a_newer_draft_of_a_published_note_does_not_change_it(store, draft):
    doc_id, _ = store.add_draft(draft, auto_approve=True)
    store.transition(doc_id, "published", "bob", role="approver")
    new_id, number = store.add_draft(draft)
    assert new_id != doc_id and number == 1
    assert store.document(doc_id)["current_version"] == 1 and store.document(new_id)["replaces"] == doc_id
