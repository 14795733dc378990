"""The emulator's truth about people, recomputed in plain Python: what the warehouse
models must agree with, by rules written here independently of their SQL."""

from __future__ import annotations

import datetime
import typing as t

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
