"""Lucca streams: what to read, and from where."""

from __future__ import annotations

import typing as t
from functools import cached_property

from tap_lucca import application_data, custom_fields
from tap_lucca.absences import AbsencesStream
from tap_lucca.availability import EndpointUnavailable
from tap_lucca.axes import discovered_axes, user_axis_keys, user_sections
from tap_lucca.client import LuccaStream, LuccaTap
from tap_lucca.hierarchy import legacy_department, with_parent_tree, with_tree
from tap_lucca.read_ahead import ReadAhead
from tap_lucca.v3 import V3Stream, fields_parameter
from tap_lucca.v4 import V4Stream
from tap_lucca.v5 import V5Stream

if t.TYPE_CHECKING:
    from collections.abc import Mapping

    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

    from tap_lucca.field_catalog import FieldCatalog
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
    """Every employee: current, former and future, with their custom fields' values
    and their section on each analytical axis (`customFields`, `axisSections`)."""

    name = "users"
    path = "/api/v3/users"
    replication_key = "modifiedAt"
    is_sorted = False
    honours_start_date = True
    added_properties = (
        LuccaStream.added_properties
        | application_data.LIFTED_FIELDS
        | {"customFields", "axisSections"}
    )

    def __init__(self, tap: Tap) -> None:
        super().__init__(tap)
        self.catalog: FieldCatalog = self.tap.field_catalog

    @cached_property
    def fields(self) -> str:
        """The schema's fields, extendedData only with the fields not excluded, and
        the tenant's axes: values come with the users pages, never one user at a time."""
        properties = self.requested_properties()
        wanted = properties.pop("extendedData", None) is not None or self._selects("customFields")
        selection = [fields_parameter(properties)]
        if wanted and (chosen := self.catalog.requested_fields) != []:
            selection.append(
                "extendedData" if chosen is None else f"extendedData[{','.join(chosen)}]"
            )
        if self._selects("axisSections"):
            selection += [k for k in user_axis_keys(self.catalog.axes) if k not in properties]
        return ",".join(selection)

    def _selects(self, name: str) -> bool:
        return self.mask.get(("properties", name), True)

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
        catalog = self.catalog
        if self._selects("axisSections"):
            row["axisSections"] = user_sections(row, catalog.axes, keep=self.schema["properties"])
        if extended := row.get("extendedData"):  # what was not asked for is not emitted
            row["extendedData"] = {k: v for k, v in extended.items() if not catalog.is_excluded(k)}
        if self._selects("customFields"):
            definitions = catalog.definitions or {}
            row["customFields"] = custom_fields.legacy_values(row.get("extendedData"), definitions)
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


class CustomFieldsStream(ReadAhead, V3Stream):
    """Each custom field's definition: the user properties of the extension category
    (`/api/v3/userproperties`, a guessed path). Axis properties tell the axes."""

    name = "custom_fields"
    path = "/api/v3/userproperties"

    @cached_property
    def fields(self) -> str:
        return "id,name,isMultivalue,category,type,format"

    def definitions(self) -> list[dict] | None:
        read = self.read_ahead()
        return (
            None if read is None else [d for p in read if (d := custom_fields.legacy_definition(p))]
        )

    def post_process(self, row: dict, context: Context | None = None) -> dict | None:
        definition = custom_fields.legacy_definition(row)
        return None if definition is None else super().post_process(definition, context)


class AxesStream(ReadAhead, V3Stream):
    """The tenant's analytical axes (`/api/v3/axes`, a guessed path)."""

    name = "axes"
    path = "/api/v3/axes"


class AxisSectionsStream(V3Stream):
    """The sections of every analytical axis the tenant has: cost centers, projects…"""

    name = "axis_sections"
    path = "/api/v3/axissections"
    added_properties = LuccaStream.added_properties | {"axisName"}

    def __init__(self, tap: Tap) -> None:
        super().__init__(tap)
        self.catalog: FieldCatalog = self.tap.field_catalog

    @property
    def partitions(self) -> list[dict] | None:
        # One read per axis (`axisId=<n>`); none known: one read of every section.
        return [{"axisId": axis} for axis in self.catalog.axes] or None

    def post_process(self, row: dict, context: Context | None = None) -> dict:
        row["axisName"] = self.catalog.axes.get(row.get("axisId"))  # type: ignore[arg-type]
        return super().post_process(row, context)


