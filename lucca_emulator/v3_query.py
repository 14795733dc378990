"""A v3 list query over stored records: `fields`, `paging`, `orderBy` and filters.

Shared by every `/api/v3` collection (users, userlogs). Behaviour (see lucca-api.md):
without `fields` an item holds only the collection's default keys; `fields` names are
case-insensitive and answers keep the stored casing; `collection.count` adds
`data.count`; `paging=offset,limit` with limit 1..1000 (default 0,1000);
`orderBy=field,asc|desc`; filters `field=value[,value…]`, `notequal,…`, `since`,
`until`, `between`, `greaterthan`, `lessthan`, `like`, `startswith`. Unknown names
answer 400.
"""

from __future__ import annotations

import datetime as dt
import operator
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any

from .errors import bad_request
from .fields import Plan, Schema, compile_plan, parse_fields, project, schema_of
from .timefmt import parse_naive

DEFAULT_LIMIT = 1000
MAX_LIMIT = 1000
RESERVED = ("fields", "paging", "orderby")

Predicate = Callable[[dict[str, Any]], bool]


class Catalog:
    """What an endpoint knows of its records: key order, nested shapes (for `fields`
    validation), value kinds (for filters and order) and output renames."""

    def __init__(
        self,
        keys: tuple[str, ...],
        samples: list[dict[str, Any]],
        date_fields: Iterable[str],
        default_keys: tuple[str, ...],
        renames: dict[str, str] | None = None,
    ) -> None:
        self.keys = keys
        self.by_lower = {key.lower(): key for key in keys}
        self.renames = renames or {}
        self.date_fields = frozenset(date_fields)
        self.schemas: dict[str, Schema | None] = {
            key: schema_of(s.get(key) for s in samples) for key in keys
        }
        self.kinds = {
            key: "date" if key in self.date_fields else _kind(key, [s.get(key) for s in samples])
            for key in keys
        }
        self.default_plan = Plan(tuple((key, key, None) for key in default_keys), False)

    def full(self, record: dict[str, Any]) -> dict[str, Any]:
        """The whole stored object, renamed when the catalog renames keys."""
        if not self.renames:
            return record
        return {self.renames.get(key, key): value for key, value in record.items()}

    def plan(self, texts: list[str]) -> Plan:
        """The plan for the `fields` values (several are merged)."""
        tree: dict[str, Any] = {}
        for text in texts:
            tree.update(parse_fields(text))
        return compile_plan(tree, self.keys, self.schemas, self.renames)


def _kind(key: str, values: list[Any]) -> str:
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
class Query:
    plan: Plan
    offset: int
    limit: int
    order: list[tuple[str, bool]]  # (stored key, descending)
    predicates: list[Predicate]
    dates: frozenset[str]  # stored keys holding timestamps (compared as such)
    filtered: frozenset[str]  # stored keys the query filters on
    after_id: int | None = None  # from `id=greaterthan,n`: where keyset paging resumes


def parse_query(
    params: dict[str, list[str]], catalog: Catalog, extras: tuple[str, ...] = ()
) -> tuple[Query, dict[str, list[str]]]:
    """The query, and the values of the endpoint's own parameters named in `extras`
    (lower case, e.g. "formeremployees"), which are neither reserved nor filters."""
    own: dict[str, list[str]] = {}
    filters: list[tuple[str, str]] = []
    for name, values in params.items():
        lower = name.lower()
        if lower in RESERVED or lower in extras:
            own.setdefault(lower, []).extend(values)
        else:
            filters.extend((name, value) for value in values)

    plan = catalog.default_plan
    if "fields" in own:
        plan = catalog.plan(own["fields"])
        if not plan.columns:  # only collection.count: items keep the default keys
            plan = Plan(catalog.default_plan.columns, plan.count)

    offset, limit = 0, DEFAULT_LIMIT
    if "paging" in own:
        offset, limit = _paging(own["paging"][-1])

    order: list[tuple[str, bool]] = []
    for text in own.get("orderby", []):
        order.extend(_order(text, catalog))

    predicates = [_filter(name, value, catalog) for name, value in filters]
    filtered = frozenset(catalog.by_lower.get(name.lower(), name) for name, _ in filters)
    query = Query(plan, offset, limit, order, predicates, catalog.date_fields, filtered)
    query.after_id = _after_id(filters)
    return query, {k: v for k, v in own.items() if k in extras}


def _after_id(filters: list[tuple[str, str]]) -> int | None:
    """The highest n of `id=greaterthan,n` filters (keyset paging), if any."""
    bounds = []
    for name, value in filters:
        verb, _, bound = value.partition(",")
        if name.lower() == "id" and verb.strip().lower() == "greaterthan":
            try:
                bounds.append(int(bound))
            except ValueError:
                return None  # the filter itself answers 400
    return max(bounds, default=None)


