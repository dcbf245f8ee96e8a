"""Secrets stay secret: the API key and the base URL's credentials never reach a message, a log record,
the cache or a note, even when the endpoint sends them back.

The endpoint here is hostile: a local OpenAI-compatible server (127.0.0.1, started by the test) that echoes
the request headers (so `Authorization: Bearer <key>`, or `Basic <base64 of user:password>` when the base
URL carries credentials), the key and the password in its error bodies, its refusals and its answers.
"""

from __future__ import annotations

import base64
import itertools
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from notewriter import redact
from notewriter.llm import LLMSettings, run_llm_pass
from notewriter.llm.cache import _Cache

try:
    from openai_server import OpenAIServer, _error, request_data, reword
except ImportError:  # tests imported as a package
    from tests.openai_server import OpenAIServer, _error, request_data, reword

pytest.importorskip("openai")

ROOT = Path(__file__).resolve().parents[1]

KEY = "sk-test-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
USER = "nwuser-7731"
PASSWORD = "p@ss:w0rd/Zq9"              # as the server sees it (httpx decodes the URL's userinfo)
PASSWORD_IN_URL = "p%40ss%3Aw0rd%2FZq9"  # as written in the base URL
# base64 of user:password as HTTP Basic authentication sends it, and of the URL's spelling of it
BASIC = "bnd1c2VyLTc3MzE6cEBzczp3MHJkL1pxOQ=="
BASIC_AS_WRITTEN = "bnd1c2VyLTc3MzE6cCU0MHNzJTNBdzByZCUyRlpxOQ=="
SECRETS = [KEY, USER, PASSWORD, PASSWORD_IN_URL, BASIC, BASIC_AS_WRITTEN, f"{USER}:{PASSWORD}"]


def test_the_hand_written_base64_is_what_basic_authentication_sends():
    assert base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode() == BASIC
    assert base64.b64encode(f"{USER}:{PASSWORD_IN_URL}".encode()).decode() == BASIC_AS_WRITTEN


def leaks(text: str, secrets: list[str] = SECRETS) -> list[str]:
    """The secrets of which ten characters in a row appear in `text` (a secret cut short leaks too)."""
    return sorted({s for s in secrets for i in range(len(s) - 9) if s[i:i + 10] in text})


def test_leaks_finds_a_secret_cut_short():
    assert leaks("Authorization: Basic bnd1c2VyLTc3MzE6cEBzcz…") == sorted([BASIC, BASIC_AS_WRITTEN])
    assert leaks("key sk-test-9f8e") == [KEY]
    assert leaks("nothing here: sk-test-, nwuser") == []


# --------------------------------------------------------------------------- the hostile server


class HostileServer(OpenAIServer):
    """OpenAIServer plus behaviours that send secrets back; `cycle` repeats a list of behaviours.

        echo_status:CODE    HTTP CODE, the error message echoing every request header, the key and password
        secret_answer[:S]   the echo answer, with S (default the key) appended to the first section
        refusal_leak        no content, a refusal echoing the headers
        prose_leak          content that is no JSON, echoing the headers
        odd_shape           a 200 whose choices and usage are strings echoing the headers
    """

    def __init__(self, *script: str, cycle: list[str] | None = None, default: str = "echo"):
        super().__init__(*script, default=default)
        self._cycle = itertools.cycle(cycle) if cycle else None
        self.seen_authorization: set[str] = set()

    def _next_behaviour(self) -> str:
        with self._lock:
            self._counter += 1
            if self.script:
                return self.script.pop(0)
            return next(self._cycle) if self._cycle else self.default

    def handle(self, path, headers, body):
        self._headers = dict(headers)
        with self._lock:
            self.seen_authorization.add(next((v for k, v in self._headers.items() if k.lower() == "authorization"), ""))
        return super().handle(path, headers, body)

    def _answer(self, behaviour, body):
        name, _, arg = behaviour.partition(":")
        echoed = "; ".join(f"{k}: {v}" for k, v in self._headers.items())
        leak = f"you sent {echoed}; key {KEY}; password {PASSWORD}"
        if name == "echo_status":
            return int(arg), _error(f"rejected: {leak}", "invalid_request_error"), {}
        if name == "secret_answer":
            sections = {key: reword(text) for key, text in request_data(body).get("draft", {}).items()}
            first = next(iter(sections))
            sections[first] += f" Reference {arg or KEY}."
            return 200, self._completion(body, json.dumps({"sections": sections})), {}
        if name == "refusal_leak":
            return 200, self._completion(body, None, refusal=f"I will not: {leak}"), {}
        if name == "prose_leak":
            return 200, self._completion(body, f"Sorry: {leak}"), {}
        if name == "odd_shape":
            return 200, {"id": "x", "object": "chat.completion", "choices": leak, "usage": {"prompt_tokens": leak}}, {}
        return super()._answer(behaviour, body)


