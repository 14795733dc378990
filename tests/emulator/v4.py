"""The v4 endpoints: work contracts and departments (`limit`/`page` paging).

- `GET /directory/api/4.0/work-contracts` -> {"items"} plus "count" only with
  `fields.root=count`; `limit` 1..1000 (default 10), `page` from 1; order id asc;
  archived contracts only with `isArchived=true` or `isArchived=true,false`.
- `GET /organization/structure/api/departments` -> {"items", "count", "prev", "next"}
  where prev/next are full URLs of the neighbour pages (null at the ends).
Unknown query parameters are ignored, as ASP.NET model binding does.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from .errors import bad_request

DEFAULT_LIMIT = 10
MAX_LIMIT = 1000


def _values(params: dict[str, list[str]], *names: str) -> list[str]:
    """All comma-separated values of the named parameters (case-insensitive names)."""
    wanted = {n.lower() for n in names}
    return [
        part.strip()
        for key, values in params.items()
        if key.lower() in wanted
        for v in values
        for part in v.split(",")
        if part.strip()
    ]


def _int(params: dict[str, list[str]], name: str, default: int, low: int, high: int | None) -> int:
    values = _values(params, name)
    if not values:
        return default
    try:
        number = int(values[-1])
    except ValueError:
        raise bad_request(f"{name} must be an integer") from None
    if number < low or (high is not None and number > high):
        raise bad_request(
            f"{name} must be between {low} and {high}" if high else f"{name} must be >= {low}"
        )
    return number


def _bools(params: dict[str, list[str]], name: str) -> set[bool] | None:
    values = _values(params, name)
    if not values:
        return None
    if any(v.lower() not in ("true", "false") for v in values):
        raise bad_request(f"{name} must be true and/or false")
    return {v.lower() == "true" for v in values}


def _ints(params: dict[str, list[str]], *names: str) -> set[int] | None:
    values = _values(params, *names)
    if not values:
        return None
    try:
        return {int(v) for v in values}
    except ValueError:
        raise bad_request(f"{names[0]} must be integers") from None


def list_work_contracts(
    contracts: list[dict[str, Any]], params: dict[str, list[str]]
) -> dict[str, Any]:
    limit = _int(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    page = _int(params, "page", 1, 1, None)
    archived = _bools(params, "isArchived") or {False}  # archived ones only when asked
    applicable = _bools(params, "isApplicable")
    owners = _ints(params, "ownerId[]", "ownerId")
    types = _ints(params, "typeId[]", "typeId")
    establishments = _ints(params, "establishmentId[]", "establishmentId")
    matches = [
        c
        for c in contracts
        if c["isArchived"] in archived
        and (applicable is None or c["isApplicable"] in applicable)
        and (owners is None or c["ownerId"] in owners)
        and (types is None or c["typeId"] in types)
        and (establishments is None or c["establishmentId"] in establishments)
    ]
    start = (page - 1) * limit
    body: dict[str, Any] = {"items": matches[start : start + limit]}
    if "count" in {v.lower() for v in _values(params, "fields.root")}:
        body["count"] = len(matches)
    return body


def list_departments(
    departments: list[dict[str, Any]],
    params: dict[str, list[str]],
    page_url: str,
    pairs: list[tuple[str, str]],
) -> dict[str, Any]:
    """`page_url` is this endpoint's absolute URL, `pairs` the request's query in order."""
    limit = _int(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    page = _int(params, "page", 1, 1, None)
    count = len(departments)
    start = (page - 1) * limit

    def link(target: int) -> str:
        kept = [(k, v) for k, v in pairs if k.lower() != "page"]
        return f"{page_url}?{urlencode([*kept, ('page', str(target))])}"

    return {
        "items": departments[start : start + limit],
        "count": count,
        "prev": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if start + limit < count else None,
    }
