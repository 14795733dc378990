"""Streams that others need before their own sync: read once, replayed after."""

from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from collections.abc import Iterable

    from singer_sdk.helpers.types import Context


class ReadAhead:
    """A small stream whose records another stream needs first (the custom fields'
    definitions type the users' values). Its records are read once per run, on the
    first demand, and replayed to its own sync: the requests are made once, and the
    stream's own sync reports whatever went wrong, as for any stream."""

    _read: list[dict] | None = None
    _error: Exception | None = None

    def read_source(self) -> list[dict]:
        """Every record, from Lucca."""
        return list(super().request_records(None))  # type: ignore[misc]

    def request_records(self, context: Context | None) -> Iterable[dict]:
        if context is not None:  # a request of its own, e.g. a list's labels
            yield from super().request_records(context)  # type: ignore[misc]
            return
        if self._error is not None:
            raise self._error
        if self._read is None:
            try:
                self._read = self.read_source()
            except Exception as error:
                self._error = error
                raise
        yield from self._read

    def read_ahead(self) -> list[dict] | None:
        """The records, or None when they cannot be read: the stream's own sync then
        says why, skipped or failed as the availability policy decides."""
        try:
            return list(self.request_records(None))
        except Exception:  # kept, and raised again by the stream's own sync
            return None
