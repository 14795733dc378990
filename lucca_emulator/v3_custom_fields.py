"""`GET /api/v3/userproperties`, `/api/v3/axes` and `/api/v3/axissections`: the
definitions of users' properties (custom fields among them) and the analytical axes.

Same query language as `/api/v3/users` (v3_query): without `fields` an item is only
{id, name, url}; `fields`, `collection.count`, `paging`, `orderBy` and filters, such as
`axisId=4` on sections. Lucca documents the sections' path and its `axisId` filter;
the other two paths are guesses (lucca-api.md), served so that the tap can be tried
against them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .v3_query import Catalog, list_data, parse_query

if TYPE_CHECKING:
    from .custom_fields import CustomFields

USER_PROPERTIES_PATH = "/api/v3/userproperties"
AXES_PATH = "/api/v3/axes"
AXIS_SECTIONS_PATH = "/api/v3/axissections"
PATHS = (USER_PROPERTIES_PATH, AXES_PATH, AXIS_SECTIONS_PATH)
# Shapes for `fields` validation and filter kinds, whatever the tenant holds.
_TEMPLATES: dict[str, dict[str, Any]] = {
    USER_PROPERTIES_PATH: {
        "id": "",
        "name": "",
        "isMultivalue": False,
        "isNullable": False,
        "isReadOnly": False,
        "category": 0,
        "type": 0,
        "format": {"key": "", "entries": [{"id": 0, "name": ""}]},
        "url": "",
    },
    AXES_PATH: {"id": 0, "name": "", "url": ""},
    AXIS_SECTIONS_PATH: {"id": 0, "code": "", "name": "", "axisId": 0, "active": True, "url": ""},
}
_CATALOGS = {
    path: Catalog(tuple(template), [template], (), ("id", "name", "url"))
    for path, template in _TEMPLATES.items()
}


def list_custom_fields(
    path: str, fields: CustomFields, params: dict[str, list[str]]
) -> dict[str, Any]:
    """The `data` object of one of the three lists."""
    rows = {
        USER_PROPERTIES_PATH: fields.user_properties,
        AXES_PATH: fields.legacy_axes,
        AXIS_SECTIONS_PATH: fields.legacy_sections,
    }[path]()
    query, _ = parse_query(params, _CATALOGS[path])
    return list_data(rows, query)
