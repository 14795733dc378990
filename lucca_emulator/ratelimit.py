"""Lucca's limit: N requests per minute per tenant, 429 + Retry-After past it.

A sliding 60-second window over the requests that were let through; rejected ones
(401, 429) do not use up the budget. Tests may shrink the window (say 10 per 6 s) to
meet the same limit's shape without waiting whole minutes.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque

WINDOW_SECONDS = 60.0


class SlidingWindowLimiter:
    def __init__(self, rpm: int | None, window_seconds: float = WINDOW_SECONDS) -> None:
        if window_seconds <= 0:
            raise ValueError("window_seconds must be > 0")
        self.window = window_seconds
        self._lock = threading.Lock()
        self._accepted: deque[float] = deque()
        self.rpm = rpm

    @property
    def rpm(self) -> int | None:
        return self._rpm

    @rpm.setter
    def rpm(self, value: int | None) -> None:
        # None or 0 disables the limit (the CLI's --rpm 0).
        self._rpm = value if value else None

    def acquire(self, now: float | None = None) -> int | None:
        """Count one request; None if allowed, else the Retry-After seconds (>= 1)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            accepted = self._accepted
            while accepted and accepted[0] <= now - self.window:
                accepted.popleft()
            if self._rpm is not None and len(accepted) >= self._rpm:
                # The slot frees when the request at position len-rpm leaves the window.
                oldest = accepted[len(accepted) - self._rpm]
                return max(1, math.ceil(oldest + self.window - now))
            accepted.append(now)
            return None

    def reset(self) -> None:
        with self._lock:
            self._accepted.clear()


class RetryAfterWatch:
    """Catches clients that ignore Retry-After.

    Each 429 says "come back at t_429 + Retry-After"; a request that arrives before the
    latest such instant (same monotonic clock as RequestRecord.at) is early.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until = -math.inf
        self.early = 0

    def arrive(self, now: float) -> bool:
        """Note a request arriving at `now`; True (and counted) if it is early."""
        with self._lock:
            early = now < self._until
            self.early += early
            return early

    def told(self, now: float, retry_after: int) -> None:
        """A 429 sent for a request that arrived at `now`, with Retry-After seconds."""
        with self._lock:
            self._until = max(self._until, now + retry_after)

    def forget(self) -> None:
        """Drop the pending instant (the count stays): nothing is owed any more."""
        with self._lock:
            self._until = -math.inf
