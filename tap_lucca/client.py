"""The base stream: the HTTP policy every Lucca API generation shares (the tenant's URL,
pacing, paging, retries, what each answer means, failure reporting)."""

from __future__ import annotations

import datetime as dt
import itertools
import typing as t
from abc import abstractmethod
from functools import cached_property
from http import HTTPStatus
from urllib.parse import urlsplit

import msgspec
import requests
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError
from singer_sdk.singerlib import RecordMessage

from tap_lucca import sdk
from tap_lucca.availability import ABSENCE_CAUSES, EndpointUnavailable
from tap_lucca.clock import TenantClock, TimeFields
from tap_lucca.connection import SettingError, setting_error
from tap_lucca.drift import SchemaGuard
from tap_lucca.paging import LuccaPaginator, PageSize
from tap_lucca.payload import payload
from tap_lucca.report import FAILED, SKIPPED, failure_reason
from tap_lucca.schema import stream_schema
from tap_lucca.selection import Deselection
from tap_lucca.settings import default_tenant, validated_url
from tap_lucca.throttle import retry_after_seconds

if t.TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterator, Mapping

    from singer_sdk import Stream, Tap
    from singer_sdk.helpers.types import Context

    from tap_lucca.auth import Authenticator
    from tap_lucca.availability import AvailabilityPolicy
    from tap_lucca.field_catalog import FieldCatalog
    from tap_lucca.report import RunReport, StreamReport
    from tap_lucca.throttle import RateLimiter


# Lucca aborts requests that run longer than 5 s with a 408; it is worth a retry.
_RETRIED_STATUSES = (HTTPStatus.TOO_MANY_REQUESTS, HTTPStatus.REQUEST_TIMEOUT)


class LuccaTap(t.Protocol):
    """What a stream asks of its tap: what the streams of one tenant's run share."""

    @property
    def config(self) -> Mapping[str, t.Any]: ...
    @property
    def streams(self) -> Mapping[str, Stream]: ...
    @property
    def authenticator(self) -> Authenticator: ...
    @property
    def rate_limiter(self) -> RateLimiter: ...
    @property
    def availability(self) -> AvailabilityPolicy: ...
    @property
    def run_report(self) -> RunReport: ...
    @property
    def field_catalog(self) -> FieldCatalog: ...


