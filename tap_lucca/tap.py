"""The Lucca tap: its settings and its streams."""

from __future__ import annotations

from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any

from singer_sdk import Stream, Tap
from singer_sdk import typing as th
from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.exceptions import FatalAPIError

from tap_lucca import auth, streams
from tap_lucca.throttle import RateLimiter

if TYPE_CHECKING:
    import logging
    from collections.abc import Iterator

    from singer_sdk.authenticators import APIKeyAuthenticator


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
            secret=True,
            title="API key",
            description=(
                "Selects the legacy API (v3/v4). Sent as `Authorization: lucca "
                "application=<key>`. Its role limits what the tap may read."
            ),
        ),
        th.Property(
            "client_id",
            th.StringType,
            title="Client id",
            description="With client_secret, selects the new Lucca API (OAuth client credentials).",
        ),
        th.Property(
            "client_secret",
            th.StringType,
            secret=True,
            title="Client secret",
            description="The OAuth client's secret, for the new Lucca API.",
        ),
        th.Property(
            "oauth_token_url",
            th.URIType,
            default=auth.LUCCA_TOKEN_URL,
            title="OAuth token URL",
            description="Where the new Lucca API's access tokens come from.",
        ),
        th.Property(
            "scopes",
            th.StringType,
            default=auth.DEFAULT_SCOPES,
            title="OAuth scopes",
            description="Space-separated scopes to ask for; the default covers every stream.",
        ),
        th.Property(
            "last_updated_filter",
            th.BooleanType,
            default=False,
            title="Use the lastUpdatedAt filter",
            description=(
                "New API: sync incrementally with a `lastUpdatedAt` range filter, which Lucca "
                "does not document. The tap checks that the tenant honours it and reads in "
                "full otherwise."
            ),
        ),
        th.Property(
            "full_reread_days",
            th.IntegerType(minimum=1),
            default=7,
            title="Days between full re-reads",
            description=(
                "New API with last_updated_filter: read every stream in full again after "
                "this many days, to catch deletions the filter cannot show."
            ),
        ),
        th.Property(
            "tenant",
            th.StringType,
            title="Tenant label",
            description=(
                "The `tenant` value every record carries, so that many tenants can share "
                "one table. Defaults to the host of api_url."
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Here, so that the SDK reports a credentials mix-up as a config error.
        auth.generation(self.config)

    @cached_property
    def authenticator(self) -> APIKeyAuthenticator | auth.ClientCredentials:
        """One authenticator, and so one OAuth token at a time, for every stream."""
        return auth.authenticator_for(self.config)

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
        if auth.generation(self.config) == auth.NEW_API:
            return [
                streams.EmployeesStream(self),
                streams.EmploymentsStream(self),
                streams.JobPositionsStream(self),
                streams.OrganisationDepartmentsStream(self),
                streams.LegalEntitiesStream(self),
                streams.BusinessEstablishmentsStream(self),
            ]
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
