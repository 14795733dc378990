"""The v3 `fields=` parameter: parsing, validation and projection.

Grammar (names are case-insensitive): `a,b.c,d[e,f[g]]`. `b.c` and `b[c]` are the
same selection; a name selected whole wins over a sub-selection of it. The special
`collection.count` asks for `data.count`. Output keys keep the stored casing and
order whatever the request's casing (`departmentid` -> `departmentID`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import bad_request

if TYPE_CHECKING:
    from collections.abc import Iterable

# A selection tree: lower-case name -> sub-selection, or None for "the whole value".
Tree = dict[str, "Tree | None"]
# What we know of nested objects' keys, to reject unknown names like the API does;
# None means "unknown shape" (a value that is always null in the sample): accept anything.
Schema = dict[str, "Schema | None"]


def parse_fields(text: str) -> Tree:
    """Parse `fields`; raises ApiError(400) on unbalanced brackets or empty nested lists."""
    tree: Tree = {}
    pos = _parse_list(text, 0, tree, nested=False)
    if pos != len(text):
        raise bad_request(f"Invalid fields: unexpected ']' at {pos}")
    return tree


def _parse_list(text: str, pos: int, into: Tree, *, nested: bool) -> int:
    length = len(text)
    while True:
        start = pos
        while pos < length and text[pos] not in ",[]":
            pos += 1
        name = text[start:pos].strip()
        sub: Tree | None = None
        if pos < length and text[pos] == "[":
            sub = {}
            pos = _parse_list(text, pos + 1, sub, nested=True)
            if pos >= length or text[pos] != "]":
                raise bad_request("Invalid fields: missing ']'")
            pos += 1
            if not sub or not name:
                raise bad_request("Invalid fields: empty selection")
        if name:
            path = [part.strip().lower() for part in name.split(".")]
            if not all(path):
                raise bad_request(f"Invalid fields: {name!r}")
            _merge(into, path, sub)
        if pos >= length:
            if nested:
                raise bad_request("Invalid fields: missing ']'")
            return pos
        if text[pos] == ",":
            pos += 1
            continue
        if text[pos] == "]":
            return pos  # the caller checks it expected one
        # Anything but ',' or ']' after a bracketed group: "a[b]c", "a[b][c]"
        raise bad_request(f"Invalid fields near position {pos}")


def _merge(tree: Tree, path: list[str], sub: Tree | None) -> None:
    key = path[0]
    if len(path) > 1:
        sub = _nest(path[1:], sub)
    if key not in tree:
        tree[key] = sub
        return
    current = tree[key]
    if current is None or sub is None:
        tree[key] = None  # whole value wins
        return
    for name, child in sub.items():
        _merge(current, [name], child)


def _nest(path: list[str], sub: Tree | None) -> Tree:
    node: Tree = {path[-1]: sub}
    for name in reversed(path[:-1]):
        node = {name: node}
    return node


def schema_of(values: Iterable[Any]) -> Schema | None:
    """Merge the shapes of sample values: a dict schema for objects (and lists of them),
    {} for scalars (no sub-field allowed), None when always null or empty (unknown)."""
    schema: Schema | None = None
    scalar = False
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                if schema is None:
                    schema = {}
                for key, child in item.items():
                    lower = key.lower()
                    merged = schema_of([child])
                    previous = schema.get(lower)
                    if previous is None:
                        schema[lower] = merged
                    elif merged:
                        schema[lower] = {**merged, **previous}
            elif item is not None:
                scalar = True
    if schema is None and scalar:
        return {}
    return schema


@dataclass(frozen=True)
class Plan:
    """A compiled top-level selection: (stored key, output key, sub-tree) in stored order."""

    columns: tuple[tuple[str, str, Tree | None], ...]
    count: bool


def compile_plan(
    tree: Tree, keys: tuple[str, ...], schemas: dict[str, Schema | None], renames: dict[str, str]
) -> Plan:
    """Resolve names against the record keys (case-insensitively) and validate nested ones.

    `keys` is the full key list in stored order, `schemas` the nested shapes per stored
    key, `renames` the output spelling of some keys (id_casing="docs").
    """
    tree = dict(tree)
    count = False
    collection = tree.pop("collection", None) if "collection" in tree else False
    if collection is not False:
        if not collection or set(collection) != {"count"}:
            raise bad_request("Invalid fields: only collection.count is supported")
        count = True
    by_lower = {key.lower(): key for key in keys}
    chosen: dict[str, Tree | None] = {}
    for name, sub in tree.items():
        stored = by_lower.get(name)
        if stored is None:
            raise bad_request(f"Unknown field: {name}")
        if sub is not None:
            _validate(sub, schemas.get(stored), stored)
        chosen[stored] = sub
    columns = tuple((key, renames.get(key, key), chosen[key]) for key in keys if key in chosen)
    return Plan(columns, count)


def _validate(tree: Tree, schema: Schema | None, where: str) -> None:
    if schema is None:
        return  # unknown shape (always null in the sample): accept
    for name, sub in tree.items():
        if name not in schema:
            raise bad_request(f"Unknown field: {where}.{name}")
        if sub is not None:
            _validate(sub, schema[name], f"{where}.{name}")


def project(record: dict[str, Any], plan: Plan, memo: dict[tuple[int, int], Any]) -> dict[str, Any]:
    """Select the plan's columns of one record. A key absent from the record (e.g.
    userAxisValues_1 on most users) comes back as null, not omitted."""
    out: dict[str, Any] = {}
    get = record.get
    for stored, output, sub in plan.columns:
        value = get(stored)
        out[output] = value if sub is None or value is None else _project(value, sub, memo)
    return out


def _project(value: Any, tree: Tree, memo: dict[tuple[int, int], Any]) -> Any:
    # Shared nested objects (roles, authorizedOperations…) are projected once per
    # request: the memo is keyed by object identity, valid while the tenant lock is held.
    key = (id(value), id(tree))
    hit = memo.get(key)
    if hit is not None:
        return hit
    if isinstance(value, list):
        result: Any = [
            _project(item, tree, memo) if isinstance(item, dict | list) else item for item in value
        ]
    elif isinstance(value, dict):
        result = {}
        for name, child in value.items():
            lower = name.lower()
            if lower in tree:
                sub = tree[lower]
                result[name] = child if sub is None or child is None else _project(child, sub, memo)
    else:
        result = value
    memo[key] = result
    return result
