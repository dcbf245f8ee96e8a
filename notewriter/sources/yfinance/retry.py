"""Retries of yfinance calls with tenacity: which failures are worth another attempt, and how a call fails for good."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass


def _type_names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def is_rate_limit(exc: BaseException) -> bool:
    """yfinance's ``YFRateLimitError`` (raised on HTTP 429), recognized without importing yfinance."""
    return "YFRateLimitError" in _type_names(exc) or "Too Many Requests" in str(exc)


def is_connection_error(exc: BaseException) -> bool:
    """A transport failure (DNS, refused, reset, timeout) from requests, curl_cffi or the socket layer."""
    names = _type_names(exc)
    if names & {"HTTPError", "JSONDecodeError"}:
        return False
    return bool(names & {"ConnectionError", "ConnectTimeout", "ReadTimeout", "Timeout", "ProxyError", "SSLError"}) or \
        isinstance(exc, (ConnectionError, TimeoutError, socket.timeout, socket.gaierror))


def is_missing_data(exc: BaseException) -> bool:
    return "YFTickerMissingError" in _type_names(exc) or "YFDataException" in _type_names(exc)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with exponential backoff for rate limits and connection blips.

    ``wait`` is a tenacity wait strategy; ``sleep`` is what waits (tests pass a recorder).
    The default waits 1 s, 2 s, 4 s between four attempts, and starts none after a minute
    (yfinance's info and share-count requests wait up to 30 s each).
    """

    attempts: int = 4
    wait: Callable | None = None
    sleep: Callable[[float], None] = time.sleep
    max_seconds: float = 60.0  # no new attempt once this long has passed since the first

    def retrying(self):
        import tenacity

        wait = self.wait if self.wait is not None else tenacity.wait_exponential(multiplier=1, min=1, max=8)
        return tenacity.Retrying(
            stop=tenacity.stop_after_attempt(max(1, self.attempts)) | tenacity.stop_after_delay(self.max_seconds),
            wait=wait,
            sleep=self.sleep,
            retry=tenacity.retry_if_exception(lambda e: is_rate_limit(e) or is_connection_error(e)),
            reraise=True,
        )


class CallFailed(Exception):
    """A yfinance call that failed for good; ``kind`` is network, rate_limit, no_data or error."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


def _short(exc: BaseException, limit: int = 160) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Session:
    """Runs yfinance calls under one retry policy; after a source-wide failure (network gone,
    rate limit past its retries) the remaining calls fail at once instead of waiting again."""

    def __init__(self, retry: RetryPolicy):
        self.retry = retry
        self.tripped: CallFailed | None = None

    def call(self, fn: Callable, what: str):
        if self.tripped is not None:
            raise CallFailed(self.tripped.kind, f"skipped {what}: {self.tripped.message}")
        attempts = 0

        def attempt():
            nonlocal attempts
            attempts += 1
            return fn()

        try:
            return self.retry.retrying()(attempt)
        except Exception as exc:  # noqa: BLE001 - classified below
            if is_rate_limit(exc):
                tries = f"{attempts} attempt" + ("" if attempts == 1 else "s")
                self.tripped = CallFailed("rate_limit", f"rate-limited by Yahoo Finance, gave up after {tries}")
                raise CallFailed("rate_limit", f"{what}: {self.tripped.message}") from exc
            if is_connection_error(exc):
                self.tripped = CallFailed("network", f"connection to Yahoo Finance failed: {_short(exc)}")
                raise CallFailed("network", f"{what}: {self.tripped.message}") from exc
            if is_missing_data(exc):
                raise CallFailed("no_data", f"{what}: {_short(exc)}") from exc
            raise CallFailed("error", f"{what}: {type(exc).__name__}: {_short(exc)}") from exc
