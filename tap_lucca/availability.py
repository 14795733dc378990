"""Which streams a run can do without, and what Lucca means by an endpoint that is not there.

Tenants differ: one has not subscribed to a module, a key's role may not read
everything, Lucca retires endpoints. Only the core streams are worth failing a
run for; any other stream, including any stream added later, is optional.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from singer_sdk.exceptions import FatalAPIError

if t.TYPE_CHECKING:
    from collections.abc import Mapping

#: The streams a run fails without, in either API generation: people, their
#: contracts (and, in the new API, their job positions) and the departments.
#: Every other stream is optional.
CORE_STREAMS = frozenset(
    {"users", "contracts", "departments", "employees", "employments", "job_positions"}
)

#: Statuses by which an endpoint says it is not there for this tenant or key,
#: with their likely cause.
ABSENCE_CAUSES = {
    403: "the API key's role may not read it",
    404: "the tenant has not subscribed to this module, or the key's role may not read it",
    410: "Lucca has retired this endpoint",
    501: "the tenant does not implement this endpoint",
}


class EndpointUnavailable(FatalAPIError):
    """A stream's endpoint answered that it is not there (403, 404, 410, 501)."""

    def __init__(self, stream: str, path: str, status: int) -> None:
        self.stream = stream
        self.path = path
        self.status = status
        super().__init__(f"{path} answered {status} ({ABSENCE_CAUSES[status]}).")


@dataclass(frozen=True)
class AvailabilityPolicy:
    """Whether a run goes on without a stream whose endpoint is not there."""

    #: `strict_optional_streams`: an optional stream that is not there fails the run.
    strict: bool = False
    #: `skip_forbidden_streams` (deprecated): any stream that answers 403, core
    #: streams included, is skipped, as this setting always did.
    skip_forbidden: bool = False

    @classmethod
    def from_config(cls, config: Mapping[str, t.Any]) -> AvailabilityPolicy:
        return cls(
            strict=bool(config.get("strict_optional_streams")),
            skip_forbidden=bool(config.get("skip_forbidden_streams")),
        )

    def skips(self, error: EndpointUnavailable) -> bool:
        if error.status == 403 and self.skip_forbidden:
            return True
        return error.stream not in CORE_STREAMS and not self.strict

    @staticmethod
    def advice(error: EndpointUnavailable) -> str:
        """Why the run cannot do without the stream, and how to run without it."""
        if error.stream in CORE_STREAMS:
            return f"'{error.stream}' is a core stream: deselect it to run without it."
        return (
            "strict_optional_streams is true: set it to false, or deselect the stream, "
            "to run without it."
        )
