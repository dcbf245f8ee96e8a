"""A small OpenAI-compatible chat-completions server on 127.0.0.1 with scriptable answers, for tests.

Each POST /v1/chat/completions takes the next behaviour from `script`, then
`default` once the script is used up. Behaviours (a name, some with ":arg"):

    echo            the draft sections back, lightly reworded (see `reword`), numbers untouched
    invent[:key]    like echo, plus an invented number in every section (or only in `key`)
    partial         the first section only; the second empty, the third not a string, the rest missing
    prose           echo, but wrapped in chatter and a ```json fence
    malformed       a truncated JSON object
    empty           an empty message
    refuse          no content, a refusal message
    reject_schema   HTTP 400 if response_format is json_schema, else echo
    reject_formats  HTTP 400 if any response_format is sent, else prose
    429             HTTP 429 with a short retry-after-ms
    500             HTTP 500
    slow:SECONDS    wait, then echo

Every request is recorded (path, headers, parsed body, behaviour, status) and
the server tracks the most requests it had in flight at once.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

INVENTED = "Assets under management reached $9.87 billion."
REWORDS = {"saw": "recorded", "shows": "indicates", "suggests": "points to", "implies": "points to"}
_REWORD = re.compile(r"\b(" + "|".join(REWORDS) + r")\b")


def reword(text: str) -> str:
    """The echo behaviour's light edit: swap a few verbs and add a lead-in; numbers stay as they are."""
    return "Put simply: " + _REWORD.sub(lambda match: REWORDS[match.group(1)], text)


def unused_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (for 'endpoint unreachable')."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def json_objects(text: str) -> list[dict[str, Any]]:
    """Every JSON object embedded in `text`, outermost first."""
    decoder = json.JSONDecoder()
    found = []
    start = text.find("{")
    while start != -1:
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            start = text.find("{", start + 1)
            continue
        if isinstance(value, dict):
            found.append(value)
            start = text.find("{", end)
        else:
            start = text.find("{", start + 1)
    return found


def request_data(body: dict[str, Any]) -> dict[str, Any]:
    """The data object (the one with a "draft") in the request's last user message."""
    users = [m for m in body.get("messages", []) if m.get("role") == "user"]
    if not users:
        return {}
    for candidate in json_objects(users[-1].get("content") or ""):
        if "draft" in candidate:
            return candidate
    return {}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(payload).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            owner = self.server.owner
            self._send(200, {"object": "list", "data": [{"id": owner.model, "object": "model", "owned_by": "test"}]})
        else:
            self._send(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._send(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}})
            return
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send(404, {"error": {"message": f"unknown path {self.path}", "type": "invalid_request_error"}})
            return
        status, payload, headers = self.server.owner.handle(self.path, dict(self.headers), body)
        self._send(status, payload, headers)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: OpenAIServer


class OpenAIServer:
    """Start with `with OpenAIServer(...) as server:` or `.start()` / `.stop()`; point clients at `base_url`."""

    def __init__(self, *script: str, default: str = "echo", model: str = "test-model"):
        self.script = list(script)
        self.default = default
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._counter = 0
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle
    def start(self) -> OpenAIServer:
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="openai-test-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> OpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def bodies(self) -> list[dict[str, Any]]:
        """The parsed bodies of the chat-completion requests received, in order."""
        return [record["body"] for record in self.requests]

    # -- answering
    def _next_behaviour(self) -> str:
        with self._lock:
            self._counter += 1
            return self.script.pop(0) if self.script else self.default

    def handle(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, dict, dict]:
        behaviour = self._next_behaviour()
        record = {"path": path, "headers": {k.lower(): v for k, v in headers.items()}, "body": body, "behaviour": behaviour}
        with self._lock:
            self.requests.append(record)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            status, payload, extra = self._answer(behaviour, body)
        finally:
            with self._lock:
                self.in_flight -= 1
        record["status"] = status
        return status, payload, extra

    def _answer(self, behaviour: str, body: dict[str, Any]) -> tuple[int, dict, dict]:
        name, _, arg = behaviour.partition(":")
        fmt = (body.get("response_format") or {}).get("type")
        draft = request_data(body).get("draft", {})
        if name == "429":
            return 429, _error("Rate limit reached, slow down", "rate_limit_exceeded"), {"retry-after-ms": "20"}
        if name == "500":
            return 500, _error("The server had an error while processing your request", "server_error"), {}
        if name == "reject_schema" and fmt == "json_schema":
            return 400, _error("response_format json_schema is not supported by this server", "invalid_request_error"), {}
        if name == "reject_formats" and fmt is not None:
            return 400, _error(f"unknown response_format type {fmt!r}", "invalid_request_error"), {}
        if name == "slow":
            self._stopping.wait(float(arg or 5))
        echo = {key: reword(text) for key, text in draft.items()}
        if name in ("echo", "slow", "reject_schema"):
            content: str | None = json.dumps({"sections": echo})
        elif name == "invent":
            invented = {key: f"{text} {INVENTED}" if not arg or key == arg else text for key, text in echo.items()}
            content = json.dumps({"sections": invented})
        elif name == "partial":
            keys = list(echo)
            partial: dict[str, Any] = {keys[0]: echo[keys[0]]} if keys else {}
            if len(keys) > 1:
                partial[keys[1]] = ""
            if len(keys) > 2:
                partial[keys[2]] = 42
            content = json.dumps({"sections": partial})
        elif name in ("prose", "reject_formats"):
            content = "Sure! Here is the edited note:\n```json\n" + json.dumps({"sections": echo}, indent=2) + "\n```\nHope this helps."
        elif name == "malformed":
            content = '{"sections": {"lede": "The fund saw an estimated'
        elif name == "empty":
            content = ""
        elif name == "refuse":
            return 200, self._completion(body, None, refusal="I can't help with that."), {}
        else:
            raise ValueError(f"unknown behaviour {behaviour!r}")
        return 200, self._completion(body, content), {}

    def _completion(self, body: dict[str, Any], content: str | None, refusal: str | None = None) -> dict[str, Any]:
        prompt_chars = sum(len(m.get("content") or "") for m in body.get("messages", []))
        prompt_tokens = max(1, prompt_chars // 4)
        completion_tokens = len(content or refusal or "") // 4
        with self._lock:
            number = self._counter
        return {
            "id": f"chatcmpl-test{number:06d}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", self.model),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": refusal},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }


def _error(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": kind}}


def serve(behaviours: Iterable[str] = (), default: str = "echo") -> OpenAIServer:
    """A started server (call `.stop()` when done)."""
    return OpenAIServer(*behaviours, default=default).start()
