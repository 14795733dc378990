"""Users' `applicationData`: the keys other Lucca apps add to a user.

It mixes the harmless (working time, leave and expense profiles, second manager, review
dates) with the sensitive (`theoreticalRemuneration`, a salary). Only the keys below
pass unless `include_sensitive_fields` is on; the scalar ones are also lifted to typed
top-level fields, so that warehouses need no JSON parsing.
"""

from __future__ import annotations

import typing as t

#: Keys passed as Lucca sends them, besides every `profile_<app>` reference.
ALLOWED_KEYS = frozenset(
    {
        "fullTimeEquivalent",
        "manager2",
        "manager2Id",
        "lastAnnualReviewDate",
        "lastProfessionalReviewDate",
        "lastFixedWorkingDaysReviewDate",
    }
)
PROFILE_PREFIX = "profile_"

#: Lifted fields: (name, how a `{"value": ...}` wrapper's value is typed).
_NUMBERS = ("fullTimeEquivalent",)
_TIMESTAMPS = (
    "lastAnnualReviewDate",
    "lastProfessionalReviewDate",
    "lastFixedWorkingDaysReviewDate",
)
LIFTED_FIELDS = frozenset({*_NUMBERS, *_TIMESTAMPS, "manager2Id"})


def allowed(application_data: dict[str, t.Any] | None) -> dict[str, t.Any] | None:
    """The allowlisted keys of a user's applicationData, as Lucca sent them."""
    if application_data is None:
        return None
    return {
        key: value
        for key, value in application_data.items()
        if key in ALLOWED_KEYS or key.startswith(PROFILE_PREFIX)
    }


def lifted(application_data: dict[str, t.Any] | None) -> dict[str, t.Any]:
    """The typed top-level fields: monthly contract hours, second manager, review dates."""
    data = application_data or {}
    fields: dict[str, t.Any] = {"manager2Id": data.get("manager2Id")}
    for name in _NUMBERS:
        value = _unwrapped(data.get(name))
        fields[name] = None if value in {None, ""} else float(value)
    for name in _TIMESTAMPS:
        value = _unwrapped(data.get(name))
        fields[name] = value or None  # turned to UTC with the other instants
    return fields


def _unwrapped(entry: t.Any) -> t.Any:
    # Values come wrapped with a link to the app: {"value": "151.67", "link": null}.
    return entry.get("value") if isinstance(entry, dict) else entry
