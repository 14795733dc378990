"""The catalog's field selection, applied to records by path.

The SDK finds deselected properties by walking every nested object of every record
and looking each key up in its selection mask: on users, that walk took more of the
tap's time than anything it does itself. Only the properties the mask deselects can
go, so they are found once, and each record loses just those keys.
"""

from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from collections.abc import Mapping

    Breadcrumb = tuple[str, ...]


def _property_path(breadcrumb: Breadcrumb) -> tuple[str, ...] | None:
    """("properties", "manager", "properties", "name") as ("manager", "name"); None for
    a breadcrumb through anything but objects (the SDK does not look inside arrays)."""
    if not breadcrumb or len(breadcrumb) % 2 or set(breadcrumb[::2]) != {"properties"}:
        return None
    return breadcrumb[1::2]


class Deselection:
    """The properties a selection mask deselects, as paths of keys."""

    def __init__(self, mask: Mapping[Breadcrumb, bool]) -> None:
        paths = {
            path
            for breadcrumb, selected in mask.items()
            if not selected and (path := _property_path(breadcrumb))
        }
        # A property inside a deselected one goes with it.
        self.paths = tuple(p for p in paths if not any(p[:n] in paths for n in range(1, len(p))))

    def drop(self, record: dict) -> dict:
        """The record without its deselected properties, at any depth of objects."""
        for *parents, name in self.paths:
            obj: t.Any = record
            for parent in parents:
                obj = obj.get(parent)
                if not isinstance(obj, dict):
                    break
            else:
                obj.pop(name, None)
        return record
