"""The base stream: Lucca's auth, tenant URL, pacing, retries and error reporting."""

from __future__ import annotations

import email.utils
import ipaddress
import itertools
import time
import typing as t
from http import HTTPStatus
from importlib import resources
from urllib.parse import urlsplit

import msgspec
from singer_sdk import RESTStream
from singer_sdk.authenticators import APIKeyAuthenticator
from singer_sdk.exceptions import ConfigValidationError, FatalAPIError, RetriableAPIError
from singer_sdk.schema.source import SchemaDirectory

if t.TYPE_CHECKING:
    from collections.abc import Callable, Generator

    import requests

    from tap_lucca.throttle import RateLimiter

SCHEMAS = SchemaDirectory(resources.files(__package__) / "schemas")

_decode = msgspec.json.Decoder().decode

# Lucca aborts requests that run longer than 5 s with a 408; it is worth a retry.
_RETRIED_STATUSES = (HTTPStatus.TOO_MANY_REQUESTS, HTTPStatus.REQUEST_TIMEOUT)


def payload(response: requests.Response) -> t.Any:
    """The decoded JSON body, decoded once per response and kept on it."""
    if "_lucca_payload" not in response.__dict__:
        response.__dict__["_lucca_payload"] = _decode(response.content)
    return response.__dict__["_lucca_payload"]


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


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class LuccaStream(RESTStream):
    """A stream of one Lucca tenant, for every API generation."""

    extra_retry_statuses: t.ClassVar[tuple[int, ...]] = _RETRIED_STATUSES

    @property
    def url_base(self) -> str:
        return validated_api_url(self.config["api_url"])

    @property
    def authenticator(self) -> APIKeyAuthenticator:
        return APIKeyAuthenticator(
            key="Authorization",
            value=f"lucca application={self.config['api_key']}",
            location="header",
        )

    @property
    def rate_limiter(self) -> RateLimiter:
        return self._tap.rate_limiter  # type: ignore[attr-defined]

    @property
    def page_size(self) -> int:
        return self.config["page_size"]

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

    def validate_response(self, response: requests.Response) -> None:
        status = response.status_code
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            self.rate_limiter.hold(retry_after_seconds(response))
        if status in self.extra_retry_statuses or status >= 500:
            raise RetriableAPIError(self.response_error_message(response), response)
        if status >= 400:
            raise FatalAPIError(self.response_error_message(response))
        try:
            payload(response)
        except msgspec.DecodeError as error:
            # A body cut short by a dropped connection is worth another try.
            msg = f"Lucca sent a body that is not valid JSON for {self.name}: {error}"
            raise RetriableAPIError(msg, response) from error

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
