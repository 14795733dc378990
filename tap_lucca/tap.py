"""The Lucca tap: its settings and its streams."""

from __future__ import annotations

from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from singer_sdk import Stream
from singer_sdk import typing as th
from singer_sdk.exceptions import ConfigValidationError

from tap_lucca import auth, sdk, streams
from tap_lucca.availability import AvailabilityPolicy
from tap_lucca.connection import SettingError
from tap_lucca.custom_fields import Exclusions
from tap_lucca.field_catalog import FieldCatalog
from tap_lucca.payload import collected_apart
from tap_lucca.report import RunReport, quiet_expected_warnings
from tap_lucca.settings import setting_errors
from tap_lucca.signals import STOP, Stopped, WholeLineWriter
from tap_lucca.throttle import RateLimiter

if TYPE_CHECKING:
    import logging
    from collections.abc import Callable, Iterator
    from types import FrameType

T = TypeVar("T")


@contextmanager
def _fatal_errors_end_the_run(logger: logging.Logger) -> Iterator[None]:
    """A wrong setting ends the run with exit code 1 and one line per error that says
    what to check, not a traceback."""
    try:
        yield
    except ConfigValidationError as error:
        for message in error.errors or [str(error)]:
            logger.error("Config error: %s", message)
        raise SystemExit(1) from None
    except SettingError as error:
        logger.error("%s", error)
        raise SystemExit(1) from None


