"""The base stream: Lucca's auth, tenant URL, pacing, retries and error reporting."""

from __future__ import annotations

import email.utils
import ipaddress
import itertools
import time
import typing as t
from abc import abstractmethod
from functools import cached_property
from http import HTTPStatus
from importlib import resources
from urllib.parse import urlsplit

import msgspec
from singer_sdk import RESTStream
from singer_sdk.authenticators import APIKeyAuthenticator
from singer_sdk.exceptions import ConfigValidationError, FatalAPIError, RetriableAPIError
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.schema.source import SchemaDirectory

from tap_lucca.drift import SchemaGuard
from tap_lucca.paging import PageSize
from tap_lucca.payload import payload

if t.TYPE_CHECKING:
    from collections.abc import Callable, Generator, Mapping

    import requests
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

    from tap_lucca.throttle import RateLimiter

SCHEMAS = SchemaDirectory(resources.files(__package__) / "schemas")


# Lucca aborts requests that run longer than 5 s with a 408; it is worth a retry.
_RETRIED_STATUSES = (HTTPStatus.TOO_MANY_REQUESTS, HTTPStatus.REQUEST_TIMEOUT)


def retry_after_seconds(response: requests.Response) -> float:
    """Read `Retry-After`, which HTTP allows as seconds or as a date."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return 1.0
    try:
        return max(float(value), 0.0)
    except ValueError:
        when = email.utils.parsedate_to_datetime(value)
        return max(when.timestamp() - time.time(), 0.0)


def validated_api_url(url: str) -> str:
    """The tenant URL without a trailing slash; plain HTTP is only for loopback."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        msg = f"api_url must look like https://<tenant>.ilucca.net, got {url!r}"
        raise ConfigValidationError(msg)
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        msg = "api_url must use https:// (plain http:// is only allowed for loopback)"
        raise ConfigValidationError(msg)
    return url.rstrip("/")


def default_tenant(api_url: str) -> str:
    """The tenant label when none is set: the URL's host, and its port if it has one,
    so that two tenants on one host never share a label."""
    parts = urlsplit(api_url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ForbiddenError(FatalAPIError):
    """The API key's role may not read a resource (403)."""


class LuccaStream(RESTStream):
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

    # Records are decoded JSON, so values already have JSON types: the SDK's
    # conformance, most of the tap's CPU time, would change nothing. The schema
    # guard drops unknown keys and mends drifted types instead.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(self, tap: Tap) -> None:
        super().__init__(tap, schema=self.schema_for(tap.config))
        self.tenant = tap.config.get("tenant") or default_tenant(tap.config["api_url"])

    def schema_for(self, config: Mapping[str, t.Any]) -> dict:  # noqa: ARG002
        """The stream's schema (`schemas/<name>.json`), with the `tenant` label."""
        schema = SCHEMAS.get_schema(self.name)
        return {**schema, "properties": {"tenant": {"type": "string"}, **schema["properties"]}}

    @property
    def url_base(self) -> str:
        return validated_api_url(self.config["api_url"])

    @cached_property
    def authenticator(self) -> APIKeyAuthenticator:
        return APIKeyAuthenticator(
            key="Authorization",
            value=f"lucca application={self.config['api_key']}",
            location="header",
        )

    @property
    def rate_limiter(self) -> RateLimiter:
        return self._tap.rate_limiter  # type: ignore[attr-defined]

    @cached_property
    def page_size(self) -> PageSize:
        return PageSize(min(self.config["page_size"], self.max_page_size))

    def request_decorator(self, func: Callable) -> Callable:
        """Pace every attempt, retries included, through the tenant's rate limiter."""

        def paced(*args: t.Any, **kwargs: t.Any) -> requests.Response:
            self.rate_limiter.acquire()
            return func(*args, **kwargs)

        return super().request_decorator(paced)

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

    def post_process(self, row: dict, context: Context | None = None) -> dict:  # noqa: ARG002
        row = self.schema_guard.check(row)
        row["tenant"] = self.tenant
        return row

    def get_records(self, context: Context | None) -> t.Iterable[dict]:
        try:
            yield from super().get_records(context)
        except ForbiddenError as error:
            if not self.config.get("skip_forbidden_streams"):
                raise
            self.logger.warning("%s Skipping it, as skip_forbidden_streams asks.", error)

    def validate_response(self, response: requests.Response) -> None:
        status = response.status_code
        if status == HTTPStatus.REQUEST_TIMEOUT and self.page_size.shrink():
            self.logger.warning(
                "Lucca timed out (408) on a page of %s; asking for %d records at a time",
                self.name,
                self.page_size.current,
            )
            return  # the paginator asks for the same page again, lighter
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            self.rate_limiter.hold(retry_after_seconds(response))
        if status in self.extra_retry_statuses or status >= 500:
            raise RetriableAPIError(self.response_error_message(response), response)
        if status == HTTPStatus.FORBIDDEN:
            raise ForbiddenError(self.response_error_message(response))
        if status >= 400:
            raise FatalAPIError(self.response_error_message(response))
        if "json" not in response.headers.get("Content-Type", ""):
            msg = (
                f"{self.url_base} did not answer like a Lucca tenant on stream '{self.name}' "
                f"(a {response.headers.get('Content-Type') or 'untyped'} page): check api_url."
            )
            raise FatalAPIError(msg)
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
        status = response.status_code
        where = f"stream '{self.name}' ({urlsplit(response.url).path})"
        if status == HTTPStatus.UNAUTHORIZED:
            return (
                f"Lucca rejected the API key (401) on {where}: "
                "check the api_key setting (TAP_LUCCA_API_KEY)."
            )
        if status == HTTPStatus.FORBIDDEN:
            return (
                f"The API key's role may not read {where} (403): "
                "give the key's role this right in Lucca, or deselect the stream."
            )
        if status == HTTPStatus.NOT_FOUND:
            return (
                f"Lucca has no such resource for {where} (404): check the api_url "
                "setting and that the key's role may read it."
            )
        return f"Lucca answered {status} {response.reason} on {where}."
