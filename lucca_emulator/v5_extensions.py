"""The new Lucca API's custom fields: employee extensions, their definitions and the
taxonomy labels of list fields, served from the same truth as the legacy extendedData.

Lucca's reference (2024-11-01) has these as schemas without paths; the paths here are
the ones its docs' examples use. Items follow the reference's `employee-extension`,
`employee-extension-definition` and `taxonomy-label` schemas; collections have the
envelope of the other collections (`limit` 1..100, default 25, an opaque `page`
cursor, `include=totalCount,links,embedded`). `employee-extensions` takes the filter
`extensionDefinition.id=<id>[,<id>…]`, and `lastUpdatedAt=<from>--<to>` when the
emulator honours that filter (as for the other resources); it embeds, when asked, the
definitions and the labels its page refers to. `taxonomy-labels` takes `taxonomy.id`.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import TYPE_CHECKING, Any

from .custom_fields import BOOLEAN, DATE, INTEGER, LIST, NUMBER, Definition, Entry, Value
from .errors import ProblemError
from .timefmt import PARIS

if TYPE_CHECKING:
    from .tenant import Tenant

BASE_URL = "https://emulator.ilucca-demo.net/lucca-api"
DEFAULT_LIMIT, MAX_LIMIT = 25, 100
#: Resource -> the scope a token needs to read it.
SCOPES = {
    "employee-extension-definitions": "employee-extension-definitions.readonly",
    "employee-extensions": "employee-extensions.readonly",
    "taxonomy-labels": "taxonomies.readonly",
}
_SCHEMA = "https://json-schema.org/draft/2020-12/schema"
# The reference's base schemas (extension-definition.schema.title), by kind.
_TITLES = {BOOLEAN: "boolean", INTEGER: "int32", NUMBER: "decimal", DATE: "legacy-date"}
_TYPES = {BOOLEAN: "boolean", INTEGER: "integer", NUMBER: "number", DATE: "string"}


def answer(
    tenant: Tenant,
    resource: str,
    params: dict[str, list[str]],
    page_url: str,
    honours_updated_filter: bool = False,
) -> dict[str, Any]:
    """One page of an extension collection."""
    fields = tenant.custom_fields
    with tenant.lock:
        if resource == "employee-extension-definitions":
            rows = [definition(d) for d in fields.definitions]
        elif resource == "taxonomy-labels":
            wanted = _wanted(params, "taxonomy.id")
            rows = [
                label(entry, d)
                for d in fields.definitions
                for entry in d.entries
                if wanted is None or d.taxonomy in wanted
            ]
        else:
            wanted = _wanted(params, "extensionDefinition.id")
            by_id = {d.id: d for d in fields.definitions}
            users = {u["id"]: u for u in tenant.users}
            rows = [
                extension(v, by_id[v.field_id], users[v.user_id])
                for values in fields.values.values()
                for v in values
                if wanted is None or v.field_id in wanted
            ]
            updated = _one(params, "lastUpdatedAt")
            if updated is not None and honours_updated_filter:
                low, high = _range(updated)
                rows = [r for r in rows if low <= _instant(r["lastUpdatedAt"]) <= high]
            rows.sort(key=lambda row: int(row["id"]))
    limit_text = _one(params, "limit") or str(DEFAULT_LIMIT)
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_LIMIT:
        raise ProblemError(400, f"limit must be between 1 and {MAX_LIMIT}")
    limit = int(limit_text)
    start = _offset(page) if (page := _one(params, "page")) else 0
    items = rows[start : start + limit]
    include = set((_one(params, "include") or "").split(","))
    body: dict[str, Any] = {"type": resource, "url": page_url, "items": items}
    if "totalCount" in include:
        body["totalCount"] = len(rows)
    embeds = "embedded" in include and resource == "employee-extensions"
    body["embedded"] = _embedded(items, fields.definitions) if embeds else {}
    if "links" in include:
        more = start + limit < len(rows)
        next_page = {"href": f"{page_url}?page={_cursor(start + limit)}"} if more else None
        body["links"] = {"prev": None, "next": next_page}
    return body


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
        "taxonomy": _ref("taxonomy", "taxonomies", field.taxonomy) if field.taxonomy else None,
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
        "taxonomy": _ref("taxonomy", "taxonomies", field.taxonomy),
        "name": entry.name,
        "remoteId": None,
        "isArchived": False,
    }


def new_api_value(value: Value) -> Any:
    """A value as an `employee-extension` holds it."""
    if isinstance(value.value, Entry):
        return _ref("taxonomy-label", "taxonomy-labels", value.value.id)
    if isinstance(value.value, dt.date):
        return value.value.isoformat()
    return value.value


def extension(value: Value, field: Definition, user: dict[str, Any]) -> dict[str, Any]:
    """An `employee-extension`: one value of one employee's field."""
    return {
        "id": str(value.value_id),
        "type": "employee-extension",
        "url": f"{BASE_URL}/employee-extensions/{value.value_id}",
        "employee": _ref("employee", "employees", value.user_id),
        "extensionDefinition": _ref(
            "employee-extension-definition", "employee-extension-definitions", field.id
        ),
        "value": new_api_value(value),
        "createdAt": _utc(user["createdAt"]),
        "lastUpdatedAt": _utc(user["modifiedAt"]),
    }


def _embedded(items: list[dict[str, Any]], definitions: list[Definition]) -> dict[str, Any]:
    """The definitions and the labels a page refers to, indexed by id."""
    by_id = {d.id: d for d in definitions}
    fields: dict[str, Any] = {}
    labels: dict[str, Any] = {}
    for item in items:
        field = by_id[item["extensionDefinition"]["id"]]
        fields[field.id] = definition(field)
        if isinstance(item["value"], dict):
            entry = next(e for e in field.entries if str(e.id) == item["value"]["id"])
            labels[str(entry.id)] = label(entry, field)
    return {"employee-extension-definition": fields, "taxonomy-label": labels}


def _ref(kind: str, path: str, ident: object) -> dict[str, str]:
    return {"id": str(ident), "type": kind, "url": f"{BASE_URL}/{path}/{ident}"}


def _utc(text: str) -> str:
    """A v3 timestamp (naive, the tenant's Paris clock) in the new API's UTC form."""
    moment = dt.datetime.fromisoformat(text).replace(tzinfo=PARIS).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[-1] if values else None


def _wanted(params: dict[str, list[str]], name: str) -> set[str] | None:
    text = _one(params, name)
    return None if text is None else set(text.split(","))


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _range(text: str) -> tuple[dt.datetime, dt.datetime]:
    """`<from>--<to>`; `..` leaves a side open."""
    low, sep, high = text.partition("--")
    if not sep:
        raise ProblemError(400, "a range looks like <from>--<to>")
    try:
        return (
            dt.datetime.min.replace(tzinfo=dt.UTC) if low in ("", "..") else _instant(low),
            dt.datetime.max.replace(tzinfo=dt.UTC) if high in ("", "..") else _instant(high),
        )
    except ValueError:
        raise ProblemError(400, f"{text!r} is not a range of date-times") from None


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset(token: str) -> int:
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("offset:"))
    except ValueError:
        raise ProblemError(400, "page is not a cursor this API gave") from None
