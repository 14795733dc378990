"""The one module that touches the Singer SDK's private members.

The tap needs a few things the SDK only offers under private names: hooks it must
override (when a table version is activated, how the config is checked, what a
signal does) and state it must reach (the tap behind a stream, the table version,
progress markers). Each is used here alone, under a public name, so that an SDK
upgrade that renames or reshapes one breaks this module, not the tap at large.
`PRIVATE_MEMBERS` lists them; `tests/test_sdk.py` checks each against the installed
SDK, and that no other module of the tap uses an SDK private name.
"""

from __future__ import annotations

import inspect
import typing as t
from dataclasses import dataclass
from types import ModuleType

from singer_sdk import RESTStream, Stream, Tap
from singer_sdk.helpers import _state

if t.TYPE_CHECKING:
    from collections.abc import Iterator
    from types import FrameType

    from singer_sdk.singerlib import RecordMessage


class StreamAdapter(RESTStream):
    """The SDK's REST stream, with its private hooks and state under public names."""

    #: Whether the SDK logs one METRIC line per request.
    log_request_metrics: t.ClassVar[bool] = True

    @property
    def _LOG_REQUEST_METRICS(self) -> bool:
        return self.log_request_metrics

    @property
    def tap(self) -> Tap:
        """The tap that built this stream."""
        return self._tap

    @property
    def table_version(self) -> int | None:
        """The version RECORD messages carry, for ACTIVATE_VERSION."""
        return self._stream_version

    @table_version.setter
    def table_version(self, version: int) -> None:
        self._stream_version = version

    def _write_activate_version_message(self, full_table_version: int) -> None:
        self.activate_version(full_table_version)

    def activate_version(self, version: int) -> None:
        """Called where the SDK activates a table version: before a full-table stream's
        first record. Writes ACTIVATE_VERSION at once, unless overridden."""
        self.write_activate_version(version)

    def write_activate_version(self, version: int) -> None:
        """Write an ACTIVATE_VERSION message now."""
        super()._write_activate_version_message(version)

    def _generate_record_messages(self, record: dict) -> Iterator[RecordMessage]:
        return self.record_messages(record)

    def record_messages(self, record: dict) -> Iterator[RecordMessage]:
        """The RECORD messages of one record, through the stream maps. By default the
        SDK's: it drops deselected properties and conforms types first."""
        return super()._generate_record_messages(record)


class TapAdapter(Tap):
    """The SDK's tap, with its private hooks under public names."""

    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        return self.check_config(raise_errors=raise_errors)

    def check_config(self, *, raise_errors: bool = True) -> list[str]:
        """Called where the SDK checks the config, at start (discovery too). By
        default the SDK's JSON Schema check: its errors, raised or returned."""
        return super()._validate_config(raise_errors=raise_errors)

    def _handle_termination(self, signum: int, frame: FrameType | None) -> None:
        self.handle_signal(signum, frame)

    def handle_signal(self, signum: int, frame: FrameType | None) -> None:
        """Called on SIGTERM and SIGINT. By default the SDK's: a last STATE, exit 0."""
        super()._handle_termination(signum, frame)


def reset_progress_markers(state: dict) -> None:
    """Drop a stream's or partition's progress markers: its bookmark stays put."""
    _state.reset_state_progress_markers(state)


@dataclass(frozen=True)
class PrivateMember:
    """A private SDK member used above, as this module relies on it."""

    owner: type | ModuleType
    name: str
    #: A method's or function's parameter names; None for an attribute.
    parameters: tuple[str, ...] | None = None
    #: An instance attribute: set by the owner's __init__, not on the class.
    instance: bool = False

    def change(self) -> str | None:
        """What changed in the installed SDK, or None when the member is as used."""
        owner = self.owner
        where = owner.__name__ if isinstance(owner, ModuleType) else owner.__qualname__
        where = f"{where}.{self.name} (singer_sdk)"
        if self.instance:
            found = self.name in owner.__init__.__code__.co_names
        else:
            found = hasattr(owner, self.name)
        if not found:
            return f"{where} is gone"
        if self.parameters is None:
            return None
        parameters = tuple(inspect.signature(getattr(owner, self.name)).parameters)
        if parameters != self.parameters:
            return f"{where} now takes {parameters}, not {self.parameters}"
        return None


PRIVATE_MEMBERS = (
    PrivateMember(RESTStream, "_LOG_REQUEST_METRICS"),
    PrivateMember(Stream, "_tap", instance=True),
    PrivateMember(Stream, "_stream_version", instance=True),
    PrivateMember(Stream, "_write_activate_version_message", ("self", "full_table_version")),
    PrivateMember(Stream, "_generate_record_messages", ("self", "record")),
    PrivateMember(Tap, "_validate_config", ("self", "raise_errors")),
    PrivateMember(Tap, "_handle_termination", ("self", "signum", "frame")),
    PrivateMember(_state, "reset_state_progress_markers", ("stream_or_partition_state",)),
)


def changed_members() -> list[str]:
    """One line per private member that the installed SDK no longer has as used."""
    return [change for member in PRIVATE_MEMBERS if (change := member.change())]
