"""Lucca streams: what to read, and from where."""

from __future__ import annotations

import typing as t

from tap_lucca import application_data
from tap_lucca.absences import AbsencesStream
from tap_lucca.client import LuccaStream
from tap_lucca.hierarchy import legacy_department, with_parent_tree, with_tree
from tap_lucca.v3 import V3Stream
from tap_lucca.v4 import V4Stream
from tap_lucca.v5 import V5Stream

if t.TYPE_CHECKING:
    from collections.abc import Mapping

    from singer_sdk.helpers.types import Context

    from tap_lucca.paging import Page

#: Banking, insurance and personal contact data. applicationData's remuneration is
#: left out key by key (see application_data.py).
SENSITIVE_USER_FIELDS = frozenset(
    {
        "address",
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
    honours_start_date = True
    added_properties = LuccaStream.added_properties | application_data.LIFTED_FIELDS

    def schema_for(self, config: Mapping[str, t.Any]) -> dict:
        schema = super().schema_for(config)
        if config.get("include_sensitive_fields"):
            return schema
        properties = schema["properties"].items()
        return {
            **schema,
            "properties": {k: v for k, v in properties if k not in SENSITIVE_USER_FIELDS},
        }

    def post_process(self, row: dict, context: Context | None = None) -> dict:
        # Lifted first, so that the review dates turn to UTC like every instant.
        data = row.get("applicationData")
        row.update(application_data.lifted(data))
        if "applicationData" in row and not self.config.get("include_sensitive_fields"):
            row["applicationData"] = application_data.allowed(data)
        return super().post_process(row, context)

    def get_url_params(
        self,
        context: Context | None,
        next_page_token: Page,
    ) -> dict[str, t.Any]:
        # Without formerEmployees, Lucca leaves out everyone who has left.
        return {**super().get_url_params(context, next_page_token), "formerEmployees": "true"}


class ContractsStream(V4Stream):
    """Every work contract, archived ones included."""

    name = "contracts"
    path = "/directory/api/4.0/work-contracts"
    # Lucca does not document whether archived contracts come by default.
    filters: t.ClassVar[dict[str, str]] = {"isArchived": "true,false"}


class DepartmentsStream(V4Stream):
    """The department tree, inactive departments included."""

    name = "departments"
    path = "/organization/structure/api/departments"

    def get_records(self, context: Context | None) -> t.Iterable[dict]:
        # A parent can come on a later page than its children.
        yield from with_tree(super().get_records(context))


class EstablishmentsStream(V4Stream):
    """Establishments: what v3 calls a user's legal entity."""

    name = "establishments"
    path = "/organization/structure/api/establishments"
    max_page_size = 99  # Lucca serves fewer than 100 a page here
    filters: t.ClassVar[dict[str, str]] = {"isArchived": "true,false"}


class LegalUnitsStream(V4Stream):
    """Legal units: the companies (SIREN level) that establishments belong to."""

    name = "legal_units"
    path = "/organization/structure/api/legal-units"
    max_page_size = 99  # Lucca serves fewer than 100 a page here
    filters: t.ClassVar[dict[str, str]] = {"isArchived": "true,false"}


class ContractTypesStream(V4Stream):
    """Labels for contracts' `typeId` (CDI, CDD…)."""

    name = "contract_types"
    path = "/directory/api/work-contract-types"


class ContractHiringTypesStream(V4Stream):
    """Labels for contracts' `hiringTypeId`."""

    name = "contract_hiring_types"
    path = "/directory/api/work-contract-hiring-types"


class ContractTerminationReasonsStream(V4Stream):
    """Labels for contracts' `terminationReasonId`."""

    name = "contract_termination_reasons"
    path = "/directory/api/work-contract-termination-reasons"


class OccupationCategoriesStream(V4Stream):
    """Socio-professional categories: labels for contracts' `spcId`."""

    name = "occupation_categories"
    path = "/organization/structure/api/occupation-categories"


class UserHistoryStream(V3Stream):
    """Each change of a user's department, manager and legal entity, one
    attribute at a time, each with its own bookmark."""

    name = "user_history"
    path = "/api/v3/userlogs"
    replication_key = "modifiedAt"
    is_sorted = False
    partitions: t.ClassVar[list[dict]] = [
        {"name": "departmentid"},
        {"name": "manager"},
        {"name": "legalentityid"},
    ]


class LeaveAccountsStream(V3Stream):
    """Lucca Absences' leave accounts: the types of absence, counted in days or hours."""

    name = "leave_accounts"
    path = "/api/v3/leaveaccounts"  # a guess: optional, as every stream but the core ones


class LeavesStream(AbsencesStream):
    """Lucca Absences: one record per half-day of absence, cancelled ones included, read
    for every department's people (see absences.py)."""

    name = "leaves"
    path = "/api/v3/leaves"
    owners = DepartmentsStream


class EmployeesStream(V5Stream):
    """Every employee of the new API: active, upcoming and deactivated."""

    name = "employees"
    path = "/lucca-api/employees"
    # Without `status`, which employees come is not documented.
    filters: t.ClassVar[dict[str, str]] = {"status": "active,upcoming,deactivated"}


class EmploymentsStream(V5Stream):
    """Employments: the new API's work contracts."""

    name = "employments"
    path = "/lucca-api/employments"


class JobPositionsStream(V5Stream):
    """Each person's job title, department and manager over time, per employment."""

    name = "job_positions"
    path = "/lucca-api/job-positions"


class OrganisationDepartmentsStream(V5Stream):
    """The department tree from the new API, in the legacy `departments` shape."""

    name = "departments"
    path = "/lucca-api/departments"
    updated_key = None  # the tree needs every department: a page or two

    def get_records(self, context: Context | None) -> t.Iterable[dict]:
        # A parent can come on a later page than its children.
        yield from with_parent_tree(legacy_department(d) for d in super().get_records(context))


class LegalEntitiesStream(V5Stream):
    """Legal entities: the companies (SIREN level); legacy `legal_units`."""

    name = "legal_entities"
    path = "/lucca-api/legal-entities"


class BusinessEstablishmentsStream(V5Stream):
    """Business establishments: legacy `establishments`, v3's "legal entity"."""

    name = "business_establishments"
    path = "/lucca-api/business-establishments"
