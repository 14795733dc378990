"""The department tree, rebuilt from Lucca's position paths."""

from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from collections.abc import Iterable


def with_tree(departments: Iterable[dict]) -> list[dict]:
    """Add `parentDepartmentId`, `level` and `ancestorDepartmentIds` to each department.

    `hierarchy` ("/1/4/") and `parentId` ("/1/") are paths of sibling positions,
    not ids: the parent is the department whose `hierarchy` is this one's `parentId`.
    """
    departments = list(departments)
    id_at = {d["hierarchy"]: d["id"] for d in departments if d.get("hierarchy")}
    for department in departments:
        path = department.get("hierarchy") or ""
        positions = [p for p in path.split("/") if p]
        prefixes = ["/" + "/".join(positions[:n]) + "/" for n in range(1, len(positions))]
        ancestors = [id_at[p] for p in prefixes if p in id_at]
        department["parentDepartmentId"] = id_at.get(department.get("parentId") or "")
        department["level"] = len(positions) or None
        department["ancestorDepartmentIds"] = ancestors
        department.setdefault("description", None)  # the new API's; v4 has none
    return departments


def _id(reference: dict | None) -> int | None:
    return int(reference["id"]) if reference else None


def legacy_department(department: dict) -> dict:
    """A new-API department in the legacy shape, every property of Lucca's reference
    kept with its meaning: `remoteId` is the legacy `code`, `isArchived` the opposite
    of `isActive`, `manager` the head (`headId`), `sortOrder` the rank among siblings.
    It has no position paths (`parentId`, `hierarchy`) nor timestamps, but names its
    parent, and Lucca gives its `level`."""
    archived = department.get("isArchived")
    return {
        "id": int(department["id"]),
        "name": department.get("name"),
        "code": department.get("remoteId"),
        "description": department.get("description"),
        "parentId": None,
        "hierarchy": None,
        "isActive": None if archived is None else not archived,
        "headId": _id(department.get("manager")),
        "sortOrderInSiblings": department.get("sortOrder"),
        "createdAt": None,  # the new API dates no department
        "lastModifiedAt": None,
        "parentDepartmentId": _id(department.get("parent")),
        "level": department.get("level"),
    }


def with_parent_tree(departments: Iterable[dict]) -> list[dict]:
    """Add `ancestorDepartmentIds` from each `parentDepartmentId`, and the `level` where
    Lucca gives none: the same fields as `with_tree`, from parent references instead
    of paths."""
    departments = list(departments)
    parent_of = {d["id"]: d["parentDepartmentId"] for d in departments}
    for department in departments:
        ancestors: list[int] = []
        parent = department["parentDepartmentId"]
        while parent is not None and parent not in ancestors and len(ancestors) < len(parent_of):
            ancestors.insert(0, parent)
            parent = parent_of.get(parent)
        department["level"] = department.get("level") or len(ancestors) + 1
        department["ancestorDepartmentIds"] = ancestors
    return departments
