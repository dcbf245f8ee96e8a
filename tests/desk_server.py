"""A review desk on 127.0.0.1 for the tests: a store with real drafts, two users, the real server."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

from notewriter.check import check_note
from notewriter.desk.auth import hash_password
from notewriter.desk.edit import facts_doc
from notewriter.desk.store import Store
from notewriter.document import to_json
from notewriter.pipeline import write_note

PASSWORDS = {"ann": "ann-password", "bob": "bob-password"}


def make_store(path: Path, hostile_name: str | None = None) -> Store:
    store = Store(path)
    for t in ("IJR", "SPY"):
        doc = json.loads(to_json(write_note(t, "2025-10-31", "1w")))
        if hostile_name and t == "SPY":  # a vendor name with markup, everywhere the name is printed
            name = doc["facts"]["identity"]["name"]["value"] if isinstance(doc["facts"]["identity"]["name"], dict) \
                else doc["facts"]["identity"]["name"]
            doc["title"] = doc["title"].replace("SPY", f"SPY {hostile_name}", 1)
            doc["markdown"] = doc["markdown"].replace(name, hostile_name)
            for sec in doc["sections"].values():
                sec["text"] = sec["text"].replace(name, hostile_name)
            doc["check"] = check_note(doc["markdown"], facts_doc(doc)).as_dict()
        store.add_draft(doc, data_snapshot="bundled samples as of 2025-10-31")
    store.add_user("ann", "editor", hash_password(PASSWORDS["ann"]))
    store.add_user("bob", "approver", hash_password(PASSWORDS["bob"]))
    return store


class Server:
    """uvicorn serving the desk in a thread, on a free port of 127.0.0.1."""

    def __init__(self, store_path: Path, four_eyes: bool = False):
        import uvicorn

        from notewriter.desk.app import create_app

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        config = uvicorn.Config(create_app(store_path, four_eyes), host="127.0.0.1", port=self.port,
                                log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the desk did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
