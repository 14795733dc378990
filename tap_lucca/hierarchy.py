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
