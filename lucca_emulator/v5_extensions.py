"""The new Lucca API's custom fields: employee extensions, their definitions and the
taxonomy labels of list fields, served from the same truth as the legacy extendedData.

Lucca's reference (2024-11-01) has these as schemas without paths; the paths here are
the ones its docs' examples use. Items follow the reference's `employee-extension`,
`employee-extension-definition` and `taxonomy-label` schemas; `v5.py` serves them in
the envelope and paging of every collection. `employee-extensions` takes the filter
`extensionDefinition.id=<id>[,<id>…]` and embeds, when asked, the definitions and the
labels its page refers to; `taxonomy-labels` takes `taxonomy.id`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from .custom_fields import BOOLEAN, DATE, INTEGER, LIST, NUMBER, Definition, Entry, Value
from .v5_data import BASE_URL, legacy_to_utc, ref

if TYPE_CHECKING:
    from .tenant import Tenant

#: Resource -> the scope a token needs to read it.
SCOPES = {
    "employee-extension-definitions": "employee-extension-definitions.readonly",
    "employee-extensions": "employee-extensions.readonly",
    "taxonomy-labels": "taxonomies.readonly",
}
#: Collections whose schema in the reference has no `links`: one page, up to 100 items.
UNLINKED = frozenset({"employee-extension-definitions"})
_SCHEMA = "https://json-schema.org/draft/2020-12/schema"
# The reference's base schemas (extension-definition.schema.title), by kind.
_TITLES = {BOOLEAN: "boolean", INTEGER: "int32", NUMBER: "decimal", DATE: "legacy-date"}
_TYPES = {BOOLEAN: "boolean", INTEGER: "integer", NUMBER: "number", DATE: "string"}


def rows(tenant: Tenant, resource: str, params: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The resource's items that its own filters keep."""
    fields = tenant.custom_fields
    with tenant.lock:
        if resource == "employee-extension-definitions":
            return [definition(d) for d in fields.definitions]
        if resource == "taxonomy-labels":
            wanted = _wanted(params, "taxonomy.id")
            return [
                label(entry, d)
                for d in fields.definitions
                for entry in d.entries
                if wanted is None or d.taxonomy in wanted
            ]
        wanted = _wanted(params, "extensionDefinition.id")
        by_id = {d.id: d for d in fields.definitions}
        users = {u["id"]: u for u in tenant.users}
        return [
            extension(v, by_id[v.field_id], users[v.user_id])
            for values in fields.values.values()
            for v in values
            if wanted is None or v.field_id in wanted
        ]


def definition(field: Definition) -> dict[str, Any]:
    """An `employee-extension-definition`."""
    return {
        "id": field.id,
        "type": "employee-extension-definition",
        "url": f"{BASE_URL}/employee-extension-definitions/{field.id}",
        "name": field.name,
        "schema": value_schema(field),
        "multipleValueHandling": {"sorting": "ascending", "sortingProperty": None}
        if field.multi
        else None,
        "taxonomy": ref("taxonomy", "taxonomies", field.taxonomy) if field.taxonomy else None,
        "isArchived": field.archived,
    }


def value_schema(field: Definition) -> dict[str, Any]:
    """The JSON schema of a value, embedded as the reference shows it."""
    if field.kind == LIST:
        return {
            "$id": "/lucca-api/schemas/taxonomy-label-reference",
            "$schema": _SCHEMA,
            "title": "taxonomy-label-reference",
            "type": ["object", "null"],
            "additionalProperties": False,
            "required": ["id"],
            "properties": {
                "id": {"type": "string", "minLength": 1},
                "type": {"type": "string", "const": "taxonomy-label", "readOnly": True},
                "url": {"type": "string", "format": "uri", "readOnly": True},
            },
        }
    title = _TITLES.get(field.kind, "short-text")
    schema: dict[str, Any] = {
        "$id": f"/lucca-api/schemas/{title}",
        "$schema": _SCHEMA,
        "title": title,
        "type": [_TYPES.get(field.kind, "string"), "null"],
    }
    if field.kind == DATE:
        schema["format"] = "date"
    return schema


def label(entry: Entry, field: Definition) -> dict[str, Any]:
    """A `taxonomy-label`: a list entry of the new API."""
    return {
        "id": str(entry.id),
        "type": "taxonomy-label",
        "url": f"{BASE_URL}/taxonomy-labels/{entry.id}",
        "taxonomy": ref("taxonomy", "taxonomies", field.taxonomy),
        "name": entry.name,
        "remoteId": None,
        "isArchived": False,
    }


def new_api_value(value: Value) -> Any:
    """A value as an `employee-extension` holds it."""
    if isinstance(value.value, Entry):
        return ref("taxonomy-label", "taxonomy-labels", value.value.id)
    if isinstance(value.value, dt.date):
        return value.value.isoformat()
    return value.value


def extension(value: Value, field: Definition, user: dict[str, Any]) -> dict[str, Any]:
    """An `employee-extension`: one value of one employee's field."""
    return {
        "id": str(value.value_id),
        "type": "employee-extension",
        "url": f"{BASE_URL}/employee-extensions/{value.value_id}",
        "employee": ref("employee", "employees", value.user_id),
        "extensionDefinition": ref(
            "employee-extension-definition", "employee-extension-definitions", field.id
        ),
        "value": new_api_value(value),
        "createdAt": legacy_to_utc(user["createdAt"]),
        "lastUpdatedAt": legacy_to_utc(user["modifiedAt"]),
    }


def embedded(tenant: Tenant, resource: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """The definitions and the labels a page of employee-extensions refers to, by id."""
    if resource != "employee-extensions":
        return {}
    by_id = {d.id: d for d in tenant.custom_fields.definitions}
    fields: dict[str, Any] = {}
    labels: dict[str, Any] = {}
    for item in items:
        field = by_id[item["extensionDefinition"]["id"]]
        fields[field.id] = definition(field)
        if isinstance(item["value"], dict):
            entry = next(e for e in field.entries if str(e.id) == item["value"]["id"])
            labels[str(entry.id)] = label(entry, field)
    return {"employee-extension-definition": fields, "taxonomy-label": labels}


def _wanted(params: dict[str, list[str]], name: str) -> set[str] | None:
    values = params.get(name)
    return None if not values else set(values[-1].split(","))
