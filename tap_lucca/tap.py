"""The Lucca tap: its settings and its streams."""

from __future__ import annotations

from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING

from singer_sdk import Stream, Tap
from singer_sdk import typing as th
from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.exceptions import FatalAPIError

from tap_lucca import streams
from tap_lucca.throttle import RateLimiter

if TYPE_CHECKING:
    import logging
    from collections.abc import Iterator


@contextmanager
def _fatal_errors_end_the_run(logger: logging.Logger) -> Iterator[None]:
    """An error that no retry can mend ends the run with exit code 1 and one line
    that says what to check, not a traceback."""
    try:
        yield
    except FatalAPIError as error:
        logger.error("%s", error)
        raise SystemExit(1) from None


class TapLucca(Tap):
    """Singer tap for the Lucca HR suite."""

    name = "tap-lucca"
    message_writer_class = MsgSpecWriter

    config_jsonschema = th.PropertiesList(
        th.Property(
            "api_url",
            th.URIType,
            required=True,
            title="Tenant URL",
            description="The tenant's base URL, e.g. https://acme.ilucca.net",
        ),
        th.Property(
            "api_key",
            th.StringType,
            required=True,
            secret=True,
            title="API key",
            description=(
                "Sent as `Authorization: lucca application=<key>`. "
                "Its role limits what the tap may read."
            ),
        ),
        th.Property(
            "tenant",
            th.StringType,
            title="Tenant label",
            description=(
                "The `tenant` value every record carries, so that many tenants can share "
                "one table. Defaults to the host of api_url, and its port if it has one."
            ),
        ),
        th.Property(
            "start_date",
            th.DateTimeType,
            title="Start date",
            description="When set, the first users sync only asks for users modified since then.",
        ),
        th.Property(
            "max_requests_per_minute",
            th.IntegerType(minimum=1),
            default=50,
            title="Max requests per minute",
            description="Requests to the tenant per minute, retries included. Lucca allows 50.",
        ),
        th.Property(
            "page_size",
            th.IntegerType(minimum=1, maximum=1000),
            default=1000,
            title="Page size",
            description="Records per request. Lucca allows up to 1000.",
        ),
        th.Property(
            "include_sensitive_fields",
            th.BooleanType,
            default=False,
            title="Include sensitive fields",
            description=(
                "Also read users' banking, insurance, personal contact and remuneration data "
                "(iban, bic, rib, bankName, insuranceNumber, personalEmail, personalMobile, "
                "address, cards, personalAccount, applicationData)."
            ),
        ),
        th.Property(
            "skip_forbidden_streams",
            th.BooleanType,
            default=False,
            title="Skip forbidden streams",
            description=(
                "When the API key's role may not read a stream (403), skip that stream "
                "with a warning instead of failing the run."
            ),
        ),
    ).to_dict()

    @cached_property
    def rate_limiter(self) -> RateLimiter:
        """One budget per tenant, shared by every stream."""
        return RateLimiter(self.config["max_requests_per_minute"])

    def sync_all(self) -> None:
        with _fatal_errors_end_the_run(self.logger):
            super().sync_all()

    def run_connection_test(self) -> bool:
        with _fatal_errors_end_the_run(self.logger):
            return super().run_connection_test()

    def discover_streams(self) -> list[Stream]:
        return [
            streams.UsersStream(self),
            streams.ContractsStream(self),
            streams.DepartmentsStream(self),
            streams.EstablishmentsStream(self),
            streams.LegalUnitsStream(self),
            streams.ContractTypesStream(self),
            streams.ContractHiringTypesStream(self),
            streams.ContractTerminationReasonsStream(self),
            streams.OccupationCategoriesStream(self),
            streams.UserHistoryStream(self),
        ]
