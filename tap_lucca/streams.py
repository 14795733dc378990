"""Lucca streams: what to read, and from where."""

from __future__ import annotations

import typing as t

from singer_sdk.schema.source import StreamSchema

from tap_lucca.client import SCHEMAS
from tap_lucca.hierarchy import with_tree
from tap_lucca.v3 import V3Stream, lucca_timestamp, tenant_clock
from tap_lucca.v4 import V4Stream

if t.TYPE_CHECKING:
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

    from tap_lucca.client import Page

#: Banking, insurance, personal contact and remuneration data (in applicationData).
SENSITIVE_USER_FIELDS = frozenset(
    {
        "address",
        "applicationData",
        "bankName",
        "bic",
        "corporateCard",
        "iban",
        "insuranceNumber",
        "personalAccount",
        "personalCard",
        "personalEmail",
        "personalMobile",
        "rib",
    }
)


class UsersStream(V3Stream):
    """Every employee: current, former and future."""

    name = "users"
    path = "/api/v3/users"
    replication_key = "modifiedAt"
    is_sorted = False

    def __init__(self, tap: Tap) -> None:
        schema = SCHEMAS.get_schema("users")
        if not tap.config.get("include_sensitive_fields"):
            properties = schema["properties"].items()
            schema = {
                **schema,
                "properties": {k: v for k, v in properties if k not in SENSITIVE_USER_FIELDS},
            }
        super().__init__(tap, schema=schema)

    def get_url_params(
        self,
        context: Context | None,
        next_page_token: Page,
    ) -> dict[str, t.Any]:
        # Without formerEmployees, Lucca leaves out everyone who has left.
        params = {**super().get_url_params(context, next_page_token), "formerEmployees": "true"}
        if since := self.get_starting_replication_key_value(context):
            params["modifiedAt"] = f"since,{lucca_timestamp(since)}"
        return params

    def get_replication_key_signpost(self, context: Context | None) -> None:  # noqa: ARG002
        # The SDK's default signpost, "now" in UTC, is not Lucca's naive local
        # time; the tenant's own clock is read from the first page instead.
        return None

    def records_in(self, body: dict) -> t.Iterable[dict]:
        # Cap the bookmark at the tenant's clock when the sync began: a user who
        # changes behind the pages already read is then picked up next time.
        state = self.get_context_state(self.context)
        if "replication_key_signpost" not in state and (clock := tenant_clock(body)):
            self.state_manager.write_replication_key_signpost(clock, context=self.context)
        return super().records_in(body)


class ContractsStream(V4Stream):
    """Every work contract, archived ones included."""

    name = "contracts"
    path = "/directory/api/4.0/work-contracts"
    schema = StreamSchema(SCHEMAS)
    # Lucca does not document whether archived contracts come by default.
    filters: t.ClassVar[dict[str, str]] = {"isArchived": "true,false"}


class DepartmentsStream(V4Stream):
    """The department tree, inactive departments included."""

    name = "departments"
    path = "/organization/structure/api/departments"
    schema = StreamSchema(SCHEMAS)

    def get_records(self, context: Context | None) -> t.Iterable[dict]:
        # A parent can come on a later page than its children.
        yield from with_tree(super().get_records(context))
