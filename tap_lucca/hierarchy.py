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
    return departments


def _id(reference: dict | None) -> int | None:
    return int(reference["id"]) if reference else None


def legacy_department(department: dict) -> dict:
    """A new-API department in the legacy shape. It has no position paths
    (`parentId`, `hierarchy`), but names its parent and manager."""
    return {
        "id": int(department["id"]),
        "name": department.get("name"),
        "code": department.get("code"),
        "parentId": None,
        "hierarchy": None,
        "isActive": department.get("isActive"),
        "headId": _id(department.get("manager")),
        "sortOrderInSiblings": department.get("sortOrder"),
        "createdAt": department.get("createdAt"),
        "lastModifiedAt": department.get("lastUpdatedAt"),
        "parentDepartmentId": _id(department.get("parent")),
    }


def with_parent_tree(departments: Iterable[dict]) -> list[dict]:
    """Add `level` and `ancestorDepartmentIds` from each `parentDepartmentId`:
    the same fields as `with_tree`, from parent references instead of paths."""
    departments = list(departments)
    parent_of = {d["id"]: d["parentDepartmentId"] for d in departments}
    for department in departments:
        ancestors: list[int] = []
        parent = department["parentDepartmentId"]
        while parent is not None and parent not in ancestors and len(ancestors) < len(parent_of):
            ancestors.insert(0, parent)
            parent = parent_of.get(parent)
        department["level"] = len(ancestors) + 1
        department["ancestorDepartmentIds"] = ancestors
    return departments
