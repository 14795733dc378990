"""Pacing of requests to one Lucca tenant, and the pauses it asks for."""

from __future__ import annotations

import email.utils
import math
import threading
import time
import typing as t

if t.TYPE_CHECKING:
    from collections.abc import Callable

    import requests

#: The wait when `Retry-After` is missing or unreadable.
_DEFAULT_RETRY_AFTER = 1.0


def retry_after_seconds(response: requests.Response) -> float:
    """Read `Retry-After`, which HTTP allows as seconds or as a date."""
    value = response.headers.get("Retry-After", "").strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError):
            return _DEFAULT_RETRY_AFTER
    return max(seconds, 0.0) if math.isfinite(seconds) else _DEFAULT_RETRY_AFTER


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
