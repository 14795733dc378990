"""The emulator's truth about people, recomputed in plain Python: what the warehouse
models must agree with, by rules written here independently of their SQL."""

from __future__ import annotations

import datetime
import typing as t

from lucca_emulator.custom_fields import COST_CENTERS, Entry

if t.TYPE_CHECKING:
    from lucca_emulator import Tenant

#: Monthly hours of a full-time employee (35 h a week), as dbt var full_time_monthly_hours.
FULL_TIME_MONTHLY_HOURS = 151.67


def department_on(tenant: Tenant, user: dict, day: datetime.date) -> int:
    """The department a user was in on a day: the last logged change on or before it,
    else the first logged value, else today's department."""
    changes = sorted(
        (
            log
            for log in tenant.userlogs
            if log["ownerId"] == user["id"] and log["name"] == "departmentid"
        ),
        key=lambda log: (log["startsOn"], log["id"]),
    )
    if not changes:
        return user["departmentID"]
    started = [c for c in changes if c["startsOn"][:10] <= day.isoformat()]
    return int((started or changes[:1])[-1]["value"])


def parent_of(tenant: Tenant, department: dict) -> int | None:
    """A department's parent: Lucca gives the parent's `hierarchy` path ("/2/1/"), "/" at
    the top."""
    by_path = {d["hierarchy"]: d["id"] for d in tenant.departments}
    return by_path.get(department["parentId"])


def in_force(contract: dict, day: datetime.date) -> bool:
    iso = day.isoformat()
    return contract["startsOn"] <= iso and (contract["endsOn"] is None or contract["endsOn"] >= iso)


def employed_on(tenant: Tenant, day: datetime.date) -> set[int]:
    """The accounts with a contract in force on a day."""
    return {c["ownerId"] for c in tenant.contracts if in_force(c, day)}


def fte(user: dict) -> float:
    """A user's full-time equivalent: monthly contract hours over full time; full time
    when Lucca gives no hours."""
    hours = ((user.get("applicationData") or {}).get("fullTimeEquivalent") or {}).get("value")
    return 1.0 if hours in {None, ""} else float(hours) / FULL_TIME_MONTHLY_HOURS


def last_complete_month_end(today: datetime.date) -> datetime.date:
    return today.replace(day=1) - datetime.timedelta(days=1)


def custom_field_rows(tenant: Tenant) -> set[tuple]:
    """Every custom-field value as the long model must hold it: (person, field id, field
    name, type, position, text, number, date, boolean, list entry id, label)."""
    fields = {d.id: d for d in tenant.custom_fields.definitions}
    rows = set()
    for values in tenant.custom_fields.values.values():
        for v in values:
            typed = v.value
            entry = typed if isinstance(typed, Entry) else None
            numeric = isinstance(typed, int | float) and not isinstance(typed, bool)
            number = typed if numeric else None
            rows.add(
                (
                    v.user_id,
                    v.field_id,
                    fields[v.field_id].name,
                    fields[v.field_id].kind,
                    v.position,
                    typed if isinstance(typed, str) else None,
                    None if number is None else float(number),
                    typed if isinstance(typed, datetime.date) else None,
                    typed if isinstance(typed, bool) else None,
                    None if entry is None else str(entry.id),
                    None if entry is None else entry.name,
                )
            )
    return rows


def cost_centers(tenant: Tenant) -> dict[int, tuple | None]:
    """Each user's cost center: (section id, code, name), or None."""
    sections = {s.id: s for s in tenant.custom_fields.sections}
    key = f"userAxisValues_{COST_CENTERS.id}"
    found = {user["id"]: sections[user[key]["id"]] for user in tenant.users if key in user}
    return {
        user["id"]: (s.id, s.code, s.name) if (s := found.get(user["id"])) else None
        for user in tenant.users
    }


def custom_fields_wide(tenant: Tenant) -> dict[int, dict[str, object]]:
    """Per person, each field's name and what the wide view shows: a multi-valued
    field's values comma-separated in order, a list entry's label."""
    fields = {d.id: d for d in tenant.custom_fields.definitions}
    wide: dict[int, dict[str, object]] = {}
    for user_id, values in tenant.custom_fields.values.items():
        row: dict[str, object] = {}
        for v in values:
            shown = v.value.name if isinstance(v.value, Entry) else v.value
            field = fields[v.field_id]
            if field.multi:
                row[field.name] = f"{row[field.name]}, {shown}" if field.name in row else shown
            else:
                row[field.name] = float(shown) if field.kind in {"number", "integer"} else shown
        wide[user_id] = row
    return wide
