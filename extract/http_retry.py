"""HTTP with bounded retries, Retry-After and request counting, as a ``requests.Session``.

Every outbound request of the extractor (Spotify's API and token endpoint, ReccoBeats) goes
through a :class:`RetryingSession`; spotipy is handed one as its ``requests_session``, so
spotipy's own urllib3 retries are never mounted and each request and retry is counted here.

What is retried:
- HTTP 429: after ``Retry-After`` seconds (or the backoff if the header is missing). A wait
  longer than ``max_retry_after`` is not slept through: the session raises
  :class:`RateLimitedError` and refuses further requests to that service until the wait is
  over, so one long ban does not stall the run artist after artist.
- HTTP 500, 502, 503, 504, timeouts and connection errors: exponential backoff
  ``base_delay * 2**attempt`` capped at ``max_delay``, with jitter, at most ``max_retries``
  times.
Anything else (2xx, 3xx, 4xx other than 429) is returned at once: a 403 or 404 from a removed
endpoint means "this app cannot do that", which waiting does not change.

Tuning by environment variable (seconds unless said otherwise):
``EXTRACT_HTTP_TIMEOUT`` (10), ``EXTRACT_MAX_RETRIES`` (count, 5),
``EXTRACT_RETRY_BASE_DELAY`` (1), ``EXTRACT_RETRY_MAX_DELAY`` (30),
``EXTRACT_MAX_RETRY_AFTER`` (120); each a finite number, 0 or more (the timeout above 0).
"""

from __future__ import annotations

import math
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import requests

RETRIED_STATUSES = frozenset({500, 502, 503, 504})


class RateLimitedError(Exception):
    """The service asked us to wait longer than we are willing to (``Retry-After``)."""

    def __init__(self, service: str, retry_after: float) -> None:
        super().__init__(
            f"{service} is rate limiting this app: it asks to wait {retry_after:.0f} s; "
            "try again later"
        )
        self.service = service
        self.retry_after = retry_after


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait for an answer and how to retry a transient failure."""

    timeout: float = 10.0
    max_retries: int = 5
    base_delay: float = 1.0
    max_delay: float = 30.0
    max_retry_after: float = 120.0

    @classmethod
    def from_environment(cls, environment: Mapping[str, str] | None = None) -> RetryPolicy:
        """Read the ``EXTRACT_*`` variables; raise ValueError naming a bad one."""
        environment = os.environ if environment is None else environment
        defaults = cls()
        values: dict[str, float | int] = {}
        for name, attribute, kind in (
            ("EXTRACT_HTTP_TIMEOUT", "timeout", float),
            ("EXTRACT_MAX_RETRIES", "max_retries", int),
            ("EXTRACT_RETRY_BASE_DELAY", "base_delay", float),
            ("EXTRACT_RETRY_MAX_DELAY", "max_delay", float),
            ("EXTRACT_MAX_RETRY_AFTER", "max_retry_after", float),
        ):
            raw = environment.get(name)
            if raw is None or raw == "":
                values[attribute] = getattr(defaults, attribute)
                continue
            try:
                value = kind(raw)
            except ValueError:
                raise ValueError(f"{name} must be a number, got {raw!r}") from None
            if not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, got {raw!r}")
            if value < 0 or (attribute == "timeout" and value == 0):
                raise ValueError(f"{name} must be positive, got {raw!r}")
            values[attribute] = value
        return cls(**values)  # type: ignore[arg-type]

    def backoff(self, attempt: int) -> float:
        """The wait before retry number ``attempt + 1``: exponential, capped, jittered."""
        ceiling = min(self.max_delay, self.base_delay * (2**attempt))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


@dataclass
class RequestStats:
    """Counts of requests and retries per service, shared by the sessions of one run."""

    requests: Counter[str] = field(default_factory=Counter)
    retries: Counter[str] = field(default_factory=Counter)
    rate_limited: Counter[str] = field(default_factory=Counter)
    waited_seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count_request(self, service: str) -> None:
        with self._lock:
            self.requests[service] += 1

    def count_retry(self, service: str, waited: float, rate_limited: bool) -> None:
        with self._lock:
            self.retries[service] += 1
            self.waited_seconds += waited
            if rate_limited:
                self.rate_limited[service] += 1

    @property
    def requests_total(self) -> int:
        return sum(self.requests.values())

    @property
    def retries_total(self) -> int:
        return sum(self.retries.values())

    def as_dict(self) -> dict[str, object]:
        return {
            "requests": dict(sorted(self.requests.items())),
            "requests_total": self.requests_total,
            "retries": dict(sorted(self.retries.items())),
            "retries_total": self.retries_total,
            "rate_limited": dict(sorted(self.rate_limited.items())),
            "waited_seconds": round(self.waited_seconds, 3),
        }


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds form), None if absent or odd."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return max(seconds, 0.0)


class RetryingSession(requests.Session):
    """A session that retries transient failures of one service and counts every request."""

    def __init__(
        self,
        service: str,
        policy: RetryPolicy,
        stats: RequestStats,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__()
        self.service = service
        self.policy = policy
        self.stats = stats
        self._sleep = sleep
        self._blocked_until = 0.0

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.policy.timeout
        attempt = 0
        while True:
            remaining_ban = self._blocked_until - time.monotonic()
            if remaining_ban > 0:
                raise RateLimitedError(self.service, remaining_ban)
            self.stats.count_request(self.service)
            rate_limited = False
            try:
                response = super().request(method, url, *args, **kwargs)
            except (requests.Timeout, requests.ConnectionError):
                if attempt >= self.policy.max_retries:
                    raise
                delay = self.policy.backoff(attempt)
            else:
                if response.status_code == 429:
                    rate_limited = True
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
                    delay = self.policy.backoff(attempt) if retry_after is None else retry_after
                    if delay > self.policy.max_retry_after:
                        self._blocked_until = time.monotonic() + delay
                        response.close()
                        raise RateLimitedError(self.service, delay)
                elif response.status_code in RETRIED_STATUSES:
                    delay = self.policy.backoff(attempt)
                else:
                    return response
                if attempt >= self.policy.max_retries:
                    return response
                response.close()
            self.stats.count_retry(self.service, delay, rate_limited)
            attempt += 1
            self._sleep(delay)
