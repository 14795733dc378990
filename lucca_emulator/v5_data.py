"""The new Lucca API's resources (v5), derived from the same tenant as v3/v4.

- employees <- users; employments <- work contracts; business establishments <- v4
  establishments (v3 "legal entity"); legal entities <- v4 legal units (the companies);
  departments <- v4 departments, with `parent` as a reference instead of position paths.
- job positions: per employment, one position per stretch of time in which the
  department (v3 userlogs `departmentid`) and the manager (`manager`) stay the same.
  The last position holds the user's current jobTitle; an earlier one holds a title
  drawn from the person's own seeded stream, so reruns give the same history.
- Ids are strings, references `{"id", "type", "url"}`, timestamps UTC with a "Z".
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from .timefmt import paris_offset

if TYPE_CHECKING:
    from .tenant import Tenant

BASE_URL = "https://emulator.ilucca-demo.net/lucca-api"
RESOURCES = (
    "employees",
    "employments",
    "job-positions",
    "departments",
    "legal-entities",
    "business-establishments",
)
_TITLE_CHANGE_ODDS = 0.5  # a department move also changes the job title this often


def utc_text(moment: dt.datetime) -> str:
    """A v5 timestamp: UTC, milliseconds, "Z"."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def legacy_to_utc(text: str) -> str:
    """A v4 timestamp (with offset) or v3 one (naive Paris time) as a v5 timestamp."""
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        hours = int(paris_offset(moment.date())[1:3])
        moment = moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=hours)))
    return utc_text(moment)


def ref(kind: str, path: str, ident: object) -> dict[str, str] | None:
    if ident is None:
        return None
    return {"id": str(ident), "type": kind, "url": f"{BASE_URL}/{path}/{ident}"}


def _stamped(record: dict[str, Any], created: str, updated: str) -> dict[str, Any]:
    created_at = legacy_to_utc(created)
    return {
        **record,
        "createdAt": created_at,
        "lastUpdatedAt": max(created_at, legacy_to_utc(updated)),
    }


def _status(user: dict[str, Any], today: str) -> str:
    if user["dtContractStart"][:10] > today:
        return "upcoming"
    if (user["dtContractEnd"] or "9999")[:10] < today:
        return "deactivated"
    return "active"


class _Timeline:
    """One attribute's values over time for one person, from the userlogs."""

    def __init__(self) -> None:
        self.days: list[str] = []
        self.values: list[str] = []

    def add(self, day: str, value: str) -> None:
        self.days.append(day)
        self.values.append(value)

    def at(self, day: str) -> str | None:
        index = bisect.bisect_right(self.days, day) - 1
        return self.values[max(index, 0)] if self.values else None


def _timelines(tenant: Tenant) -> dict[tuple[int, str], _Timeline]:
    lines: dict[tuple[int, str], _Timeline] = defaultdict(_Timeline)
    entries = sorted(tenant.userlogs, key=lambda e: (e["startsOn"], e["id"]))
    for entry in entries:
        if entry["name"] in ("departmentid", "manager"):
            lines[entry["ownerId"], entry["name"]].add(entry["startsOn"][:10], entry["value"])
    return lines


def _segments(contract: dict[str, Any], days: set[str]) -> list[tuple[str, str | None]]:
    """(startsOn, endsOn) of each stretch of a contract between changes."""
    start, end = contract["startsOn"], contract["endsOn"]
    bounds = [start, *sorted(d for d in days if start < d <= (end or "9999-12-31"))]
    ends = [(dt.date.fromisoformat(b) - dt.timedelta(days=1)).isoformat() for b in bounds[1:]]
    return list(zip(bounds, [*ends, end], strict=True))


def _job_positions(tenant: Tenant, titles: list[str]) -> list[dict[str, Any]]:
    lines = _timelines(tenant)
    by_owner: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for contract in tenant.contracts:
        by_owner[contract["ownerId"]].append(contract)
    positions = []
    for user in tenant.users:
        owner = user["id"]
        department, manager = lines[owner, "departmentid"], lines[owner, "manager"]
        days = {*department.days, *manager.days}
        own = []
        for contract in sorted(by_owner.get(owner, []), key=lambda c: c["startsOn"]):
            own += [(contract, index, span) for index, span in enumerate(_segments(contract, days))]
        # Latest first: each earlier position keeps the next one's title, or had another.
        title = user["jobTitle"]
        for contract, index, (first, last) in reversed(own):
            ident = contract["id"] * 100 + index
            record = {
                "id": str(ident),
                "type": "job-position",
                "url": f"{BASE_URL}/job-positions/{ident}",
                "employee": ref("employee", "employees", owner),
                "employment": ref("employment", "employments", contract["id"]),
                "jobTitle": title,
                "department": ref("department", "departments", department.at(first)),
                "manager": ref("employee", "employees", manager.at(first)),
                "startsOn": first,
                "endsOn": last,
            }
            positions.append(_stamped(record, contract["createdAt"], contract["lastModifiedAt"]))
            draw = random.Random(f"{tenant.seed}-{owner}-{first}")
            if draw.random() < _TITLE_CHANGE_ODDS:
                title = titles[int(draw.random() * len(titles))]
    return sorted(positions, key=lambda p: int(p["id"]))


