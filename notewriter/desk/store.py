"""Every document version, its state and its audit log, in one SQLite file (WAL mode).

Versions are immutable: an edit, a regeneration or a correction adds a version; nothing is updated in
place but a document's state and its pointer to the current version. Every event — created, edited,
checked, comment, state change, override, published, withdrawn — is appended to the audit log with its
actor, time, from/to state and reason.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from ..errors import UsageError

STATES = ("draft", "in_review", "changes_requested", "approved", "published", "withdrawn", "corrected")
# state -> the states it may move to
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("in_review", "withdrawn"),
    "in_review": ("changes_requested", "approved", "withdrawn"),
    "changes_requested": ("in_review", "withdrawn"),
    "approved": ("published", "in_review", "withdrawn"),
    "published": ("withdrawn", "corrected"),
    "withdrawn": (),
    "corrected": (),
}
ROLES = ("editor", "approver")

# Each migration takes the schema from version i to i + 1 (PRAGMA user_version).
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL, subject TEXT NOT NULL, as_of TEXT NOT NULL, window TEXT NOT NULL,
        state TEXT NOT NULL, current_version INTEGER NOT NULL,
        replaces INTEGER REFERENCES documents(id), replaced_by INTEGER REFERENCES documents(id),
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL
    );
    CREATE INDEX documents_by_subject ON documents(kind, subject, as_of, window);
    CREATE TABLE versions (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id),
        number INTEGER NOT NULL,
        author TEXT NOT NULL,
        created_at TEXT NOT NULL,
        document_json TEXT NOT NULL,
        markdown TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        data_snapshot TEXT,
        generator TEXT NOT NULL,
        check_ok INTEGER NOT NULL,
        unsupported INTEGER NOT NULL,
        UNIQUE (document_id, number)
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id),
        version INTEGER,
        at TEXT NOT NULL, actor TEXT NOT NULL, event TEXT NOT NULL,
        from_state TEXT, to_state TEXT, reason TEXT, detail TEXT
    );
    CREATE INDEX audit_by_document ON audit(document_id, id);
    CREATE TABLE comments (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id),
        section TEXT, at TEXT NOT NULL, actor TEXT NOT NULL, text TEXT NOT NULL
    );
    CREATE TABLE users (
        name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL, created_at TEXT NOT NULL
    );
    """,
    """
    CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
)

TOOL = "notewriter"  # the author of machine drafts


def carry_edits(previous: dict, draft: dict) -> tuple[dict, list[str], list[str]]:
    """A newer machine draft with the editors' sections of the previous version kept: (document, the kept
    sections, those of them citing a fact whose value changed in the new draft)."""
    from .edit import edit_section, section_findings
    from .view import fact_at

    def value(facts: dict, path: str):
        fact = fact_at(facts, path)
        return None if fact is None else fact["value"]

    kept, stale = [], []
    for key, sec in previous["sections"].items():
        if sec.get("origin") != "editor" or key not in draft["sections"]:
            continue
        # the facts the edit cited, as checked against the facts it was written from
        cited = [f["matched"].removeprefix("facts.") for f in section_findings(previous, key) if f.get("matched")]
        draft = edit_section(draft, key, sec["text"])
        kept.append(key)
        if any(value(draft.get("facts", {}), p) != value(previous.get("facts", {}), p) for p in cited):
            stale.append(key)
    return draft, kept, stale


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def content_hash(markdown: str) -> str:
    return hashlib.sha256(markdown.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Version:
    document_id: int
    number: int
    author: str
    created_at: str
    document: dict
    markdown: str
    content_hash: str
    check_ok: bool
    unsupported: int
    data_snapshot: str | None
    generator: str


class TransitionRefused(UsageError):
    """A state change the rules do not allow (the API answers 409 with this message)."""


class Store:
    """One SQLite file; open it with `Store(path)` (created and migrated as needed)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as err:
            raise UsageError(f"cannot open the store {self.path}: {err}") from None
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA busy_timeout=5000")
        self._migrate()

    def close(self) -> None:
        self.db.close()

    def _migrate(self) -> None:
        have = self.db.execute("PRAGMA user_version").fetchone()[0]
        if have > len(MIGRATIONS):
            raise UsageError(f"the store {self.path} was made by a newer notewriter (schema {have})")
        for i in range(have, len(MIGRATIONS)):
            self.db.executescript(f"BEGIN IMMEDIATE;{MIGRATIONS[i]};PRAGMA user_version={i + 1};COMMIT;")

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # ---- documents and versions -----------------------------------------------------------------

    def add_draft(self, document: dict, *, author: str = TOOL, data_snapshot: str | None = None,
                  generator: str = "", auto_approve: bool = False) -> tuple[int, int]:
        """A machine draft: a new document, or a new version of the open document for the same kind,
        subject, date and window. Returns (document id, version number)."""
        kind = document["kind"]
        subject = document.get("ticker") or kind  # a fund note's fund; a digest is about the universe
        with self.tx():
            row = self.db.execute(
                "SELECT * FROM documents WHERE kind=? AND subject=? AND as_of=? AND window=? "
                "AND state NOT IN ('withdrawn','corrected') ORDER BY id DESC LIMIT 1",
                (kind, subject, document["as_of"], document["window"])).fetchone()
            if row is None:
                now = _now()
                cur = self.db.execute(
                    "INSERT INTO documents (kind, subject, as_of, window, state, current_version, created_at, "
                    "updated_at) VALUES (?,?,?,?,?,?,?,?)",
                    (kind, subject, document["as_of"], document["window"], "draft", 1, now, now))
                doc_id, number = cur.lastrowid, 1
                self._insert_version(doc_id, 1, document, author, data_snapshot, generator)
                self._log(doc_id, 1, author, "created", None, "draft")
            elif row["state"] == "published":
                # what readers have is not changed under them: the newer draft is a document of its own
                # that an editor may publish as a correction
                now = _now()
                cur = self.db.execute(
                    "INSERT INTO documents (kind, subject, as_of, window, state, current_version, replaces, "
                    "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                    (kind, subject, document["as_of"], document["window"], "draft", 1, row["id"], now, now))
                doc_id, number = cur.lastrowid, 1
                self._insert_version(doc_id, 1, document, author, data_snapshot, generator)
                self._log(doc_id, 1, author, "created", None, "draft", "a newer draft of a published document",
                          detail={"replaces": row["id"]})
            else:
                doc_id, number = row["id"], row["current_version"] + 1
                previous = self._version_doc(doc_id, row["current_version"])
                document, kept, stale = carry_edits(previous, document)
                self._insert_version(doc_id, number, document, author, data_snapshot, generator)
                self.db.execute("UPDATE documents SET current_version=?, updated_at=? WHERE id=?",
                                (number, _now(), doc_id))
                detail = {"kept_edits": kept, "facts_changed": stale} if kept else None
                self._log(doc_id, number, author, "regenerated", row["state"], row["state"], detail=detail)
                if row["state"] == "approved":  # an approval is of a version: the new one needs its own
                    self.db.execute("UPDATE documents SET state='in_review' WHERE id=?", (doc_id,))
                    self._log(doc_id, number, author, "state", "approved", "in_review", "a newer draft arrived")
            self._log(doc_id, number, author, "checked", None, None,
                      detail={"ok": document["check"]["ok"], "unsupported": document["check"]["unsupported"]})
        if auto_approve and document["check"]["ok"]:
            state = self.document(doc_id)["state"]
            for to in {"draft": ("in_review", "approved"), "in_review": ("approved",)}.get(state, ()):
                self.transition(doc_id, to, author, reason="auto-approved: the checker passed every number",
                                _auto=True)
        return doc_id, number

    def _insert_version(self, doc_id: int, number: int, document: dict, author: str, data_snapshot: str | None,
                        generator: str) -> None:
        md = document["markdown"]
        self.db.execute(
            "INSERT INTO versions (document_id, number, author, created_at, document_json, markdown, content_hash, "
            "data_snapshot, generator, check_ok, unsupported) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (doc_id, number, author, _now(), json.dumps(document, ensure_ascii=False), md,
             content_hash(md), data_snapshot, generator, int(bool(document["check"]["ok"])),
             int(document["check"]["unsupported"])))

    def add_version(self, doc_id: int, document: dict, author: str, event: str = "edited",
                    detail: dict | None = None) -> int:
        """A new version by `author` (an edit); the state does not change. Returns its number."""
        with self.tx():
            row = self._doc(doc_id)
            number = row["current_version"] + 1
            self._insert_version(doc_id, number, document, author, None, "")
            self.db.execute("UPDATE documents SET current_version=?, updated_at=? WHERE id=?", (number, _now(), doc_id))
            self._log(doc_id, number, author, event, row["state"], row["state"], detail=detail)
            self._log(doc_id, number, author, "checked", None, None,
                      detail={"ok": document["check"]["ok"], "unsupported": document["check"]["unsupported"]})
        return number

    def _version_doc(self, doc_id: int, number: int) -> dict:
        row = self.db.execute("SELECT document_json FROM versions WHERE document_id=? AND number=?",
                              (doc_id, number)).fetchone()
        return json.loads(row["document_json"])

    def _doc(self, doc_id: int) -> sqlite3.Row:
        row = self.db.execute("SELECT * FROM documents WHERE id=?", (doc_id,)).fetchone()
        if row is None:
            raise KeyError(doc_id)
        return row

    def document(self, doc_id: int) -> dict:
        return dict(self._doc(doc_id))

    def documents(self, state: str | None = None, subject: str | None = None, as_of: str | None = None,
                  kind: str | None = None) -> list[dict]:
        """The queue: documents with their current version's check status, newest first."""
        where, args = [], []
        for col, val in (("d.state", state), ("d.subject", subject), ("d.as_of", as_of), ("d.kind", kind)):
            if val:
                where.append(f"{col}=?")
                args.append(val)
        sql = ("SELECT d.*, v.check_ok, v.unsupported, v.author AS last_author FROM documents d JOIN versions v "
               "ON v.document_id=d.id AND v.number=d.current_version"
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY d.as_of DESC, d.subject, d.id")
        return [dict(r) for r in self.db.execute(sql, args)]

    def version(self, doc_id: int, number: int | None = None) -> Version:
        if number is None:
            number = self._doc(doc_id)["current_version"]
        row = self.db.execute("SELECT * FROM versions WHERE document_id=? AND number=?", (doc_id, number)).fetchone()
        if row is None:
            raise KeyError((doc_id, number))
        return Version(document_id=doc_id, number=number, author=row["author"], created_at=row["created_at"],
                       document=json.loads(row["document_json"]), markdown=row["markdown"],
                       content_hash=row["content_hash"], check_ok=bool(row["check_ok"]),
                       unsupported=row["unsupported"], data_snapshot=row["data_snapshot"], generator=row["generator"])

    def versions(self, doc_id: int) -> list[dict]:
        return [dict(r) for r in self.db.execute(
            "SELECT number, author, created_at, content_hash, check_ok, unsupported FROM versions "
            "WHERE document_id=? ORDER BY number", (doc_id,))]

    # ---- state --------------------------------------------------------------------------------

    def transition(self, doc_id: int, to: str, actor: str, reason: str | None = None, *, override: bool = False,
                   role: str | None = None, _auto: bool = False) -> str:
        """Move a document to state `to`; TransitionRefused says why not. Approving a version with
        unsupported numbers needs `override` and a written reason; an editor may not approve."""
        if to not in STATES:
            raise TransitionRefused(f"unknown state {to!r}; expected one of {', '.join(STATES)}")
        with self.tx():
            row = self._doc(doc_id)
            frm = row["state"]
            if to not in TRANSITIONS[frm]:
                raise TransitionRefused(f"a {frm} document cannot move to {to}"
                                        + (f" (from {frm}: {', '.join(TRANSITIONS[frm])})" if TRANSITIONS[frm] else ""))
            v = self.db.execute("SELECT check_ok, unsupported FROM versions WHERE document_id=? AND number=?",
                                (doc_id, row["current_version"])).fetchone()
            event = "state"
            if to in ("approved", "published") and not _auto:
                if role is not None and role != "approver":
                    raise TransitionRefused(f"only an approver may move a document to {to}")
            if to == "approved" and not v["check_ok"]:
                if not (override and reason and reason.strip()):
                    raise TransitionRefused(f"version {row['current_version']} has {v['unsupported']} unsupported "
                                            "number(s): fix them, or override with a written reason")
                event = "override"
            if to in ("changes_requested", "withdrawn") and not (reason and reason.strip()):
                raise TransitionRefused(f"moving to {to} needs a reason")
            self.db.execute("UPDATE documents SET state=?, updated_at=? WHERE id=?", (to, _now(), doc_id))
            self._log(doc_id, row["current_version"], actor,
                      {"published": "published", "withdrawn": "withdrawn"}.get(to, event), frm, to, reason)
        return to

    def correct(self, doc_id: int, document: dict, actor: str, reason: str) -> int:
        """A published document replaced by a new one: the old is kept (state corrected) and linked."""
        row = self._doc(doc_id)
        if row["state"] != "published":
            raise TransitionRefused(f"only a published document can be corrected; this one is {row['state']}")
        if not (reason and reason.strip()):
            raise TransitionRefused("a correction needs a reason")
        with self.tx():
            now = _now()
            cur = self.db.execute(
                "INSERT INTO documents (kind, subject, as_of, window, state, current_version, replaces, created_at, "
                "updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (row["kind"], row["subject"], row["as_of"], row["window"], "draft", 1, doc_id, now, now))
            new_id = cur.lastrowid
            self._insert_version(new_id, 1, document, actor, None, "")
            self._log(new_id, 1, actor, "created", None, "draft", reason, detail={"corrects": doc_id})
            self.db.execute("UPDATE documents SET state='corrected', replaced_by=?, updated_at=? WHERE id=?",
                            (new_id, now, doc_id))
            self._log(doc_id, row["current_version"], actor, "state", "published", "corrected", reason,
                      detail={"replaced_by": new_id})
        return new_id

    # ---- comments and the audit log -----------------------------------------------------------------

    def comment(self, doc_id: int, actor: str, text: str, section: str | None = None) -> None:
        if not text.strip():
            raise UsageError("an empty comment")
        with self.tx():
            row = self._doc(doc_id)
            self.db.execute("INSERT INTO comments (document_id, section, at, actor, text) VALUES (?,?,?,?,?)",
                            (doc_id, section, _now(), actor, text))
            self._log(doc_id, row["current_version"], actor, "comment", None, None, detail={"section": section})

    def comments(self, doc_id: int) -> list[dict]:
        return [dict(r) for r in self.db.execute(
            "SELECT section, at, actor, text FROM comments WHERE document_id=? ORDER BY id", (doc_id,))]

    def _log(self, doc_id: int, version: int | None, actor: str, event: str, frm: str | None, to: str | None,
             reason: str | None = None, detail: dict | None = None) -> None:
        self.db.execute(
            "INSERT INTO audit (document_id, version, at, actor, event, from_state, to_state, reason, detail) "
            "VALUES (?,?,?,?,?,?,?,?,?)",
            (doc_id, version, _now(), actor, event, frm, to, reason,
             json.dumps(detail, sort_keys=True) if detail is not None else None))

    def audit(self, doc_id: int) -> list[dict]:
        rows = [dict(r) for r in self.db.execute(
            "SELECT version, at, actor, event, from_state, to_state, reason, detail FROM audit "
            "WHERE document_id=? ORDER BY id", (doc_id,))]
        for r in rows:
            r["detail"] = json.loads(r["detail"]) if r["detail"] else None
        return rows

    # ---- users --------------------------------------------------------------------------------

    def add_user(self, name: str, role: str, password_hash: str) -> None:
        if role not in ROLES:
            raise UsageError(f"unknown role {role!r}; expected editor or approver")
        with self.tx():
            self.db.execute("INSERT OR REPLACE INTO users (name, role, password_hash, created_at) VALUES (?,?,?,?)",
                            (name, role, password_hash, _now()))

    def secret(self) -> str:
        """The key session cookies are signed with: made once per store, so a restart keeps sessions."""
        row = self.db.execute("SELECT value FROM settings WHERE name='session_secret'").fetchone()
        if row is not None:
            return row["value"]
        import secrets

        value = secrets.token_urlsafe(48)
        with self.tx():
            self.db.execute("INSERT OR IGNORE INTO settings (name, value) VALUES ('session_secret', ?)", (value,))
        return self.db.execute("SELECT value FROM settings WHERE name='session_secret'").fetchone()["value"]

    def user(self, name: str) -> dict | None:
        row = self.db.execute("SELECT * FROM users WHERE name=?", (name,)).fetchone()
        return dict(row) if row else None


