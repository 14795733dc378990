"""Lucca's limit: N requests per minute per tenant, 429 + Retry-After past it.

A sliding 60-second window over the requests that were let through; rejected ones
(401, 429) do not use up the budget.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque

WINDOW_SECONDS = 60.0


class SlidingWindowLimiter:
    def __init__(self, rpm: int | None) -> None:
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
            while accepted and accepted[0] <= now - WINDOW_SECONDS:
                accepted.popleft()
            if self._rpm is not None and len(accepted) >= self._rpm:
                # The slot frees when the request at position len-rpm leaves the window.
                oldest = accepted[len(accepted) - self._rpm]
                return max(1, math.ceil(oldest + WINDOW_SECONDS - now))
            accepted.append(now)
            return None

    def reset(self) -> None:
        with self._lock:
            self._accepted.clear()