def legacy_axes(tap: LuccaTap) -> dict[int, str | None]:
    """The axes of a legacy tenant, from both lists that can tell them."""
    properties = t.cast("ReadAhead", tap.streams["custom_fields"]).read_ahead()
    return discovered_axes(t.cast("ReadAhead", tap.streams["axes"]).read_ahead(), properties)


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


class ExtensionDefinitionsStream(ReadAhead, V5Stream):
    """Custom fields of the new API (`employee-extension-definitions`), each list
    with the labels of its taxonomy: the legacy `custom_fields` shape."""

    name = "custom_fields"
    path = "/lucca-api/employee-extension-definitions"
    labels_path = "/lucca-api/taxonomy-labels"
    updated_key = None  # a definition has no lastUpdatedAt

    def read_source(self) -> list[dict]:
        items = super().read_source()
        labels = self._labels({d["taxonomy"]["id"] for d in items if d.get("taxonomy")})
        return [
            custom_fields.new_api_definition(
                d, labels.get(d["taxonomy"]["id"]) if d.get("taxonomy") else None
            )
            for d in items
        ]

    def definitions(self) -> list[dict] | None:
        return self.read_ahead()

    def _labels(self, taxonomies: set[str]) -> dict[str, list[dict]]:
        """Each taxonomy's labels; none when Lucca will not list them."""
        try:
            return {
                taxonomy: list(self.request_records({"taxonomy.id": taxonomy}))
                for taxonomy in sorted(taxonomies)
            }
        except EndpointUnavailable as error:
            self.logger.warning("List entries of custom fields left out: %s", error)
            return {}

    def get_url(self, context: Context | None) -> str:
        return self.url_base + self.labels_path if context else super().get_url(context)

    def get_url_params(self, context: Context | None, next_page_token: Page) -> dict[str, t.Any]:
        return {**super().get_url_params(context, next_page_token), **(context or {})}


class CustomFieldValuesStream(V5Stream):
    """Each custom-field value of each employee (`employee-extensions`), typed from its
    definition, with the label of a list entry."""

    name = "custom_field_values"
    path = "/lucca-api/employee-extensions"
    include = ("embedded", *V5Stream.include)  # the definitions and list labels

    def __init__(self, tap: Tap) -> None:
        super().__init__(tap)
        self.catalog: FieldCatalog = self.tap.field_catalog
        self._labels: dict[str, str] = {}
        self._embedded: dict[str, dict] = {}
        self._unasked: set[str] = set()

    def get_url_params(self, context: Context | None, next_page_token: Page) -> dict[str, t.Any]:
        params = super().get_url_params(context, next_page_token)
        if (chosen := self.catalog.requested_fields) is not None:
            params["extensionDefinition.id"] = ",".join(chosen)
        return params

    def get_records(self, context: Context | None) -> t.Iterable[dict]:
        if self.catalog.requested_fields == []:
            self.logger.info("Every custom field is excluded: no value is asked for.")
            return
        yield from super().get_records(context)

    def records_in(self, body: dict) -> t.Iterable[dict]:
        embedded = body.get("embedded") or {}
        self._labels |= {
            i: label["name"] for i, label in (embedded.get("taxonomy-label") or {}).items()
        }
        self._embedded |= embedded.get("employee-extension-definition") or {}
        return super().records_in(body)

    def post_process(self, row: dict, context: Context | None = None) -> dict | None:
        field_id = row["extensionDefinition"]["id"]
        if self.catalog.is_excluded(field_id):
            if field_id not in self._unasked:  # Lucca ignored the filter
                self._unasked.add(field_id)
                self.logger.warning("Values of excluded field %s came anyway: left out.", field_id)
            return None
        definition = self.catalog.definition(field_id)
        if definition is None and field_id in self._embedded:
            definition = custom_fields.new_api_definition(self._embedded[field_id], None)
        value = {
            "id": row["id"],
            "employeeId": row["employee"]["id"],
            "fieldId": field_id,
            **custom_fields.typed_value(definition, row.get("value"), self._labels),
            "createdAt": row.get("createdAt"),
            "lastUpdatedAt": row.get("lastUpdatedAt"),
        }
        return super().post_process(value, context)