class TapLucca(sdk.TapAdapter):
    """Singer tap for the Lucca HR suite."""

    name = "tap-lucca"
    message_writer_class = WholeLineWriter

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
            description=(
                "Where the new Lucca API's access tokens come from: https://, or plain "
                "http:// on loopback only."
            ),
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
                "one table. Defaults to the host of api_url, and its port if it has one."
            ),
        ),
        th.Property(
            "start_date",
            # A string, not a date-time: Meltano would otherwise parse whatever is typed
            # (01/02/2025 as 2 January, "next year" as a future date) before the tap sees it.
            th.StringType,
            title="Start date",
            description=(
                "When set, the first users sync only asks for users modified since then "
                "(other streams are read whole). An ISO 8601 date or date-time in the past, "
                "such as 2025-01-31 or 2025-01-31T08:00:00+01:00; a time without an offset "
                "is the tenant's."
            ),
        ),
        th.Property(
            "timezone",
            th.StringType,
            default="Europe/Paris",
            title="Tenant time zone",
            description=(
                "The IANA time zone of the tenant's clock (e.g. Europe/Paris). Lucca's v3 "
                "API writes times in it, without an offset; the tap emits them in UTC."
            ),
        ),
        th.Property(
            "leaves_window_days",
            th.IntegerType(minimum=1),
            default=730,
            title="Leaves window (days)",
            description=(
                "Legacy API: how many days back the first leaves sync reads (planned leaves "
                "ahead always come). Later syncs keep that first day and ask only for what "
                "changed."
            ),
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
                "address, cards, personalAccount, and every applicationData key, "
                "theoreticalRemuneration included, not only the allowlisted ones)."
            ),
        ),
        th.Property(
            "excluded_custom_fields",
            th.ArrayType(th.StringType),
            default=[],
            title="Excluded custom fields",
            description=(
                "Custom fields whose values stay in Lucca: patterns (`*`, `?`) matched "
                "against each field's id and name, regardless of case and accents, e.g. "
                "`e_medical*` or `*santé*`. Their values are neither asked for nor emitted; "
                "their definitions still are. Empty: every custom field's values are read."
            ),
        ),
        th.Property(
            "strict_optional_streams",
            th.BooleanType,
            default=False,
            title="Strict optional streams",
            description=(
                "Fail the run when an optional stream (any but users, contracts, departments, "
                "employees, employments and job_positions) is not available (403, 404, 410, "
                "501), instead of skipping it with a warning."
            ),
        ),
        th.Property(
            "skip_forbidden_streams",
            th.BooleanType,
            default=False,
            title="Skip forbidden streams (deprecated)",
            description=(
                "Deprecated: optional streams are now skipped when not available. When true, "
                "a core stream (such as users or contracts) that answers 403 is skipped "
                "too, with a warning, instead of failing the run."
            ),
        ),
        th.Property(
            "emit_activate_version_messages",
            th.BooleanType,
            default=True,
            title="Emit ACTIVATE_VERSION messages",
            description=(
                "End every stream read in full (all but users and user_history, and in the "
                "new API all but those read through the lastUpdatedAt filter) with an "
                "ACTIVATE_VERSION message, so that a loader which honours it deletes or "
                "marks the rows that vanished from Lucca. Turn off for loaders that warn "
                "about it."
            ),
        ),
    ).to_dict()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        with _fatal_errors_end_the_run(self.logger):
            super().__init__(*args, **kwargs)
        quiet_expected_warnings()

    def check_config(self, *, raise_errors: bool = True) -> list[str]:  # noqa: ARG002
        # Discovery too: no stream can even be described without api_url.
        try:
            super().check_config(raise_errors=True)
            schema_errors = []
        except ConfigValidationError as error:
            schema_errors = [e for e in error.errors if "is a required property" not in e]
        # After the SDK's check, which fills in the defaults.
        errors = setting_errors(self.config, self.config_jsonschema) + schema_errors
        if errors:
            raise ConfigValidationError(errors[0], errors=errors)
        return []

    @cached_property
    def authenticator(self) -> auth.Authenticator:
        """One authenticator, and so one OAuth token at a time, for every stream."""
        return auth.authenticator_for(self.config)

    @cached_property
    def rate_limiter(self) -> RateLimiter:
        """One budget per tenant, shared by every stream."""
        return RateLimiter(self.config["max_requests_per_minute"])

    @cached_property
    def availability(self) -> AvailabilityPolicy:
        return AvailabilityPolicy.from_config(self.config)

    @cached_property
    def field_catalog(self) -> FieldCatalog:
        """The tenant's custom-field definitions and axes, read once for every stream."""
        legacy = auth.generation(self.config) == auth.LEGACY

        def definitions() -> list[dict] | None:
            return self.streams["custom_fields"].definitions()  # type: ignore[attr-defined]

        return FieldCatalog(
            read_definitions=definitions,
            read_axes=lambda: streams.legacy_axes(self) if legacy else {},
            exclusions=Exclusions(self.config.get("excluded_custom_fields") or ()),
            logger=self.logger,
        )

    @cached_property
    def run_report(self) -> RunReport:
        return RunReport()

    def handle_signal(self, signum: int, frame: FrameType | None) -> None:  # noqa: ARG002
        STOP.handle(signum)

    def sync_all(self) -> None:
        with collected_apart():
            self._run(super().sync_all)

    def run_connection_test(self) -> bool:
        return self._run(super().run_connection_test)

    def _run(self, run: Callable[[], T]) -> T:
        """Sync the selected streams; one that fails does not stop the others, but
        fails the run at the end. A wrong setting or a signal stops it at once."""
        report = self.run_report
        try:
            with _fatal_errors_end_the_run(self.logger):
                try:
                    result = run()
                except Stopped:
                    report.stop()
                    raise
                finally:
                    report.log_summary(self.logger)
        except Stopped as stop:
            self.logger.error("Stopped by %s: exiting with code %s.", stop.signal_name, stop.code)
            raise
        if failed := report.failed:
            names = ", ".join(stream.name for stream in failed)
            self.logger.error("%d stream(s) failed: %s (see above).", len(failed), names)
            raise SystemExit(1)
        return result

    def discover_streams(self) -> list[Stream]:
        if auth.generation(self.config) == auth.NEW_API:
            return [
                streams.EmployeesStream(self),
                streams.EmploymentsStream(self),
                streams.JobPositionsStream(self),
                streams.OrganisationDepartmentsStream(self),
                streams.LegalEntitiesStream(self),
                streams.BusinessEstablishmentsStream(self),
                streams.ExtensionDefinitionsStream(self),
                streams.CustomFieldValuesStream(self),
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
            streams.CustomFieldsStream(self),
            streams.AxesStream(self),
            streams.AxisSectionsStream(self),
            streams.LeaveAccountsStream(self),
            streams.LeavesStream(self),
        ]
