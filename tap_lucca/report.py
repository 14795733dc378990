"""What a run tells the person watching it: how far a long stream has got, and one
line per stream at the end."""

from __future__ import annotations

import logging
import time
import typing as t
from dataclasses import dataclass, field

import requests
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

if t.TYPE_CHECKING:
    from collections.abc import Callable

#: Seconds between two progress lines of one stream, at the least.
PROGRESS_INTERVAL = 10.0

SYNCED, SKIPPED, FAILED, STOPPED = "synced", "skipped", "failed", "stopped"


class _ExpectedWarnings(logging.Filter):
    """The SDK warns, on every run and for every partition, that an unsorted stream
    cannot resume halfway. The tap is built for that: a bookmark only moves once a
    stream has been read to its end. Said once in the README, not on every run."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Stream is assumed to be unsorted")


def quiet_expected_warnings() -> None:
    logging.getLogger("singer_sdk").addFilter(_EXPECTED_WARNINGS)


_EXPECTED_WARNINGS = _ExpectedWarnings()


def failure_reason(error: BaseException) -> str:
    """One line that says why a stream failed, without a traceback."""
    if isinstance(error, FatalAPIError | RetriableAPIError):
        return str(error)
    if isinstance(error, requests.RequestException):
        # requests' own text holds the whole URL and urllib3's internals.
        return f"the connection kept failing ({type(error).__name__}), retries included"
    return f"{type(error).__name__}: {error}"


@dataclass
class StreamReport:
    """Counts of one stream's sync."""

    name: str
    clock: Callable[[], float] = time.monotonic
    records: int = 0
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0  # 429 answers
    outcome: str = SYNCED
    running: bool = False
    started: float | None = None
    ended: float | None = None
    _next_progress: float = 0.0
    # Lucca's count of records, when it gives one: of the partitions read, and of this one.
    _counted: int | None = None
    _partition_count: int = 0

    @property
    def done(self) -> bool:
        return self.outcome in {SKIPPED, FAILED}

    @property
    def total(self) -> int | None:
        return None if self._counted is None else self._counted + self._partition_count

    def start(self) -> None:
        """A partition (or the whole stream) begins."""
        self.running = True
        if self.started is None:
            self.started = self.clock()
            self._next_progress = self.started + PROGRESS_INTERVAL
        if self._counted is not None:
            self._counted += self._partition_count
        self._partition_count = 0

    def count(self, total: int) -> None:
        """Lucca's count of the records of the partition being read."""
        self._counted = self._counted or 0
        self._partition_count = total

    def end(self, outcome: str = SYNCED) -> None:
        if not self.done:
            self.outcome = outcome
        self.running = False
        self.ended = self.clock()

    def record(self, logger: logging.Logger) -> None:
        """Count a record; now and then, say how far the stream has got."""
        self.records += 1
        now = self.clock()
        if now >= self._next_progress:
            self._next_progress = now + PROGRESS_INTERVAL
            logger.info("%s", self.progress_line(now))

    def progress_line(self, now: float) -> str:
        elapsed = max(now - (self.started or now), 1e-9)
        rate = self.records / elapsed
        line = f"{self.name}: {self.records:,}"
        total = self.total
        if total is None:
            return f"{line} records so far, {rate:,.0f} records/s"
        line += f" / {total:,} records, {rate:,.0f} records/s"
        if rate > 0 and total >= self.records:
            line += f", about {(total - self.records) / rate:,.0f} s left"
        return line

    def summary_line(self) -> str:
        duration = (self.ended or self.clock()) - (self.started or self.clock())
        return (
            f"{self.name}: {self.outcome}, {self.records:,} records, {self.requests} requests, "
            f"{self.retries} retries, {self.rate_limited} rate-limited (429), {duration:.1f} s"
        )


@dataclass
class RunReport:
    """Every stream's report, in the order the streams ran."""

    streams: dict[str, StreamReport] = field(default_factory=dict)

    def stream(self, name: str) -> StreamReport:
        if name not in self.streams:
            self.streams[name] = StreamReport(name)
        return self.streams[name]

    @property
    def failed(self) -> list[StreamReport]:
        return [s for s in self.streams.values() if s.outcome == FAILED]

    def stop(self) -> None:
        """A signal stopped the run: the stream being read is neither synced nor failed."""
        for stream in self.streams.values():
            if stream.running:
                stream.end(STOPPED)

    def log_summary(self, logger: logging.Logger) -> None:
        for stream in self.streams.values():
            logger.info("Summary: %s", stream.summary_line())
