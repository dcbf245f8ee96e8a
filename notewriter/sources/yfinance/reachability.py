"""Whether Yahoo Finance can be reached at all: a bounded TCP probe that gives a one-line reason, not a hang."""

from __future__ import annotations

import os
import socket
import threading
from urllib.parse import urlsplit

from notewriter.errors import SourceUnavailable

PROBE_URL_ENV = "NOTEWRITER_YF_PROBE_URL"
PROBE_TIMEOUT = 3.0


def probe_url() -> str:
    """Where the reachability probe connects: ``$NOTEWRITER_YF_PROBE_URL`` or Yahoo's API host."""
    from notewriter.config import settings

    return settings().yf_probe_url


def _proxy_for(url: str) -> str | None:
    host = urlsplit(url).hostname or ""
    no_proxy = os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or ""
    for entry in (e.strip().lstrip(".") for e in no_proxy.split(",")):
        if entry and (entry == "*" or host == entry or host.endswith("." + entry)):
            return None
    scheme = urlsplit(url).scheme or "https"
    for var in (f"{scheme}_proxy", f"{scheme.upper()}_PROXY", "all_proxy", "ALL_PROXY"):
        if os.environ.get(var):
            return os.environ[var]
    return None


def unreachable_reason(url: str | None = None, timeout: float = PROBE_TIMEOUT) -> str | None:
    """None when a TCP connection to the Yahoo host (or the configured proxy) opens within
    ``timeout`` seconds; otherwise a short reason. Name resolution is bounded too."""
    target = url or probe_url()
    proxy = _proxy_for(target) if url is None else None
    parts = urlsplit(proxy if proxy and "://" in proxy else (f"http://{proxy}" if proxy else target))
    host = parts.hostname
    if not host:
        return f"bad probe address {target!r}"
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return f"bad probe address {target!r}"
    label = f"proxy {host}:{port}" if proxy else f"{host}:{port}"
    outcome: dict = {}

    def connect():
        try:
            with socket.create_connection((host, port), timeout=timeout):
                outcome["ok"] = True
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcome["error"] = exc

    worker = threading.Thread(target=connect, name="notewriter-yahoo-probe", daemon=True)
    worker.start()
    worker.join(timeout + 0.5)
    if outcome.get("ok"):
        return None
    exc = outcome.get("error")
    if exc is None or isinstance(exc, (socket.timeout, TimeoutError)):
        return f"no answer from {label} within {timeout:g} s"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve {'proxy ' if proxy else ''}{host}"
    if isinstance(exc, ConnectionRefusedError):
        return f"connection to {label} refused"
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"{label}: {reason}"


def unreachable_error(reason: str, cache_dir) -> SourceUnavailable:
    return SourceUnavailable(f"cannot reach Yahoo Finance ({reason}); run with --offline to use the cache at {cache_dir}")


def rate_limited_error(detail: str, cache_dir) -> SourceUnavailable:
    return SourceUnavailable(
        f"Yahoo Finance is rate-limiting requests ({detail}); try again in a few minutes, "
        f"or run with --offline to use the cache at {cache_dir}"
    )
