"""What the emulator saw: one RequestRecord per request, whatever its answer."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str  # without the query string
    params: dict[str, list[str]]  # urllib.parse.parse_qs(query, keep_blank_values=True)
    status: int  # 0 when the connection was dropped without an answer
    at: float  # time.monotonic() when the request arrived
    early: bool = False  # arrived before a Retry-After said it could
    fault: str | None = None  # faults.SERVER_ERROR, DROP, TRUNCATED, TIMEOUT_408, FORBIDDEN


class RequestLog:
    """Thread-safe append-only list; readers get snapshots."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def append(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def snapshot(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