def _employees(tenant: Tenant, positions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    today = tenant.today.isoformat()
    applicable = {c["ownerId"]: c["id"] for c in tenant.contracts if c["isApplicable"]}
    current: dict[str, str] = {}
    for position in positions:  # the latest position that has begun, else the first
        owner = position["employee"]["id"]
        if owner not in current or position["startsOn"] <= today:
            current[owner] = position["id"]
    employees = []
    for user in tenant.users:
        birth = user["birthDate"]
        record = {
            "id": str(user["id"]),
            "type": "employee",
            "url": f"{BASE_URL}/employees/{user['id']}",
            "givenName": user["firstName"],
            "familyName": user["lastName"],
            "employeeNumber": user["employeeNumber"],
            "remoteId": user["externalId"],
            "status": _status(user, today),
            "email": user["mail"],
            "birthDay": {"day": int(birth[8:10]), "month": int(birth[5:7])} if birth else None,
            "applicableEmployment": ref("employment", "employments", applicable.get(user["id"])),
            "applicableJobPosition": ref(
                "job-position", "job-positions", current.get(str(user["id"]))
            ),
        }
        employees.append(_stamped(record, user["createdAt"], user["modifiedAt"]))
    return employees


def _employments(tenant: Tenant) -> list[dict[str, Any]]:
    legal_unit = {e["id"]: e["legalUnitId"] for e in tenant.establishments}
    employments = []
    for contract in tenant.contracts:
        establishment = contract["establishmentId"]
        record = {
            "id": str(contract["id"]),
            "type": "employment",
            "url": f"{BASE_URL}/employments/{contract['id']}",
            "employee": ref("employee", "employees", contract["ownerId"]),
            "remoteId": contract["externalId"],
            "startsOn": contract["startsOn"],
            "endsOn": contract["endsOn"],
            "businessEstablishment": ref(
                "business-establishment", "business-establishments", establishment
            ),
            "legalEntity": ref("legal-entity", "legal-entities", legal_unit.get(establishment)),
        }
        employments.append(_stamped(record, contract["createdAt"], contract["lastModifiedAt"]))
    return employments


def _departments(tenant: Tenant) -> list[dict[str, Any]]:
    at_path = {d["hierarchy"]: d["id"] for d in tenant.departments}
    departments = []
    for row in tenant.departments:
        record = {
            "id": str(row["id"]),
            "type": "department",
            "url": f"{BASE_URL}/departments/{row['id']}",
            "name": row["name"],
            "code": row["code"],
            "isActive": row["isActive"],
            "parent": ref("department", "departments", at_path.get(row["parentId"])),
            "manager": ref("employee", "employees", row["headId"]),
            "sortOrder": row["sortOrderInSiblings"],
        }
        departments.append(_stamped(record, row["createdAt"], row["lastModifiedAt"]))
    return departments


def _legal_entities(tenant: Tenant) -> list[dict[str, Any]]:
    return [
        _stamped(
            {
                "id": str(row["id"]),
                "type": "legal-entity",
                "url": f"{BASE_URL}/legal-entities/{row['id']}",
                "name": row["name"],
                "code": row["code"],
                "registrationNumber": row["siren"],
                "countryCode": row["countryCode"],
                "currencyCode": row["currencyCode"],
                "isArchived": row["isArchived"],
            },
            row["createdAt"],
            row["lastModifiedAt"],
        )
        for row in tenant.legal_units
    ]


def _business_establishments(tenant: Tenant) -> list[dict[str, Any]]:
    return [
        _stamped(
            {
                "id": str(row["id"]),
                "type": "business-establishment",
                "url": f"{BASE_URL}/business-establishments/{row['id']}",
                "name": row["name"],
                "code": row["code"],
                "legalEntity": ref("legal-entity", "legal-entities", row["legalUnitId"]),
                "registrationNumber": row["siret"],
                "timeZoneId": row["timeZoneId"],
                "isArchived": row["isArchived"],
            },
            row["createdAt"],
            row["lastModifiedAt"],
        )
        for row in tenant.establishments
    ]


def derive(tenant: Tenant) -> dict[str, list[dict[str, Any]]]:
    """Every v5 resource of the tenant as it stands, each list in id order."""
    titles = sorted({u["jobTitle"] for u in tenant.users if u["jobTitle"]})
    positions = _job_positions(tenant, titles)
    resources = {
        "employees": _employees(tenant, positions),
        "employments": _employments(tenant),
        "job-positions": positions,
        "departments": _departments(tenant),
        "legal-entities": _legal_entities(tenant),
        "business-establishments": _business_establishments(tenant),
    }
    return {name: sorted(rows, key=lambda r: int(r["id"])) for name, rows in resources.items()}
