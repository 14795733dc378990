"""The new Lucca API's resources (v5), derived from the same tenant as v3/v4, in the
shapes of Lucca's published reference (`reference/lucca-openapi/`), no property more.

- employees <- users; employments <- work contracts (`template` is the contract type,
  `legalEntity` the company of the contract's establishment); legal entities <- v4
  legal units (the companies); business establishments <- v4 establishments (v3
  "legal entity"); departments <- v4 departments, with `parent` as a reference
  instead of position paths and `isArchived` the opposite of `isActive`.
- job positions: per employment, one position per stretch of time in which the
  department (v3 userlogs `departmentid`) and the manager (`manager`) stay the same, in
  the contract's establishment. The last position holds the user's current jobTitle;
  an earlier one holds a title drawn from the person's own seeded stream, so reruns
  give the same history.
- `status` of an employment or a job position: active while in force today, upcoming
  before, deactivated after (the reference gives the employee's rule only).
- Ids are strings, references `{"id", "type", "url"}`, timestamps UTC with a "Z".
  Departments have no timestamps: the reference lists none. Item `links` depend on
  the request (`include=links`): see `links`.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from .builder import LEGAL_ENTITY_COUNTRY
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

# ISO 3166-1 alpha-2 (legal units) to the alpha-3 codes the new API uses.
_ALPHA3 = {"FR": "FRA", "GB": "GBR", "ES": "ESP", "CH": "CHE"}
# Calling codes of the users' countries (LEGAL_ENTITY_COUNTRY's keys).
_CALLING_CODES = {"FR": "33", "UK": "44", "ES": "34", "CH": "41"}
# A software publisher's activity code, in each country's classification.
_INDUSTRY_CODES = {
    "FR": {"format": "franceAPE", "value": "5829C"},
    "ES": {"format": "spainCNAE", "value": "5829"},
    "GB": {"format": "other", "value": "62012"},
    "CH": {"format": "other", "value": "582900"},
}
# Each establishment's postal address, by its code.
_ADDRESSES = {
    "FR-PARIS": (["151 rue Saint-Denis", "3e étage"], "75002", "Paris", "Île-de-France"),
    "UK-LONDON": (["1 Finsbury Avenue"], "EC2M 2PF", "London", "Greater London"),
    "ES-MADRID": (["Calle de Alcalá 21", "Planta 3"], "28014", "Madrid", "Comunidad de Madrid"),
    "FR-NANTES": (["5 quai de la Fosse"], "44000", "Nantes", "Pays de la Loire"),
    "CH-GENEVE": (["Rue du Rhône 14"], "1204", "Genève", "Genève"),
    "ES-BARCELONA": (["Carrer de Pau Claris 97"], "08009", "Barcelona", "Cataluña"),
    "CH-ZURICH": (["Bahnhofstrasse 10"], "8001", "Zürich", "Zürich"),
}
# What a job position's `updatedAttributes` may name (the reference's enum), in order.
_TRACKED = (
    "remoteId",
    "jobTitle",
    "jobQualification",
    "occupationCategory",
    "workingTimeArrangement",
    "department",
)


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


def _status(first: str, last: str | None, today: str) -> str:
    """active, upcoming or deactivated, for days `first` to `last` (None: open)."""
    if first > today:
        return "upcoming"
    if (last or "9999")[:10] < today:
        return "deactivated"
    return "active"


def phone_number(number: str | None, country: str) -> str | None:
    """A work phone in the international form the reference's pattern takes."""
    if not number:
        return None
    digits = re.sub(r"[^0-9]", "", number)
    if number.startswith("+"):
        return "+" + digits
    return f"+{_CALLING_CODES.get(country, '33')}{digits.lstrip('0')}"


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


def _with_updated_attributes(positions: list[dict[str, Any]]) -> None:
    """What changed from each person's previous position (none for the first)."""
    previous: dict[str, dict[str, Any]] = {}
    for position in sorted(positions, key=lambda p: p["startsOn"]):
        owner = position["employee"]["id"]
        before = previous.get(owner)
        changed = [k for k in _TRACKED if before is not None and before[k] != position[k]]
        position["updatedAttributes"] = changed
        previous[owner] = position


