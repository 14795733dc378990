"""Custom fields: the employee properties each tenant adds to Lucca, in one shape for
both API generations.

A definition: `id` (`e_…`), `name`, `type` (text, integer, number, date, boolean, list
or object), `format` (the legacy format key, or the new API's schema title),
`isMultivalue`, `isArchived`, `entries` of a list (`id`, `name`) and
`multipleValueSorting`. A value: its Lucca `id`, `fieldId`, `position` among the
field's values, the typed columns its definition calls for (`textValue`, `numberValue`,
`dateValue`, `booleanValue`, `listEntryId` and `listEntryLabel`) and `rawValue`, the
value as Lucca sent it, in JSON.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import typing as t
import unicodedata

if t.TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

TEXT, INTEGER, NUMBER, DATE, BOOLEAN, LIST, OBJECT = (
    "text",
    "integer",
    "number",
    "date",
    "boolean",
    "list",
    "object",
)
#: Legacy user properties: category 3 is an extension (extendedData), 4 an axis.
EXTENSION_CATEGORY = 3
#: Legacy `type` codes; 1 is a list when its format has entries (`select`, `radio`).
_LEGACY_TYPES = {0: BOOLEAN, 1: INTEGER, 2: NUMBER, 3: DATE, 4: TEXT, 5: OBJECT}
_LIST_FORMATS = frozenset({"select", "radio"})
#: The new API's base schemas of a value (`schema.title`).
_NEW_API_TYPES = {
    "short-text": TEXT,
    "long-text": TEXT,
    "phone-number": TEXT,
    "email": TEXT,
    "url": TEXT,
    "boolean": BOOLEAN,
    "int32": INTEGER,
    "decimal": NUMBER,
    "legacy-date": DATE,
    "taxonomy-label-reference": LIST,
}
_TYPED = ("textValue", "numberValue", "dateValue", "booleanValue", "listEntryId", "listEntryLabel")


def legacy_definition(prop: Mapping[str, t.Any]) -> dict[str, t.Any] | None:
    """A definition from a legacy user property; None for a property that is not a
    custom field (a native one, an axis…)."""
    if prop.get("category") != EXTENSION_CATEGORY:
        return None
    fmt = prop.get("format") or {}
    entries = fmt.get("entries")
    kind = _LEGACY_TYPES.get(prop.get("type"), OBJECT)  # type: ignore[arg-type]
    if kind == INTEGER and (fmt.get("key") in _LIST_FORMATS or entries):
        kind = LIST
    return {
        "id": prop["id"],
        "name": prop.get("name"),
        "type": kind,
        "format": fmt.get("key"),
        "isMultivalue": bool(prop.get("isMultivalue")),
        "isArchived": None,  # the legacy API says nothing of it
        "entries": _entries(entries) if entries is not None else None,
        "multipleValueSorting": None,
    }


def new_api_definition(
    item: Mapping[str, t.Any], labels: Iterable[Mapping[str, t.Any]] | None
) -> dict[str, t.Any]:
    """A definition from an `employee-extension-definition` and, for a list, the
    `taxonomy-label`s of its taxonomy (None when they could not be read)."""
    title = (item.get("schema") or {}).get("title")
    multiple = item.get("multipleValueHandling")
    return {
        "id": item["id"],
        "name": item.get("name"),
        "type": _NEW_API_TYPES.get(title, OBJECT),
        "format": title,
        "isMultivalue": multiple is not None,
        "isArchived": item.get("isArchived"),
        "entries": _entries(labels) if labels is not None else None,
        "multipleValueSorting": (multiple or {}).get("sorting"),
    }


def _entries(entries: Iterable[Mapping[str, t.Any]]) -> list[dict[str, t.Any]]:
    return [
        {"id": str(e["id"]), "name": e.get("name"), "isArchived": e.get("isArchived")}
        for e in entries
    ]


def typed_value(
    definition: Mapping[str, t.Any] | None,
    raw: t.Any,
    labels: Mapping[str, str] | None = None,
) -> dict[str, t.Any]:
    """The typed columns of one value, as its definition's type says; without a
    definition, as its JSON type says (a string is text, a number a number). A list
    entry's label comes from `labels` (id -> name), else from the definition."""
    row: dict[str, t.Any] = dict.fromkeys(_TYPED)
    row["rawValue"] = json.dumps(raw, ensure_ascii=False, separators=(",", ":"))
    kind = definition["type"] if definition else _json_kind(raw)
    if raw is None:
        return row
    if kind == TEXT:
        row["textValue"] = raw if isinstance(raw, str) else row["rawValue"]
    elif kind in {INTEGER, NUMBER}:
        row["numberValue"] = _number(raw)
    elif kind == DATE:
        row["dateValue"] = _date(raw)
    elif kind == BOOLEAN:
        row["booleanValue"] = _boolean(raw)
    elif kind == LIST:
        # Legacy: the entry's id; new API: a taxonomy-label reference.
        entry = raw.get("id") if isinstance(raw, dict) else raw
        row["listEntryId"] = None if entry is None else str(entry)
        known = {e["id"]: e["name"] for e in (definition or {}).get("entries") or ()}
        row["listEntryLabel"] = {**known, **(labels or {})}.get(row["listEntryId"])
    return row


def legacy_values(
    extended_data: Mapping[str, t.Any] | None, definitions: Mapping[str, Mapping[str, t.Any]]
) -> list[dict[str, t.Any]]:
    """A user's values, one per field and value, from the `extendedData` of a legacy
    user: `{"e_x": {"id", "value"}}`, an array of them for a multi-valued field."""
    rows = []
    for field_id, values in (extended_data or {}).items():
        many = values if isinstance(values, list) else [values]
        for position, value in enumerate(many):
            wrapped = isinstance(value, dict) and "value" in value
            raw = value["value"] if wrapped else value
            ident = value.get("id") if wrapped else None
            rows.append(
                {
                    "id": None if ident is None else str(ident),
                    "fieldId": field_id,
                    "position": position,
                    **typed_value(definitions.get(field_id), raw),
                }
            )
    return rows


def _json_kind(raw: t.Any) -> str:
    if isinstance(raw, bool):
        return BOOLEAN
    if isinstance(raw, int | float):
        return NUMBER
    return TEXT if isinstance(raw, str) else OBJECT


def _number(raw: t.Any) -> float | None:
    if isinstance(raw, bool):
        return None
    try:
        return float(raw)
    except (TypeError, ValueError):
        return None


def _date(raw: t.Any) -> str | None:
    """The day of `2016-09-01T00:00:00` (legacy) or `2016-09-01`."""
    try:
        return dt.date.fromisoformat(str(raw)[:10]).isoformat()
    except ValueError:
        return None


def _boolean(raw: t.Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    return {"true": True, "false": False}.get(str(raw).lower())


class Exclusions:
    """The custom fields whose values stay in Lucca (`excluded_custom_fields`): shell
    patterns (`*`, `?`) matched against a field's id and its name, regardless of case
    and accents (`*medical*` matches "Visite médicale")."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = [_folded(p) for p in patterns if p]

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def excludes(self, field_id: str, name: str | None = None) -> bool:
        names = [_folded(field_id), _folded(name or "")]
        return any(fnmatch.fnmatchcase(n, p) for p in self.patterns for n in names if n)


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