@pytest.fixture
def hostile():
    started: list[HostileServer] = []

    def make(*script: str, cycle: list[str] | None = None, default: str = "echo") -> HostileServer:
        server = HostileServer(*script, cycle=cycle, default=default).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


def url_with_credentials(server: OpenAIServer) -> str:
    return f"http://{USER}:{PASSWORD_IN_URL}@127.0.0.1:{server.port}/v1"


# --------------------------------------------------------------------------- redact.py


def _settings(**values) -> LLMSettings:
    return LLMSettings(**{"model": "m", "api_key": KEY, "base_url": "http://127.0.0.1:9/v1", **values})


def test_the_secrets_of_settings_in_every_form_they_come_back_in():
    settings = _settings(base_url=f"http://{USER}:{PASSWORD_IN_URL}@127.0.0.1:9/v1?api-key=qwerty123&v=2024-02-01")
    assert redact.secrets_of(settings) == {
        KEY,
        USER, PASSWORD, PASSWORD_IN_URL, f"{USER}:{PASSWORD}", f"{USER}:{PASSWORD_IN_URL}",
        BASIC, BASIC.rstrip("="), BASIC_AS_WRITTEN, BASIC_AS_WRITTEN.rstrip("="),
        "qwerty123",  # a key-like query parameter; the version is no secret
    }
    assert redact.secrets_of(LLMSettings(model="m")) == set()


def test_redact_takes_out_whole_and_cut_short_secrets():
    settings = _settings(base_url=f"http://{USER}:{PASSWORD_IN_URL}@127.0.0.1:9/v1")
    text = (f"Authorization: Bearer {KEY}; Authorization: Basic {BASIC}; cut: Basic bnd1c2VyLTc3MzE6cEBzcz… "
            f"url http://{USER}:{PASSWORD_IN_URL}@127.0.0.1:9/v1 password {PASSWORD}")
    assert redact.redact(text, settings) == (
        "Authorization: Bearer [redacted]; Authorization: Basic [redacted]; cut: Basic [redacted]… "
        "url http://[redacted]@127.0.0.1:9/v1 password [redacted]")
    assert redact.redact("sk-test-9f8 is only eleven characters of the key", settings) == \
        "sk-test-9f8 is only eleven characters of the key"
    assert redact.redact(None, settings) is None


def test_contains_secret_whole_or_cut_short():
    settings = _settings()
    assert redact.contains_secret(f"call {KEY} now", settings)
    assert redact.contains_secret("call sk-test-9f8e7d… now", settings)  # twelve characters and more
    assert not redact.contains_secret("IJR saw a $399.4 million outflow.", settings)
    assert not redact.contains_secret("", settings)


def test_values_too_short_to_be_told_from_words_are_not_searched_for():
    settings = _settings(api_key="k", base_url="http://me:pw@127.0.0.1:9/v1")
    assert redact.secrets_of(settings) == {"me:pw", "bWU6cHc=", "bWU6cHc"}
    assert redact.redact("me and pw and me:pw", settings) == "me and pw and [redacted]"
    # the placeholder keys of local servers and short user names are words, not secrets
    settings = _settings(api_key="EMPTY", base_url="http://admin:s3cret-pw@127.0.0.1:9/v1")
    assert redact.secrets_of(settings) == {
        "s3cret-pw", "admin:s3cret-pw", "YWRtaW46czNjcmV0LXB3"}  # (that base64 has no padding)
    assert redact.redact("EMPTY admin s3cret-pw", settings) == "EMPTY admin [redacted]"


def test_an_answer_that_uses_the_placeholder_key_as_a_word_is_used(hostile, tmp_path):
    server = hostile(default="secret_answer:none")
    settings = LLMSettings(model="m", api_key="none", base_url=server.base_url, max_retries=0, cache=False)
    result = run_llm_pass(facts={"ticker": "IJR"}, sections=DRAFT, check=lambda key, text: [], settings=settings)
    assert {o["origin"] for o in result.origins.values()} == {"llm"}
    assert result.sections["lede"].endswith(" Reference none.")


def test_without_credentials_keeps_host_path_and_query():
    assert redact.without_credentials(f"https://{USER}:{PASSWORD_IN_URL}@api.example.com:8443/v1?x=1") == \
        "https://api.example.com:8443/v1?x=1"
    assert redact.without_credentials("https://api.example.com/v1") == "https://api.example.com/v1"


# --------------------------------------------------------------------------- the session