def _paging(text: str) -> tuple[int, int]:
    parts = text.split(",")
    try:
        offset, limit = (int(p) for p in parts)
    except ValueError:
        raise bad_request("paging must be '<offset>,<limit>'") from None
    if offset < 0 or not 1 <= limit <= MAX_LIMIT:
        raise bad_request(f"paging limit must be between 1 and {MAX_LIMIT}, offset >= 0")
    return offset, limit


def _order(text: str, catalog: Catalog) -> list[tuple[str, bool]]:
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


def _filter(name: str, value: str, catalog: Catalog) -> Predicate:
    path = [part.lower() for part in name.split(".")]
    stored = catalog.by_lower.get(path[0])
    if stored is None:
        raise bad_request(f"Unknown filter: {name}")
    kind = catalog.kinds[stored]
    if len(path) > 1:  # e.g. department.id=12: compare a nested scalar
        rest = path[1:]

        def getter(record: dict[str, Any]) -> Any:
            current: Any = record.get(stored)
            for part in rest:
                if not isinstance(current, dict):
                    return None
                current = next((v for k, v in current.items() if k.lower() == part), None)
            return current

        kind = "int" if rest[-1] == "id" else "str"
    elif kind == "object":
        raise bad_request(f"Cannot filter on {name}")
    else:

        def getter(record: dict[str, Any]) -> Any:
            return record.get(stored)

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

    def read(record: dict[str, Any]) -> Any:
        # Stored values are naive ISO strings: the C parser alone is enough (and fast).
        raw = getter(record)
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
            return lambda r: needle in str(read(r) or "").lower()
        return lambda r: str(read(r) or "").lower().startswith(needle)
    if verb in ("since", "until", "between") and kind != "date":
        raise bad_request(f"{name}: {verb} needs a date field")
    if verb == "notequal":
        excluded = [_convert(t, kind, name) for t in tokens[1:]]
        return lambda r: read(r) not in excluded
    compare = _COMPARISONS.get(verb)
    if compare is None and verb != "between":  # plain value(s)
        wanted = [_convert(t, kind, name) for t in tokens]
        return lambda r: read(r) in wanted
    bounds = [_convert(t, kind, name) for t in tokens[1:]]
    if len(bounds) != (2 if verb == "between" else 1) or None in bounds:
        raise bad_request(f"{name}: wrong number of values for {verb}")
    if compare is None:
        low, high = bounds
        return lambda r: (v := read(r)) is not None and low <= v <= high
    bound = bounds[0]
    return lambda r: (v := read(r)) is not None and compare(v, bound)


def run_query(
    records: list[dict[str, Any]], query: Query, *, sorted_by_id: bool = False
) -> tuple[int | None, list[dict[str, Any]]]:
    """The matching count (None when the query did not ask for it) and the requested
    page (caller holds the tenant lock). `sorted_by_id`: records are in id order, so
    keyset paging (`id=greaterthan,n`, in id order) starts at n and stops at the page
    instead of filtering everything: big collections stay quick to page through."""
    start = 0
    if sorted_by_id and query.after_id is not None:
        start = bisect_right(records, query.after_id, key=operator.itemgetter("id"))
    in_order = not query.order or (sorted_by_id and query.order == [("id", False)])
    predicates = query.predicates
    candidates = islice(records, start, None)
    if len(predicates) == 1:
        (only,) = predicates
        matches: Iterable[dict[str, Any]] = (r for r in candidates if only(r))
    elif predicates:
        matches = (r for r in candidates if all(p(r) for p in predicates))
    else:
        matches = candidates
    end = query.offset + query.limit
    if in_order and not query.plan.count:
        return None, list(islice(matches, query.offset, end))
    found = list(matches)
    if not in_order:
        for stored, descending in reversed(query.order):  # stable sorts, last key first
            found.sort(key=_sort_key(stored, stored in query.dates), reverse=descending)
    return len(found), found[query.offset : end]


def _sort_key(stored: str, is_date: bool) -> Callable[[dict[str, Any]], Any]:
    def key(record: dict[str, Any]) -> Any:
        value = record.get(stored)
        if value is None:
            return (0, 0)  # nulls first when ascending, as SQL Server does
        if is_date:
            return (1, dt.datetime.fromisoformat(value))
        return (1, value.lower() if isinstance(value, str) else value)

    return key


def list_data(
    records: list[dict[str, Any]],
    query: Query,
    *,
    sorted_by_id: bool = False,
) -> dict[str, Any]:
    """The `data` object of a v3 list answer: {"items"} plus "count" when asked."""
    count, page = run_query(records, query, sorted_by_id=sorted_by_id)
    memo: dict[tuple[int, int], Any] = {}
    data: dict[str, Any] = {"items": [project(r, query.plan, memo) for r in page]}
    if query.plan.count:
        data["count"] = count
    return data
