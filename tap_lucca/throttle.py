"""Pacing of requests to one Lucca tenant."""

from __future__ import annotations

import threading
import time
import typing as t

if t.TYPE_CHECKING:
    from collections.abc import Callable


class RateLimiter:
    """Spaces requests evenly so that no 60-second window holds more than the budget.

    Even spacing (rather than bursts up to the budget) keeps a tenant's budget,
    which other integrations share, usable throughout a sync, and means a
    sliding-window counter on Lucca's side never sees more than `per_minute`.
    """

    def __init__(
        self,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        # A hair over the nominal interval: the server's clock sees our requests
        # with some jitter, and landing exactly on the boundary risks a 429.
        self.interval = 60.0 / per_minute * 1.01
        self._clock = clock
        self._sleep = sleep
        self._next_slot = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        """Block until the next request may be sent, and book that slot."""
        with self._lock:
            now = self._clock()
            wait = self._next_slot - now
            if wait > 0:
                self._sleep(wait)
                now += wait
            self._next_slot = now + self.interval

    def hold(self, seconds: float) -> None:
        """Send nothing for `seconds` from now (the server asked us to, via Retry-After)."""
        with self._lock:
            self._next_slot = max(self._next_slot, self._clock() + seconds)