DRAFT = {
    "lede": "iShares Core S&P Small-Cap ETF (IJR) saw an estimated $399.4 million net outflow this week.",
    "contrarian_angle": "The obvious reading may be wrong: single-week outflows have often reversed.",
}


def _pass(server: OpenAIServer, tmp_path: Path, *, credentials: bool = True, cache: bool = False, **overrides):
    settings = LLMSettings(
        model="test-model", api_key=KEY,
        base_url=url_with_credentials(server) if credentials else server.base_url,
        timeout=5.0, max_retries=1, backoff=0.0, backoff_max=0.0, cache=cache, cache_dir=tmp_path / "llm-cache",
        **overrides)
    return run_llm_pass(facts={"ticker": "IJR"}, sections=DRAFT, check=lambda key, text: [], settings=settings)


# (a 500 is retried and then reported by its code alone; with the key only in a header it has nothing to leak)
@pytest.mark.parametrize("status, credentials", [(400, True), (400, False), (418, True), (418, False), (422, True),
                                                 (422, False), (500, True)])
def test_an_error_body_echoing_the_headers_is_redacted_in_the_warning_and_every_log_record(
        hostile, tmp_path, caplog, credentials, status):
    server = hostile(default=f"echo_status:{status}")
    with caplog.at_level(logging.DEBUG):
        result = _pass(server, tmp_path, credentials=credentials)
    assert server.seen_authorization == ({f"Basic {BASIC}"} if credentials else {f"Bearer {KEY}"})
    assert result.sections == DRAFT
    warning = result.run["warning"]
    if status in (400, 418, 422):  # these warnings quote the endpoint's message
        assert "authorization: " + ("basic" if credentials else "bearer") + " [redacted]" in warning.lower(), warning
    logged = "\n".join(caplog.text.splitlines()) + "".join(r.exc_text or "" for r in caplog.records)
    assert len(caplog.records) >= 2
    assert leaks(json.dumps(result.model_dump())) == []
    assert leaks(logged) == []


@pytest.mark.parametrize("secret", [KEY, PASSWORD, BASIC, PASSWORD_IN_URL, "sk-test-9f8e7d6c"])
def test_an_answer_holding_a_secret_is_not_used_and_not_cached(hostile, tmp_path, secret):
    server = hostile(default=f"secret_answer:{secret}")
    result = _pass(server, tmp_path, cache=True)
    assert result.sections == DRAFT
    assert {key: o["reason"] for key, o in result.origins.items()} == {
        "lede": "model answer contained a credential", "contrarian_angle": "model answer contained a credential"}
    assert result.run["warning"] == (
        f"LLM endpoint http://127.0.0.1:{server.port}/v1 sent an answer that contained the API key or a "
        "base-URL credential (not used); used template text")
    assert not (tmp_path / "llm-cache").exists() or not list((tmp_path / "llm-cache").rglob("*.json"))


@pytest.mark.parametrize("behaviour", ["refusal_leak", "prose_leak"])
def test_a_refusal_or_prose_echoing_the_headers_is_not_shown(hostile, tmp_path, behaviour):
    server = hostile(default=behaviour)
    result = _pass(server, tmp_path)
    assert {o["reason"] for o in result.origins.values()} == {"model answer contained a credential"}
    assert leaks(json.dumps(result.model_dump())) == []


def test_a_cached_answer_holding_a_secret_is_not_replayed(hostile, tmp_path):
    server = hostile(default="echo")
    clean = _pass(server, tmp_path, cache=True)
    assert {o["origin"] for o in clean.origins.values()} == {"llm"}  # a clean answer is used and cached
    (entry,) = (tmp_path / "llm-cache").rglob("*.json")
    assert json.loads(entry.read_text())["base_url"] == f"http://127.0.0.1:{server.port}/v1"
    doc = json.loads(entry.read_text())
    doc["content"] = json.dumps({"sections": {"lede": f"Leaked {KEY}", "contrarian_angle": "fine"}})
    entry.write_text(json.dumps(doc))  # an entry an older version wrote
    result = _pass(server, tmp_path, cache=True)
    assert len(server.requests) == 2  # asked again, not replayed
    assert result.run["cached"] is False and leaks(json.dumps(result.model_dump())) == []
    assert leaks(entry.read_text()) == []  # and the fresh answer took its place


def test_the_cache_key_leaves_the_credentials_out():
    plain = _settings(base_url="https://api.example.com/v1")
    one = _settings(base_url=f"https://{USER}:{PASSWORD_IN_URL}@api.example.com/v1")
    other = _settings(base_url="https://someone:else-entirely@api.example.com/v1")
    messages = [{"role": "user", "content": "hi"}]
    assert _Cache.key(one, "1", messages) == _Cache.key(other, "1", messages) == _Cache.key(plain, "1", messages)
    assert _Cache.key(_settings(base_url="https://elsewhere.example.com/v1"), "1", messages) != \
        _Cache.key(plain, "1", messages)


