"""Stopping on SIGTERM and SIGINT: at once, between two messages, with exit code 128 + signal.

Orchestrators send SIGTERM on a timeout, people press Ctrl-C. The tap stops
wherever it is, mid-request or asleep in the rate limiter or a backoff, except
while a message is being written: then it stops right after it, so that stdout
never ends with half a line. It writes no STATE on its way out: the last one it
wrote came after everything it covers.
"""

from __future__ import annotations

import signal
import sys
import typing as t
from contextlib import contextmanager

from singer_sdk.contrib.msgspec import MsgSpecWriter

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from singer_sdk.singerlib.encoding.simple import Message


class Stopped(SystemExit):
    """The run was stopped by a signal; exits with 128 + its number (143, 130)."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signal_name = signal.Signals(signum).name


class _StopOnSignal:
    def __init__(self) -> None:
        self._writing = False
        self._pending: int | None = None
        self._raised = False

    def handle(self, signum: int) -> None:
        if self._pending is not None:
            return  # already on its way out
        self._pending = signum
        if not self._writing:
            self._stop()

    @contextmanager
    def writing(self) -> Iterator[None]:
        self._writing = True
        try:
            yield
        finally:
            self._writing = False
        if self._pending is not None:
            self._stop()

    def _stop(self) -> None:
        if not self._raised and self._pending is not None:
            self._raised = True
            raise Stopped(self._pending)


#: One per process, as signal handlers are.
STOP = _StopOnSignal()


class WholeLineWriter(MsgSpecWriter):
    """The SDK's msgspec writer, writing each message whole: a signal that comes
    mid-message waits for its end."""

    def write_message(self, message: Message) -> None:
        with STOP.writing():
            write_all(sys.stdout.buffer, self.format_message(message))
            sys.stdout.flush()


def write_all(out: t.BinaryIO, data: bytes | bytearray) -> None:
    """Write `data` to its end. Unbuffered (PYTHONUNBUFFERED, as in many containers),
    stdout is a raw file whose write may take only part of the data when a signal
    interrupts it: the rest is written after."""
    written = out.write(data)
    while written < len(data):
        with memoryview(data) as view:  # released: the SDK reuses its buffer
            written += out.write(view[written:])
