"""`GET /api/v3/users` and `GET /api/v3/users/{id}`: filters, order, paging, fields.

Behaviour (see lucca-api.md): without `fields` an item is only {id, name, url};
`paging=offset,limit` with limit 1..1000 (default 0,1000); `orderBy=field,asc|desc`;
former employees (dtContractEnd before today) are left out unless
`formerEmployees=true` — or unless the query filters on dtContractEnd, as the
recorded `dtContractEnd=notequal,null` answer shows. Unknown names answer 400.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import ApiError, bad_request
from .fields import Plan, Schema, compile_plan, parse_fields, project, schema_of
from .timefmt import parse_naive

DEFAULT_LIMIT = 1000
MAX_LIMIT = 1000
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
RESERVED = ("fields", "paging", "orderby", "formeremployees")

Predicate = Callable[[dict[str, Any]], bool]


class UserCatalog:
    """What the endpoint knows of user records: key order, nested shapes, output casing."""

    def __init__(
        self, keys: tuple[str, ...], samples: list[dict[str, Any]], id_casing: str
    ) -> None:
        if id_casing not in ("mixed", "docs"):
            raise ValueError("id_casing must be 'mixed' or 'docs'")
        self.keys = keys
        self.by_lower = {key.lower(): key for key in keys}
        self.renames = DOCS_RENAMES if id_casing == "docs" else {}
        self.schemas: dict[str, Schema | None] = {
            key: schema_of(s.get(key) for s in samples) for key in keys
        }
        self.kinds = {key: _kind(key, [s.get(key) for s in samples]) for key in keys}
        self.default_plan = Plan(
            (("id", "id", None), ("name", "name", None), ("url", "url", None)), False
        )

    def full(self, user: dict[str, Any]) -> dict[str, Any]:
        """The whole stored object, renamed for id_casing="docs"."""
        if not self.renames:
            return user
        return {self.renames.get(key, key): value for key, value in user.items()}


def _kind(key: str, values: list[Any]) -> str:
    if key in DATE_FIELDS:
        return "date"
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return "bool"
    if present and all(isinstance(v, int) for v in present):
        return "int"
    if any(isinstance(v, dict | list) for v in present):
        return "object"
    if not present and key.lower().endswith("id"):
        return "int"
    return "str"


@dataclass
class UserQuery:
    plan: Plan
    offset: int
    limit: int
    order: list[tuple[str, bool]]  # (stored key, descending)
    predicates: list[Predicate]


def parse_query(params: dict[str, list[str]], catalog: UserCatalog, today: dt.date) -> UserQuery:
    lowered: dict[str, list[str]] = {}
    filters: list[tuple[str, str]] = []
    for name, values in params.items():
        lower = name.lower()
        if lower in RESERVED:
            lowered.setdefault(lower, []).extend(values)
        else:
            filters.extend((name, value) for value in values)

    plan = catalog.default_plan
    if "fields" in lowered:
        tree: dict[str, Any] = {}
        for text in lowered["fields"]:
            tree.update(parse_fields(text))
        plan = compile_plan(tree, catalog.keys, catalog.schemas, catalog.renames)
        if not plan.columns:  # only collection.count: items keep the default keys
            plan = Plan(catalog.default_plan.columns, plan.count)

    offset, limit = 0, DEFAULT_LIMIT
    if "paging" in lowered:
        offset, limit = _paging(lowered["paging"][-1])

    order: list[tuple[str, bool]] = []
    for text in lowered.get("orderby", []):
        order.extend(_order(text, catalog))

    include_former = False
    for value in lowered.get("formeremployees", []):
        if value.lower() not in ("true", "false"):
            raise bad_request("formerEmployees must be true or false")
        include_former = value.lower() == "true"

    predicates = [_filter(name, value, catalog) for name, value in filters]
    touches_end = any(catalog.by_lower.get(name.lower()) == "dtContractEnd" for name, _ in filters)
    if not include_former and not touches_end:
        iso_today = today.isoformat()
        predicates.insert(
            0, lambda u: u["dtContractEnd"] is None or u["dtContractEnd"][:10] >= iso_today
        )
    return UserQuery(plan, offset, limit, order, predicates)


def _paging(text: str) -> tuple[int, int]:
    parts = text.split(",")
    try:
        offset, limit = (int(p) for p in parts)
    except ValueError:
        raise bad_request("paging must be '<offset>,<limit>'") from None
    if offset < 0 or not 1 <= limit <= MAX_LIMIT:
        raise bad_request(f"paging limit must be between 1 and {MAX_LIMIT}, offset >= 0")
    return offset, limit


def _order(text: str, catalog: UserCatalog) -> list[tuple[str, bool]]:
    tokens = [t.strip() for t in text.split(",") if t.strip()]
    order = []
    index = 0
    while index < len(tokens):
        stored = catalog.by_lower.get(tokens[index].lower())
        if stored is None or catalog.kinds[stored] == "object":
            raise bad_request(f"Cannot order by {tokens[index]}")
        direction = "asc"
        if index + 1 < len(tokens) and tokens[index + 1].lower() in ("asc", "desc"):
            direction = tokens[index + 1].lower()
            index += 1
        order.append((stored, direction == "desc"))
        index += 1
    return order


def _filter(name: str, value: str, catalog: UserCatalog) -> Predicate:
    path = [part.lower() for part in name.split(".")]
    stored = catalog.by_lower.get(path[0])
    if stored is None:
        raise bad_request(f"Unknown filter: {name}")
    kind = catalog.kinds[stored]
    if len(path) > 1:  # e.g. department.id=12: compare a nested scalar
        rest = path[1:]

        def getter(user: dict[str, Any]) -> Any:
            current: Any = user.get(stored)
            for part in rest:
                if not isinstance(current, dict):
                    return None
                current = next((v for k, v in current.items() if k.lower() == part), None)
            return current

        kind = "int" if rest[-1] == "id" else "str"
    elif kind == "object":
        raise bad_request(f"Cannot filter on {name}")
    else:

        def getter(user: dict[str, Any]) -> Any:
            return user.get(stored)

    return _predicate(getter, kind, value, name)


def _convert(token: str, kind: str, name: str) -> Any:
    token = token.strip()
    if token.lower() == "null":
        return None
    try:
        if kind == "int":
            return int(token)
        if kind == "date":
            return parse_naive(token)
    except ValueError:
        raise bad_request(f"Invalid value {token!r} for {name}") from None
    if kind == "bool":
        if token.lower() not in ("true", "false"):
            raise bad_request(f"Invalid value {token!r} for {name}")
        return token.lower() == "true"
    return token


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "since": operator.ge,
    "greaterthanorequal": operator.ge,
    "until": operator.le,
    "lessthanorequal": operator.le,
    "greaterthan": operator.gt,
    "lessthan": operator.lt,
}


def _reader(getter: Callable[[dict[str, Any]], Any], kind: str) -> Callable[[dict[str, Any]], Any]:
    if kind != "date":
        return getter

    def read(user: dict[str, Any]) -> Any:
        # Stored values are naive ISO strings: the C parser alone is enough (and fast).
        raw = getter(user)
        return dt.datetime.fromisoformat(raw) if isinstance(raw, str) else raw

    return read


def _predicate(
    getter: Callable[[dict[str, Any]], Any], kind: str, value: str, name: str
) -> Predicate:
    """`v`, `v1,v2` (any of), `notequal,v…`, `since|until|greaterthan|lessthan…,v`,
    `between,a,b`, `like,text`, `startswith,text`; "null" stands for null."""
    tokens = value.split(",")
    verb = tokens[0].strip().lower()
    read = _reader(getter, kind)
    if verb in ("like", "startswith"):
        needle = ",".join(tokens[1:]).lower()
        if verb == "like":
            return lambda u: needle in str(read(u) or "").lower()
        return lambda u: str(read(u) or "").lower().startswith(needle)
    if verb in ("since", "until", "between") and kind != "date":
        raise bad_request(f"{name}: {verb} needs a date field")
    if verb == "notequal":
        excluded = [_convert(t, kind, name) for t in tokens[1:]]
        return lambda u: read(u) not in excluded
    compare = _COMPARISONS.get(verb)
    if compare is None and verb != "between":  # plain value(s)
        wanted = [_convert(t, kind, name) for t in tokens]
        return lambda u: read(u) in wanted
    bounds = [_convert(t, kind, name) for t in tokens[1:]]
    if len(bounds) != (2 if verb == "between" else 1) or None in bounds:
        raise bad_request(f"{name}: wrong number of values for {verb}")
    if compare is None:
        low, high = bounds
        return lambda u: (v := read(u)) is not None and low <= v <= high
    bound = bounds[0]
    return lambda u: (v := read(u)) is not None and compare(v, bound)


def run_query(users: list[dict[str, Any]], query: UserQuery) -> tuple[int, list[dict[str, Any]]]:
    """The matching count and the requested page (caller holds the tenant lock)."""
    predicates = query.predicates
    if len(predicates) == 1:
        (only,) = predicates
        matches = [u for u in users if only(u)]
    elif predicates:
        matches = [u for u in users if all(p(u) for p in predicates)]
    else:
        matches = list(users)
    for stored, descending in reversed(query.order):  # stable sorts, last key first
        matches.sort(key=_sort_key(stored), reverse=descending)
    return len(matches), matches[query.offset : query.offset + query.limit]


def _sort_key(stored: str) -> Callable[[dict[str, Any]], Any]:
    def key(user: dict[str, Any]) -> Any:
        value = user.get(stored)
        if value is None:
            return (0, 0)  # nulls first when ascending, as SQL Server does
        if stored in DATE_FIELDS:
            return (1, dt.datetime.fromisoformat(value))
        return (1, value.lower() if isinstance(value, str) else value)

    return key


def list_users(
    users: list[dict[str, Any]], params: dict[str, list[str]], catalog: UserCatalog, today: dt.date
) -> dict[str, Any]:
    """The `data` object of GET /api/v3/users."""
    query = parse_query(params, catalog, today)
    count, page = run_query(users, query)
    memo: dict[tuple[int, int], Any] = {}
    data: dict[str, Any] = {"items": [project(u, query.plan, memo) for u in page]}
    if query.plan.count:
        data["count"] = count
    return data


def get_user(
    user: dict[str, Any] | None, params: dict[str, list[str]], catalog: UserCatalog
) -> dict[str, Any]:
    """The `data` object of GET /api/v3/users/{id}: the full object unless `fields` is given."""
    if user is None:
        raise ApiError(404, "User not found")
    texts = [v for k, vs in params.items() if k.lower() == "fields" for v in vs]
    if not texts:
        return catalog.full(user)
    tree: dict[str, Any] = {}
    for text in texts:
        tree.update(parse_fields(text))
    plan = compile_plan(tree, catalog.keys, catalog.schemas, catalog.renames)
    if not plan.columns:
        return catalog.full(user)
    return project(user, plan, {})
