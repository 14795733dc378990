"""The emulator's truth about people, recomputed in plain Python: what the warehouse
models must agree with, by rules written here independently of their SQL."""

from __future__ import annotations

import datetime
import typing as t

from lucca_emulator.custom_fields import COST_CENTERS, Entry
from tests.truth import hours

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


class DepartmentHistory:
    """`department_on` for many days: each user's logged changes, sorted once."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.changes: dict[int, list[tuple[str, int, int]]] = {}
        for log in tenant.userlogs:
            if log["name"] == "departmentid":
                change = (log["startsOn"][:10], log["id"], int(log["value"]))
                self.changes.setdefault(log["ownerId"], []).append(change)
        for changes in self.changes.values():
            changes.sort()

    def on(self, user_id: int, day: datetime.date) -> int:
        changes = self.changes.get(user_id)
        if not changes:
            return self.tenant.user(user_id)["departmentID"]
        started = [value for starts, _, value in changes if starts <= day.isoformat()]
        return (started or [changes[0][2]])[-1]


def month_end(day: datetime.date) -> datetime.date:
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def working_days(month_last_day: datetime.date) -> int:
    """Mondays to Fridays of a month."""
    days = (month_last_day.replace(day=1) + datetime.timedelta(n) for n in range(31))
    return sum(d.weekday() < 5 for d in days if d.month == month_last_day.month)


def absenteeism(
    tenant: Tenant, first_month: datetime.date, today: datetime.date
) -> dict[tuple[datetime.date, int], tuple[int, int, float, float, float | None]]:
    """(month end, department) -> headcount, working days, absent days, absent hours and
    rate, from `first_month` to today's month, by the rules of the mart's docs: people
    counted where they were at the month's end (today for this month), leaves where
    their owner was that day; cancelled leaves out; half a day per leave on an account
    counted in days, its hours on one counted in hours; only rows with someone in post
    or away."""
    history = DepartmentHistory(tenant)
    rows: dict[tuple[datetime.date, int], list[float]] = {}
    month = first_month.replace(day=1)
    while month <= today:
        last = month_end(month)
        counted_on = min(last, today)
        for user_id in employed_on(tenant, counted_on):
            rows.setdefault((last, history.on(user_id, counted_on)), [0, 0.0, 0.0])[0] += 1
        month = last + datetime.timedelta(days=1)
    units = {account["id"]: account["unit"] for account in tenant.leave_accounts}
    for leave in tenant.leaves:
        day = datetime.date.fromisoformat(leave["date"][:10])
        if leave["cancellationDate"] or not first_month <= day <= month_end(today):
            continue
        owner = leave["leavePeriod"]["ownerId"]
        row = rows.setdefault((month_end(day), history.on(owner, day)), [0, 0.0, 0.0])
        if units[leave["leaveAccountId"]] == "hours":
            row[2] += hours(leave["value"])
        else:
            row[1] += 0.5
    return {
        (last, department): (
            int(count),
            working_days(last),
            days,
            hours,
            days / (count * working_days(last)) if count else None,
        )
        for (last, department), (count, days, hours) in rows.items()
    }
