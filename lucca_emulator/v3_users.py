"""`GET /api/v3/users` and `GET /api/v3/users/{id}`: filters, order, paging, fields.

The query language is v3_query's. Specific to users: without `fields` an item is
only {id, name, url}; the mixed id casing (`departmentID`…) or the documented one;
former employees (dtContractEnd before today) are left out unless
`formerEmployees=true` — or unless the query filters on dtContractEnd, as the
recorded `dtContractEnd=notequal,null` answer shows. Unknown names answer 400.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import ApiError, bad_request
from .fields import project
from .v3_query import DEFAULT_LIMIT, MAX_LIMIT, Catalog, Query, list_data
from .v3_query import parse_query as parse_v3_query

if TYPE_CHECKING:
    import datetime as dt

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "UserCatalog", "get_user", "list_users", "parse_query"]

DATE_FIELDS = frozenset(
    {
        "dtContractStart",
        "dtContractEnd",
        "birthDate",
        "seniorityDate",
        "createdOn",
        "createdAt",
        "modifiedOn",
        "modifiedAt",
    }
)
# id_casing="docs": the spelling of Lucca's documentation instead of the real one.
DOCS_RENAMES = {
    "departmentID": "departmentId",
    "managerID": "managerId",
    "legalEntityID": "legalEntityId",
    "cultureID": "cultureId",
    "cspID": "cspId",
}


class UserCatalog(Catalog):
    """What the users endpoint knows of user records, with the output id casing."""

    def __init__(
        self, keys: tuple[str, ...], samples: list[dict[str, Any]], id_casing: str
    ) -> None:
        if id_casing not in ("mixed", "docs"):
            raise ValueError("id_casing must be 'mixed' or 'docs'")
        renames = DOCS_RENAMES if id_casing == "docs" else {}
        super().__init__(keys, samples, DATE_FIELDS, ("id", "name", "url"), renames)


def parse_query(params: dict[str, list[str]], catalog: Catalog, today: dt.date) -> Query:
    query, own = parse_v3_query(params, catalog, ("formeremployees",))
    include_former = False
    for value in own.get("formeremployees", []):
        if value.lower() not in ("true", "false"):
            raise bad_request("formerEmployees must be true or false")
        include_former = value.lower() == "true"
    if not include_former and "dtContractEnd" not in query.filtered:
        iso_today = today.isoformat()
        query.predicates.insert(
            0, lambda u: u["dtContractEnd"] is None or u["dtContractEnd"][:10] >= iso_today
        )
    return query


def list_users(
    users: list[dict[str, Any]], params: dict[str, list[str]], catalog: Catalog, today: dt.date
) -> dict[str, Any]:
    """The `data` object of GET /api/v3/users (`users` in id order)."""
    return list_data(users, parse_query(params, catalog, today), sorted_by_id=True)


def get_user(
    user: dict[str, Any] | None, params: dict[str, list[str]], catalog: Catalog
) -> dict[str, Any]:
    """The `data` object of GET /api/v3/users/{id}: the full object unless `fields` is given."""
    if user is None:
        raise ApiError(404, "User not found")
    texts = [v for k, vs in params.items() if k.lower() == "fields" for v in vs]
    if not texts:
        return catalog.full(user)
    plan = catalog.plan(texts)
    if not plan.columns:
        return catalog.full(user)
    return project(user, plan, {})