def _job_positions(tenant: Tenant, titles: list[str]) -> list[dict[str, Any]]:
    today = tenant.today.isoformat()
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
        cycles = user.get("userWorkCycles") or []
        # Latest first: each earlier position keeps the next one's title, or had another.
        title = user["jobTitle"]
        for contract, index, (first, last) in reversed(own):
            ident = contract["id"] * 100 + index
            record = {
                "id": str(ident),
                "type": "job-position",
                "url": f"{BASE_URL}/job-positions/{ident}",
                "remoteId": None,
                "employment": ref("employment", "employments", contract["id"]),
                "employee": ref("employee", "employees", owner),
                "status": _status(first, last, today),
                "startsOn": first,
                "endsOn": last,
                "businessEstablishment": ref(
                    "business-establishment", "business-establishments", contract["establishmentId"]
                ),
                "jobTitle": title,
                "jobQualification": ref(
                    "job-qualification", "job-qualifications", user.get("jobQualificationId")
                ),
                "manager": ref("employee", "employees", manager.at(first)),
                "occupationCategory": ref(
                    "occupation-category", "occupation-categories", contract["spcId"]
                ),
                "workingTimeArrangement": ref(
                    "working-time-arrangement",
                    "working-time-arrangements",
                    cycles[0]["id"] if cycles else None,
                ),
                "department": ref("department", "departments", department.at(first)),
                "document": None,
                "notes": None,
                "t9n": {"jobTitle": None},
            }
            positions.append(_stamped(record, contract["createdAt"], contract["lastModifiedAt"]))
            draw = random.Random(f"{tenant.seed}-{owner}-{first}")
            if draw.random() < _TITLE_CHANGE_ODDS:
                title = titles[int(draw.random() * len(titles))]
    _with_updated_attributes(positions)
    return positions


