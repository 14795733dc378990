"""`GET /api/v3/userlogs`: the history of users' department, manager and legal entity.

Same query language as `/api/v3/users` (v3_query): `fields` (without it an item is
only {id, name}), `collection.count`, `paging`, `orderBy`, and filters on any key,
typically `name=departmentid|manager|legalentityid` (without it: every attribute),
`id=greaterthan,n` (keyset paging), `modifiedAt=since,<iso>` and `ownerId=n`. No
default filter: former employees' history is listed too.
"""

from __future__ import annotations

from typing import Any

from .history import KEYS
from .v3_query import Catalog, list_data, parse_query

DATE_FIELDS = ("startsOn", "modifiedAt")
# Shapes for `fields` validation and filter kinds, whatever the tenant holds.
_REF = {"id": 0, "name": "", "url": ""}
_TEMPLATE: dict[str, Any] = {
    "id": 0,
    "name": "",
    "ownerId": 0,
    "owner": _REF,
    "authorId": 0,
    "author": _REF,
    "oldValue": "",
    "value": "",
    "startsOn": "",
    "modifiedAt": "",
    "modificationSource": "",
    "entryType": "",
}


def userlog_catalog() -> Catalog:
    return Catalog(KEYS, [_TEMPLATE], DATE_FIELDS, ("id", "name"))


def list_userlogs(
    entries: list[dict[str, Any]], params: dict[str, list[str]], catalog: Catalog
) -> dict[str, Any]:
    """The `data` object of GET /api/v3/userlogs (`entries` in id order)."""
    query, _ = parse_query(params, catalog)
    return list_data(entries, query, sorted_by_id=True)
