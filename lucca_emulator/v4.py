"""The v4 endpoints (`limit`/`page` paging, `page` from 1, order id asc).

- `GET /directory/api/4.0/work-contracts` -> {"items"} plus "count" only with
  `fields.root=count`; `limit` 1..1000 (default 10); archived contracts only with
  `isArchived=true` or `isArchived=true,false`.
- `GET /organization/structure/api/departments` -> {"items", "count", "prev", "next"}
  where prev/next are full URLs of the neighbour pages (null at the ends).
- `GET /organization/structure/api/establishments` and `.../legal-units` -> {"items"}
  plus whichever of "count", "prev", "next" `fields.root` lists; `limit` 1..99
  (default 10: Lucca refuses 100 and more here); archived rows only with
  `isArchived=true` or `isArchived=true,false`.
- Look-ups (work-contract types, hiring types, termination reasons, occupation
  categories) -> {"items", "count"}; `limit` 1..1000 (default 100); archived rows
  included unless `isArchived` says otherwise.
Unknown query parameters are ignored, as ASP.NET model binding does.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from .errors import bad_request

DEFAULT_LIMIT = 10
MAX_LIMIT = 1000
STRUCTURE_MAX_LIMIT = 99
LOOKUP_DEFAULT_LIMIT = 100
ROOT_FIELDS = ("count", "prev", "next")


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


def _paging(params: dict[str, list[str]], default_limit: int, max_limit: int) -> tuple[int, int]:
    """The requested (limit, 1-based page), each checked against the endpoint's bounds."""
    return _int(params, "limit", default_limit, 1, max_limit), _int(params, "page", 1, 1, None)


def _page_of(rows: list[dict[str, Any]], limit: int, page: int) -> list[dict[str, Any]]:
    start = (page - 1) * limit
    return rows[start : start + limit]


def _links(
    page_url: str, pairs: list[tuple[str, str]], limit: int, page: int, total: int
) -> dict[str, str | None]:
    """`prev` and `next` as full URLs, null at the ends."""
    return {
        "prev": _link(page_url, pairs, page - 1) if page > 1 else None,
        "next": _link(page_url, pairs, page + 1) if page * limit < total else None,
    }


def list_work_contracts(
    contracts: list[dict[str, Any]], params: dict[str, list[str]]
) -> dict[str, Any]:
    limit, page = _paging(params, DEFAULT_LIMIT, MAX_LIMIT)
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
    body: dict[str, Any] = {"items": _page_of(matches, limit, page)}
    if "count" in {v.lower() for v in _values(params, "fields.root")}:
        body["count"] = len(matches)
    return body


def _link(page_url: str, pairs: list[tuple[str, str]], target: int) -> str:
    """`page_url` with the request's query (`pairs`, in order) asking for page `target`."""
    kept = [(k, v) for k, v in pairs if k.lower() != "page"]
    return f"{page_url}?{urlencode([*kept, ('page', str(target))])}"


def list_structure(
    rows: list[dict[str, Any]],
    params: dict[str, list[str]],
    page_url: str,
    pairs: list[tuple[str, str]],
) -> dict[str, Any]:
    """Establishments or legal units; `page_url`/`pairs` as for list_departments."""
    limit, page = _paging(params, DEFAULT_LIMIT, STRUCTURE_MAX_LIMIT)
    archived = _bools(params, "isArchived") or {False}  # archived ones only when asked
    matches = [row for row in rows if row["isArchived"] in archived]
    body: dict[str, Any] = {"items": _page_of(matches, limit, page)}
    wanted = {v.lower() for v in _values(params, "fields.root")}
    extras = {"count": len(matches), **_links(page_url, pairs, limit, page, len(matches))}
    body.update((name, extras[name]) for name in ROOT_FIELDS if name in wanted)
    return body


def list_lookup(rows: list[dict[str, Any]], params: dict[str, list[str]]) -> dict[str, Any]:
    """A look-up list: every row unless `isArchived` filters them."""
    limit, page = _paging(params, LOOKUP_DEFAULT_LIMIT, MAX_LIMIT)
    archived = _bools(params, "isArchived")
    matches = [row for row in rows if archived is None or row["isArchived"] in archived]
    return {"items": _page_of(matches, limit, page), "count": len(matches)}


def list_departments(
    departments: list[dict[str, Any]],
    params: dict[str, list[str]],
    page_url: str,
    pairs: list[tuple[str, str]],
) -> dict[str, Any]:
    """`page_url` is this endpoint's absolute URL, `pairs` the request's query in order."""
    limit, page = _paging(params, DEFAULT_LIMIT, MAX_LIMIT)
    count = len(departments)
    return {
        "items": _page_of(departments, limit, page),
        "count": count,
        **_links(page_url, pairs, limit, page, count),
    }
