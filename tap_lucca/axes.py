"""Analytical axes (legacy API): which axes a tenant has, and each user's section on
each. Cost centers are the sections of one of them, whichever its id."""

from __future__ import annotations

import re
import typing as t

if t.TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

#: A user's section on axis n: `userAxisValues_<n>: {"id": <section id>, "name", "url"}`.
USER_AXIS_KEY = re.compile(r"userAxisValues_(\d+)", re.IGNORECASE)
AXIS_CATEGORY = 4  # of a legacy user property


def discovered_axes(
    axes: Iterable[Mapping[str, t.Any]] | None, properties: Iterable[Mapping[str, t.Any]] | None
) -> dict[int, str | None]:
    """Axis id -> name, from the axes list and from the user properties of the axis
    category (`userAxisValues_<n>`): either may be missing for a tenant or a key."""
    found: dict[int, str | None] = {}
    for prop in properties or ():
        match = USER_AXIS_KEY.fullmatch(str(prop.get("id")))
        if prop.get("category") == AXIS_CATEGORY and match:
            found[int(match.group(1))] = prop.get("name")
    for axis in axes or ():
        if axis.get("id") is not None:
            found[int(axis["id"])] = axis.get("name") or found.get(int(axis["id"]))
    return dict(sorted(found.items()))


def user_axis_keys(axes: Iterable[int]) -> list[str]:
    """The user fields that hold a section of these axes."""
    return [f"userAxisValues_{axis}" for axis in axes]


def user_sections(
    record: dict[str, t.Any], axes: Mapping[int, str | None], keep: Iterable[str] = ()
) -> list[dict[str, t.Any]]:
    """The user's section on each axis, taken out of `record` (but the keys in `keep`)."""
    sections = []
    for key in [k for k in record if USER_AXIS_KEY.fullmatch(k)]:
        value = record[key] if key in keep else record.pop(key)
        if not isinstance(value, dict) or value.get("id") is None:
            continue
        axis = int(USER_AXIS_KEY.fullmatch(key).group(1))  # type: ignore[union-attr]
        sections.append(
            {
                "axisId": axis,
                "axisName": axes.get(axis),
                "sectionId": value["id"],
                "sectionName": value.get("name"),
            }
        )
    return sorted(sections, key=lambda s: s["axisId"])