class LuccaStream(sdk.StreamAdapter):
    """A stream of one Lucca tenant, for every API generation.

    Every record carries the `tenant` it comes from, and the tenant is part of
    the primary key, so that many tenants can share one warehouse table.
    """

    primary_keys: t.ClassVar[list[str]] = ["tenant", "id"]

    #: Properties the tap adds to Lucca's records, which Lucca cannot be asked for.
    added_properties: t.ClassVar[frozenset[str]] = frozenset({"tenant"})

    #: The largest page the endpoint serves.
    max_page_size: t.ClassVar[int] = 1000

    extra_retry_statuses: t.ClassVar[tuple[int, ...]] = _RETRIED_STATUSES

    #: How the API generation pages.
    paginator_class: t.ClassVar[type[LuccaPaginator]]

    # One METRIC line per request drowned the log; the run summary counts requests.
    log_request_metrics = False

    def __init__(self, tap: Tap) -> None:
        super().__init__(tap, schema=self.schema_for(tap.config))
        self.tenant = tap.config.get("tenant") or default_tenant(tap.config["api_url"])
        self.clock = TenantClock(tap.config["timezone"])
        #: The table version to activate once the stream has been read to its end.
        self.version_to_activate: int | None = None
        #: The paginator of the partition being read (a fresh one for each): after a
        #: 408, only it knows which page was in flight.
        self.paginator = self.paginator_class(self.page_size)

    def schema_for(self, config: Mapping[str, t.Any]) -> dict:  # noqa: ARG002
        """The stream's schema (`schemas/<name>.json`), with the `tenant` label."""
        return stream_schema(self.name)

    @property
    def tap(self) -> LuccaTap:
        return t.cast("LuccaTap", super().tap)

    @property
    def url_base(self) -> str:
        return validated_url("api_url", self.config["api_url"])

    @property
    def authenticator(self) -> Authenticator:
        return self.tap.authenticator

    @property
    def rate_limiter(self) -> RateLimiter:
        return self.tap.rate_limiter

    @property
    def availability(self) -> AvailabilityPolicy:
        return self.tap.availability

    @cached_property
    def report(self) -> StreamReport:
        return self.tap.run_report.stream(self.name)

    @cached_property
    def page_size(self) -> PageSize:
        return PageSize(min(self.config["page_size"], self.max_page_size))

    @t.final
    def get_new_paginator(self) -> LuccaPaginator:
        """A fresh paginator of the generation's `paginator_class` for each partition,
        held by the stream for its 408s. Generations declare the class; none overrides
        this."""
        self.paginator = self.paginator_class(self.page_size)
        return self.paginator

    def request_decorator(self, func: Callable) -> Callable:
        """Pace every attempt, retries included, through the tenant's rate limiter."""

        def paced(*args: t.Any, **kwargs: t.Any) -> requests.Response:
            self.rate_limiter.acquire()
            self.report.requests += 1
            try:
                return func(*args, **kwargs)
            except requests.ConnectionError as error:
                raise setting_error(error, self.url_base) or error from None

        return super().request_decorator(paced)

    def backoff_handler(self, details: t.Any) -> None:
        self.report.retries += 1
        super().backoff_handler(details)

    def backoff_wait_generator(self) -> Generator[float, t.Any, None]:
        """Exponential waits, except after a 429: the rate limiter already holds
        the tenant for as long as `Retry-After` asked."""
        exception = yield 0.0
        for attempt in itertools.count():
            response = getattr(exception, "response", None)
            rate_limited = response is not None and response.status_code == 429
            exception = yield 0.0 if rate_limited else min(2.0**attempt, 60.0)

    def backoff_max_tries(self) -> int:
        return 8

    @property
    def timeout(self) -> int:
        # Lucca itself gives up on a request after 5 s (408); a silent minute
        # means the connection is gone.
        return 60

    @cached_property
    def schema_guard(self) -> SchemaGuard:
        return SchemaGuard(self.name, self.schema, self.logger)

    @cached_property
    def time_fields(self) -> TimeFields:
        return TimeFields(self.name, self.schema, self.clock, self.logger)

    def post_process(self, row: dict, context: Context | None = None) -> dict:  # noqa: ARG002
        row = self.time_fields.convert(self.schema_guard.check(row))
        row["tenant"] = self.tenant
        self.report.record(self.logger)
        return row

    @cached_property
    def deselection(self) -> Deselection:
        return Deselection(self.mask)

    def record_messages(self, record: dict) -> Iterator[RecordMessage]:
        # The SDK's, less two passes over every nested value of every record: its
        # search for deselected properties (the catalog's selection is applied by
        # path instead) and its type conformance, which would change nothing in
        # decoded JSON (the schema guard drops unknown keys and mends drifted types).
        record = self.deselection.drop(record)
        for stream_map in self.stream_maps:
            if (mapped := stream_map.transform(record)) is not None:
                yield RecordMessage(
                    stream=stream_map.stream_alias,
                    record=mapped,
                    version=self.table_version,
                    time_extracted=dt.datetime.now(dt.UTC),
                )

    def generate_child_contexts(
        self, record: dict, context: Context | None
    ) -> t.Iterable[Context | None]:
        # Without child streams, the SDK's default copies each record to hand it to none.
        return super().generate_child_contexts(record, context) if self.child_streams else ()

    def get_records(self, context: Context | None) -> t.Iterable[dict]:
        """Records of one partition. A stream that fails, or is skipped, ends
        there; the run goes on with the other streams (the tap decides how it ends)."""
        report = self.report
        if report.done:
            return  # an earlier partition failed or was skipped
        report.start()
        try:
            yield from super().get_records(context)
        except SettingError:
            report.end(FAILED)
            raise
        except EndpointUnavailable as error:
            if report.records or not self.availability.skips(error):
                self._fail(context, f"{error} {self.availability.advice(error)}")
            else:
                report.end(SKIPPED)
                self.logger.warning("Skipping stream '%s': %s", self.name, error)
        except Exception as error:  # reported; it fails the run at its end
            self._fail(context, failure_reason(error))
        else:
            report.end()

    def sync(self, context: Context | None = None) -> None:
        super().sync(context)
        if self.version_to_activate is not None and not self.report.done:
            self.write_activate_version(self.version_to_activate)
        self.version_to_activate = None

    def stamp_table_version(self) -> int | None:
        """Give this run's records a new table version, as the SDK does for full-table
        streams; None while ACTIVATE_VERSION messages are off."""
        if self.emit_activate_version_messages:
            self.table_version = int(dt.datetime.now(dt.UTC).timestamp())
        return self.table_version

    def activate_version(self, version: int) -> None:
        # The SDK activates a table version before the first record: a loader that
        # honours it drops the table's older rows there and then, so a stream that
        # failed halfway or was skipped would leave its table short or empty. The
        # version is activated once the stream has been read to its end instead.
        self.version_to_activate = version

    def _fail(self, context: Context | None, reason: str) -> None:
        self.report.end(FAILED)
        self.logger.error("Stream '%s' failed: %s", self.name, reason)
        # What was read of this partition is not all of it: its bookmark stays put.
        sdk.reset_progress_markers(self.get_context_state(context))

    def validate_response(self, response: requests.Response) -> None:
        status = response.status_code
        if status == HTTPStatus.REQUEST_TIMEOUT and self.paginator.lighten():
            self.logger.warning(
                "Lucca timed out (408) on a page of %s; asking for %d records at a time",
                self.name,
                self.page_size.current,
            )
            return  # the paginator asks for the same page again, lighter
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            self.report.rate_limited += 1
            self.rate_limiter.hold(retry_after_seconds(response))
        if status == HTTPStatus.UNAUTHORIZED:
            raise self.authenticator.refusal(response, self.where(response))
        if status in ABSENCE_CAUSES:
            raise EndpointUnavailable(self.name, urlsplit(response.url).path, status)
        if status in self.extra_retry_statuses or status >= 500:
            raise RetriableAPIError(self.response_error_message(response), response)
        if status >= 400:
            raise FatalAPIError(self.response_error_message(response))
        if "json" not in response.headers.get("Content-Type", ""):
            msg = (
                f"{self.url_base} did not answer like a Lucca tenant on stream '{self.name}' "
                f"(a {response.headers.get('Content-Type') or 'untyped'} page): check api_url."
            )
            raise SettingError(msg)
        try:
            payload(response)
        except msgspec.DecodeError as error:
            # A JSON body cut short by a dropped connection is worth another try.
            msg = f"Lucca sent a JSON body that does not parse on stream '{self.name}': {error}"
            raise RetriableAPIError(msg, response) from error

    def parse_response(self, response: requests.Response) -> t.Iterable[dict]:
        if response.status_code == HTTPStatus.REQUEST_TIMEOUT:
            return []  # nothing came: the paginator asks for the page again, lighter
        return self.records_in(payload(response))

    @abstractmethod
    def records_in(self, body: t.Any) -> t.Iterable[dict]:
        """The records in a decoded response body."""

    def response_error_message(self, response: requests.Response) -> str:
        """A message a person can act on. Bodies and headers are left out: Lucca
        does not document them and they could echo request data."""
        return f"Lucca answered {response.status_code} {response.reason} on {self.where(response)}."

    def where(self, response: requests.Response) -> str:
        """The stream and path a response came on, for messages."""
        return f"stream '{self.name}' ({urlsplit(response.url).path})"