def _employees(tenant: Tenant, positions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    today = tenant.today.isoformat()
    applicable = {c["ownerId"]: c["id"] for c in tenant.contracts if c["isApplicable"]}
    current: dict[str, str] = {}
    for position in sorted(positions, key=lambda p: p["startsOn"]):
        # The latest position that has begun, else the first: the applicable one.
        owner = position["employee"]["id"]
        if owner not in current or position["startsOn"] <= today:
            current[owner] = position["id"]
    employees = []
    for user in tenant.users:
        birth = user["birthDate"]
        country = LEGAL_ENTITY_COUNTRY.get(user["legalEntityID"], "FR")
        record = {
            "id": str(user["id"]),
            "type": "employee",
            "url": f"{BASE_URL}/employees/{user['id']}",
            "remoteId": user["externalId"],
            "portrait": ref("portrait", "portraits", user["pictureId"]),
            "givenName": user["firstName"],
            "familyName": user["lastName"],
            "employeeNumber": user["employeeNumber"],
            "status": _status(user["dtContractStart"][:10], user["dtContractEnd"], today),
            "email": user["mail"],
            "birthDay": {"day": int(birth[8:10]), "month": int(birth[5:7])} if birth else None,
            "phoneNumber": phone_number(user["directLine"] or user["professionalMobile"], country),
            "applicableEmployment": ref("employment", "employments", applicable.get(user["id"])),
            "applicableJobPosition": ref(
                "job-position", "job-positions", current.get(str(user["id"]))
            ),
        }
        employees.append(_stamped(record, user["createdAt"], user["modifiedAt"]))
    return employees


def _employments(tenant: Tenant) -> list[dict[str, Any]]:
    today = tenant.today.isoformat()
    legal_unit = {e["id"]: e["legalUnitId"] for e in tenant.establishments}
    employments = []
    for contract in tenant.contracts:
        start, end = contract["startsOn"], contract["endsOn"]
        record = {
            "id": str(contract["id"]),
            "type": "employment",
            "url": f"{BASE_URL}/employments/{contract['id']}",
            "remoteId": contract["externalId"],
            "employee": ref("employee", "employees", contract["ownerId"]),
            "legalEntity": ref(
                "legal-entity", "legal-entities", legal_unit[contract["establishmentId"]]
            ),
            "status": _status(start, end, today),
            "start": {"date": start},
            "end": None if end is None else {"date": end},
            "document": None,
            "template": ref("employment-template", "employment-templates", contract["typeId"]),
        }
        employments.append(_stamped(record, contract["createdAt"], contract["lastModifiedAt"]))
    return employments


def _departments(tenant: Tenant) -> list[dict[str, Any]]:
    at_path = {d["hierarchy"]: d["id"] for d in tenant.departments}
    siblings: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in tenant.departments:
        siblings[row["parentId"]].append(row)
    rank = {
        row["id"]: index
        for rows in siblings.values()
        for index, row in enumerate(sorted(rows, key=lambda r: (r["sortOrderInSiblings"], r["id"])))
    }
    departments = []
    for row in tenant.departments:
        children = len(siblings.get(row["hierarchy"], []))
        departments.append(
            {
                "id": str(row["id"]),
                "type": "department",
                "url": f"{BASE_URL}/departments/{row['id']}",
                "remoteId": row["code"],
                "isArchived": not row["isActive"],
                "name": row["name"],
                "description": f"{row['name']}, with {children} sub-department(s)"
                if children
                else None,
                "parent": ref("department", "departments", at_path.get(row["parentId"])),
                "level": row["hierarchy"].count("/") - 1,
                "manager": ref("employee", "employees", row["headId"]),
                "sortOrder": rank[row["id"]],
            }
        )
    return departments


def _tax_id(unit: dict[str, Any], french: tuple[str, str | None]) -> dict[str, str] | None:
    """`{format, value}`: the French number (SIREN or SIRET) when there is one, else a
    Spanish company's NIF (a letter and eight digits, stable for the unit), else null."""
    kind, number = french
    if number:
        return {"format": kind, "value": number}
    if unit["countryCode"] == "ES":
        digits = random.Random(f"nif-{unit['id']}").randrange(10**8)
        return {"format": "spainNIF", "value": f"B{digits:08d}"}
    return None


def _legal_entities(tenant: Tenant) -> list[dict[str, Any]]:
    entities = []
    for row in tenant.legal_units:
        record = {
            "id": str(row["id"]),
            "type": "legal-entity",
            "url": f"{BASE_URL}/legal-entities/{row['id']}",
            "legalName": row["name"],
            "remoteId": row["code"],
            "isArchived": row["isArchived"],
            "countryCode": _ALPHA3[row["countryCode"]],
            "currencyCode": row["currencyCode"],
            "taxIdentificationNumber": _tax_id(row, ("franceSIREN", row["siren"])),
            "industryCode": _INDUSTRY_CODES.get(row["countryCode"]),
            "lastArchivedAt": legacy_to_utc(row["lastModifiedAt"]) if row["isArchived"] else None,
        }
        entities.append(_stamped(record, row["createdAt"], row["lastModifiedAt"]))
    return entities


def _business_establishments(tenant: Tenant) -> list[dict[str, Any]]:
    units = {u["id"]: u for u in tenant.legal_units}
    # A company's head office: its first establishment still open, else its first.
    headquarters = {}
    for row in sorted(tenant.establishments, key=lambda r: (r["isArchived"], r["id"])):
        headquarters.setdefault(row["legalUnitId"], row["id"])
    establishments = []
    for row in tenant.establishments:
        unit = units[row["legalUnitId"]]
        address = _ADDRESSES.get(row["code"])
        record = {
            "id": str(row["id"]),
            "type": "business-establishment",
            "url": f"{BASE_URL}/business-establishments/{row['id']}",
            "name": row["name"],
            "remoteId": row["code"],
            "isArchived": row["isArchived"],
            "legalEntity": ref("legal-entity", "legal-entities", row["legalUnitId"]),
            "isHeadquarters": headquarters[row["legalUnitId"]] == row["id"],
            "taxIdentificationNumber": _tax_id(unit, ("franceSIRET", row["siret"])),
            "industryCode": _INDUSTRY_CODES.get(unit["countryCode"]),
            "address": None
            if address is None
            else {
                "addressLines": address[0],
                "postalCode": address[1],
                "locality": address[2],
                "administrativeArea": address[3],
                "countryCode": _ALPHA3[unit["countryCode"]],
            },
            "timezoneId": row["timeZoneId"],
            "lastArchivedAt": legacy_to_utc(row["lastModifiedAt"]) if row["isArchived"] else None,
        }
        establishments.append(_stamped(record, row["createdAt"], row["lastModifiedAt"]))
    return establishments


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


def links(resource: str, record: dict[str, Any]) -> dict[str, dict[str, str] | None]:
    """An item's `links` (served with `include=links`): its related lists."""
    ident = record["id"]

    def link(path: str) -> dict[str, str]:
        return {"href": f"{BASE_URL}/{path}"}

    if resource == "employees":
        portrait = record["portrait"]
        return {
            "employments": link(f"employments?employee.id={ident}"),
            "jobPositions": link(f"job-positions?employment.employee.id={ident}"),
            "personalRecord": link(f"employee-personal-records?employee.id={ident}"),
            "portrait": link(f"portraits/{portrait['id']}") if portrait else None,
        }
    if resource == "employments":
        return {
            "document": None,
            "jobPositions": link(f"job-positions?employment.id={ident}"),
            "probationaryPeriods": link(f"probationary-periods?employment.id={ident}"),
        }
    if resource == "departments":
        return {"activeEmployees": link(f"employees?applicableJobPosition.department.id={ident}")}
    if resource == "legal-entities":
        return {"businessEstablishments": link(f"business-establishments?legalEntity.id={ident}")}
    return {}  # job positions and business establishments document none


#: The resources a response embeds with `include=embedded`: key -> (resource, property).
EMBEDDED = {
    "employees": {
        "employment": ("employments", "applicableEmployment"),
        "job-position": ("job-positions", "applicableJobPosition"),
    },
    "employments": {"employee": ("employees", "employee")},
    "job-positions": {
        "department": ("departments", "department"),
        "employee": ("employees", "employee"),
        "employment": ("employments", "employment"),
    },
    "business-establishments": {"legal-entity": ("legal-entities", "legalEntity")},
}