def test_an_answer_of_an_odd_shape_is_unusable_not_a_crash(hostile, tmp_path):
    server = hostile(default="odd_shape")
    result = _pass(server, tmp_path)
    assert {o["reason"] for o in result.origins.values()} == {"model returned no text"}
    assert result.run["prompt_tokens"] == 0 and result.run["warning"] is None


# --------------------------------------------------------------------------- the CLI, unattended


HOSTILE_CYCLE = ["echo_status:418", "secret_answer", "refusal_leak", "echo", "echo_status:400", "prose_leak",
                 "secret_answer:" + BASIC, "odd_shape", "echo_status:500", "secret_answer:" + PASSWORD, "echo"]


def _notewriter(args: list[str], tmp_path: Path, base_url: str) -> subprocess.CompletedProcess:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("OPENAI_", "NOTEWRITER_"))}
    env.update(HOME=str(home), NOTEWRITER_CACHE_DIR=str(tmp_path / "cache"), XDG_CACHE_HOME=str(home / ".cache"),
               PYTHONPATH=str(ROOT), OPENAI_API_KEY=KEY, OPENAI_BASE_URL=base_url, NOTEWRITER_LLM_MODEL="test-model",
               NOTEWRITER_LLM_TIMEOUT="5", NOTEWRITER_LLM_MAX_RETRIES="0")
    return subprocess.run([sys.executable, "-m", "notewriter", *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=300)


def _everything_written(tmp_path: Path, *procs: subprocess.CompletedProcess) -> dict[str, str]:
    found = {f"stdout {i}": p.stdout for i, p in enumerate(procs)}
    found.update({f"stderr {i}": p.stderr for i, p in enumerate(procs)})
    for path in tmp_path.rglob("*"):
        if path.is_file():
            found[str(path.relative_to(tmp_path))] = path.read_bytes().decode("utf-8", "replace")
    return found


@pytest.mark.parametrize("credentials", [True, False], ids=["basic-auth", "bearer"])
def test_write_and_batch_with_a_hostile_endpoint_leave_no_secret_anywhere(hostile, tmp_path, credentials):
    server = hostile(cycle=HOSTILE_CYCLE)
    base_url = url_with_credentials(server) if credentials else server.base_url
    out = tmp_path / "out"
    write = _notewriter(["write", "IJR", "--llm", "--format", "json", "--out", str(out / "ijr.json")], tmp_path,
                        base_url)
    write_md = _notewriter(["write", "SPY", "--llm", "--out", str(out / "spy.md")], tmp_path, base_url)
    batch = _notewriter(["batch", "--llm", "--out", str(out / "batch"), "--formats", "md,json", "--jobs", "2"],
                        tmp_path, base_url)
    for proc in (write, write_md, batch):
        assert proc.returncode == 0, proc.stderr

    # the hostile behaviours were all met, and with the credentials they echo
    met = {record["behaviour"] for record in server.requests}
    assert met >= set(HOSTILE_CYCLE), met
    assert server.seen_authorization == ({f"Basic {BASIC}"} if credentials else {f"Bearer {KEY}"})
    written = _everything_written(tmp_path, write, write_md, batch)
    assert len([name for name in written if name.startswith("out")]) >= 30  # the notes are there to grep
    # without credentials in the URL only the key is a secret (the password is then just text an answer holds)
    secrets = SECRETS if credentials else [KEY]
    assert {name: leaks(text, secrets) for name, text in written.items() if leaks(text, secrets)} == {}
    # what the endpoint did shows, without the secrets
    runs = [(json.loads(text).get("run") or {}).get("warning") for name, text in written.items()
            if name.startswith("out") and name.endswith(".json")]
    said = " ".join(w for w in runs if w)
    assert "contained the API key or a base-URL credential (not used)" in said
    assert "[redacted]" in said


def test_an_unexpected_failure_of_the_pass_is_redacted_too():
    from notewriter.config import LLMSettings
    from notewriter.llm.run import _unexpected

    settings = LLMSettings(model="m", base_url="https://user:hunter2hunter2@llm.example/v1",
                           api_key="sk-test-0123456789abcdef")
    result = _unexpected({"lede": "x"}, settings,
                         RuntimeError("sent Authorization: Bearer sk-test-0123456789abcdef to user:hunter2hunter2"))
    warning = result.run["warning"]
    assert "sk-test-0123456789abcdef" not in warning and "hunter2hunter2" not in warning and "[redacted]" in warning
