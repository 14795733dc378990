"""Seeded random faults: server errors, dropped connections, truncated JSON bodies,
timeouts (408).

One `FaultPicker` draws the same fixed set of random numbers for every request that
passed the key check and the rate limit, in arrival order, whether or not a fault is
then applied. So the n-th such request meets the same fate for a given seed, even
when a 403, a 408 or `fail_next` answered some earlier request instead.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from http import HTTPStatus

# The values of RequestRecord.fault.
SERVER_ERROR = "server_error"
DROP = "drop"
TRUNCATED = "truncated"
TIMEOUT_408 = "timeout_408"
FORBIDDEN = "forbidden"
FAILING = "failing"

SERVER_ERROR_STATUSES = (500, 502, 503)


@dataclass(frozen=True)
class Faults:
    """Shares (probabilities) of requests that meet each fault; Faults() means none."""

    seed: int = 0
    server_errors: float = 0.0  # 500/502/503 with an HTML body, as a proxy would send
    drops: float = 0.0  # the socket closes without any response
    truncations: float = 0.0  # a 200 whose JSON body is cut short
    timeouts: float = 0.0  # 408, as Lucca answers a request it aborted after 5 s under load

    def __post_init__(self) -> None:
        shares = (self.server_errors, self.drops, self.truncations, self.timeouts)
        if any(not 0.0 <= share <= 1.0 for share in shares):
            raise ValueError("fault shares must be between 0 and 1")
        if sum(shares) > 1.0 + 1e-9:  # tolerate float noise such as 3 * (1/3)
            raise ValueError("fault shares must add up to 1 at most")

    @property
    def active(self) -> bool:
        return bool(self.server_errors or self.drops or self.truncations or self.timeouts)


@dataclass(frozen=True)
class FaultDraw:
    """One request's fate. `kind` is None, SERVER_ERROR, DROP, TRUNCATED or TIMEOUT_408."""

    kind: str | None
    status: int  # for SERVER_ERROR
    full_length: bool  # for TRUNCATED: announce the whole body, send part, hang up
    cut: float  # for TRUNCATED: the share of the body that is sent, in [0.05, 0.95)

    def truncate(self, payload: bytes) -> bytes:
        """A strict prefix of `payload` (never empty): a prefix of a JSON object is invalid."""
        return payload[: min(len(payload) - 1, max(1, int(len(payload) * self.cut)))]


class FaultPicker:
    """Thread-safe: draws happen one at a time, in the order requests call `draw`."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self._rng = random.Random(faults.seed)
        self._lock = threading.Lock()

    def draw(self) -> FaultDraw | None:
        """The next request's fate; None when no fault is configured (no draw made)."""
        faults = self.faults
        if not faults.active:
            return None
        with self._lock:
            rng = self._rng
            # Always four draws, so one request's fate never shifts the next one's.
            roll, status, full_length, cut = (
                rng.random(),
                rng.choice(SERVER_ERROR_STATUSES),
                rng.random() < 0.5,
                rng.uniform(0.05, 0.95),
            )
        kind = None
        if roll < faults.server_errors:
            kind = SERVER_ERROR
        elif roll < faults.server_errors + faults.drops:
            kind = DROP
        elif roll < faults.server_errors + faults.drops + faults.truncations:
            kind = TRUNCATED
        elif roll < faults.server_errors + faults.drops + faults.truncations + faults.timeouts:
            kind = TIMEOUT_408
        return FaultDraw(kind, status, full_length, cut)


def html_error(status: int) -> bytes:
    """The bare HTML page a gateway sends, e.g. <h1>502 Bad Gateway</h1>."""
    title = f"{status} {HTTPStatus(status).phrase}"
    return f"<html><body><h1>{title}</h1></body></html>".encode("ascii")
