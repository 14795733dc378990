"""What the tap must emit for a record of the emulator's truth, read independently of
the tap's code: which fields are instants and which are dates comes from Lucca's docs
(`reference/lucca-api.md`, and the new API's reference), listed here by name."""

from __future__ import annotations

import datetime as dt
import json
import re

from lucca_emulator.custom_fields import ACTIVITIES, COST_CENTERS, DEFINITIONS

# The legacy API's streams, as the README lists them.
LEGACY_STREAMS = (
    "users",
    "contracts",
    "departments",
    "establishments",
    "legal_units",
    "contract_types",
    "contract_hiring_types",
    "contract_termination_reasons",
    "occupation_categories",
    "user_history",
    "leave_accounts",
    "leaves",
)
# The legacy API's custom-field and axis streams, read whole on every run.
CUSTOM_FIELD_STREAMS = ("custom_fields", "axes", "axis_sections")
# Times of the tenant's clock (naive in v3, with the offset in v4): emitted in UTC.
INSTANTS = {
    "users": {"createdAt", "createdOn", "modifiedAt", "modifiedOn"},
    "user_history": {"modifiedAt"},
    "contracts": {"createdAt", "lastModifiedAt"},
    "departments": {"createdAt", "lastModifiedAt"},
    "establishments": {"createdAt", "lastModifiedAt"},
    "legal_units": {"createdAt", "lastModifiedAt"},
    # The new Lucca API writes UTC, with up to 7 decimals: emitted in the same form.
    **{
        stream: {"createdAt", "lastUpdatedAt"}
        for stream in ("employees", "employments", "job_positions")
    },
    "legal_entities": {"createdAt", "lastUpdatedAt", "lastArchivedAt"},
    "business_establishments": {"createdAt", "lastUpdatedAt", "lastArchivedAt"},
}
# Days, written by v3 as midnight: emitted as the day, never shifted.
DATES = {
    "users": {"birthDate", "dtContractStart", "dtContractEnd", "seniorityDate"},
    "user_history": {"startsOn"},
}
# Banking, insurance and personal contact data: left out unless include_sensitive_fields
# is on. Remuneration, applicationData.theoreticalRemuneration, is left out key by key.
SENSITIVE = {
    "iban",
    "bic",
    "rib",
    "bankName",
    "insuranceNumber",
    "personalEmail",
    "personalMobile",
    "address",
    "corporateCard",
    "personalCard",
    "personalAccount",
}
# The applicationData keys that pass by default, besides every `profile_<app>`.
APPLICATION_DATA_KEYS = {
    "fullTimeEquivalent",
    "manager2",
    "manager2Id",
    "lastAnnualReviewDate",
    "lastProfessionalReviewDate",
    "lastFixedWorkingDaysReviewDate",
}
REVIEW_DATES = {
    "lastAnnualReviewDate",
    "lastProfessionalReviewDate",
    "lastFixedWorkingDaysReviewDate",
}
# Lucca's capitalised ids, emitted as the docs spell them.
CAPITAL_IDS = {"departmentID", "managerID", "legalEntityID", "cultureID", "cspID"}


def _last_sunday(year: int, month: int) -> dt.datetime:
    day = dt.datetime(year, month, 31, 1, tzinfo=dt.UTC)  # transitions at 01:00 UTC
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def paris_to_utc(text: str) -> str:
    """An instant in UTC: a naive one is read as Paris time, the emulator's zone."""
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        # Summer time runs from 01:00 UTC on the last Sunday of March to the one of
        # October; a time of the repeated hour is read as the first of the two.
        if_summer = moment.replace(tzinfo=dt.UTC) - dt.timedelta(hours=2)
        summer = _last_sunday(moment.year, 3) <= if_summer < _last_sunday(moment.year, 10)
        moment = if_summer if summer else if_summer + dt.timedelta(hours=1)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def application_data_fields(truth: dict, *, everything: bool) -> dict:
    """A user's applicationData as emitted (allowlisted keys, or all of them), and the
    fields lifted from it: working hours as a number, second manager, review dates."""
    data = truth.get("applicationData")

    def value(key: str) -> object:
        entry = (data or {}).get(key)
        return entry.get("value") if isinstance(entry, dict) else entry

    hours = value("fullTimeEquivalent")
    kept = data
    if data is not None and not everything:
        kept = {
            k: v for k, v in data.items() if k in APPLICATION_DATA_KEYS or k.startswith("profile_")
        }
    return {
        "applicationData": kept,
        "fullTimeEquivalent": float(hours) if hours else None,
        "manager2Id": (data or {}).get("manager2Id"),
        **{key: value(key) and paris_to_utc(value(key)) for key in REVIEW_DATES},
    }


def custom_field_items(extended_data: dict) -> list[dict]:
    """`users.customFields` for a user's extendedData: one item per value, typed as
    the emulator's definition of the field says."""
    definitions = {d.id: d for d in DEFINITIONS}
    items = []
    for field_id, values in extended_data.items():
        definition = definitions[field_id]
        for position, value in enumerate(values if isinstance(values, list) else [values]):
            raw = value["value"]
            item = {
                "id": str(value["id"]),
                "fieldId": field_id,
                "position": position,
                "textValue": raw if definition.kind == "text" else None,
                "numberValue": float(raw) if definition.kind in {"number", "integer"} else None,
                "dateValue": raw[:10] if definition.kind == "date" else None,
                "booleanValue": raw if definition.kind == "boolean" else None,
                "listEntryId": str(raw) if definition.kind == "list" else None,
                "listEntryLabel": next((e.name for e in definition.entries if e.id == raw), None),
                "rawValue": json.dumps(raw, ensure_ascii=False, separators=(",", ":")),
            }
            items.append(item)
    return items


def axis_section_items(truth: dict) -> list[dict]:
    """`users.axisSections`: the user's section on each of the emulator's axes."""
    names = {axis.id: axis.name for axis in (ACTIVITIES, COST_CENTERS)}
    items = []
    for key, value in truth.items():
        if match := re.fullmatch(r"userAxisValues_(\d+)", key):
            axis = int(match.group(1))
            items.append(
                {
                    "axisId": axis,
                    "axisName": names[axis],
                    "sectionId": value["id"],
                    "sectionName": value["name"],
                }
            )
    return sorted(items, key=lambda item: item["axisId"])


def emitted(stream: str, truth: dict, left_out: set[str] = frozenset()) -> dict:
    """The record the tap must emit for `truth`, without its `tenant` label. Users
    leave out the sensitive applicationData keys when `left_out` is SENSITIVE."""
    record = {}
    for key, value in truth.items():
        if key in left_out:
            continue
        name = key[:-2] + "Id" if key in CAPITAL_IDS else key
        if value is not None and key in INSTANTS.get(stream, ()):
            record[name] = paris_to_utc(value)
        elif value is not None and key in DATES.get(stream, ()):
            record[name] = value[:10]
        else:
            record[name] = value
    if stream == "users" and "applicationData" in truth:
        record |= application_data_fields(truth, everything=not left_out >= SENSITIVE)
    if stream == "users":  # axes but the first come in axisSections only
        others = {k for k in record if k.startswith("userAxisValues_") and k != "userAxisValues_1"}
        record = {k: v for k, v in record.items() if k not in others}
        record["customFields"] = custom_field_items(truth.get("extendedData") or {})
        record["axisSections"] = axis_section_items(truth)
    return record


def hours(value: str | None) -> float | None:
    """A leave's `value`, a .NET duration such as "03:30:00", in hours."""
    if value is None:
        return None
    hours, minutes, seconds = value.split(":")
    return int(hours) + int(minutes) / 60 + float(seconds) / 3600


def emitted_leave(truth: dict) -> dict:
    """The record the tap must emit for a leave of the emulator's truth, without its
    `tenant` label: instants in UTC, the day alone, the period's owner and confirmation
    lifted, `value` in hours, the latest of its three times, and the cancellation as
    `_sdc_deleted_at` (Lucca's sync guide: delete when cancellationDate is set)."""
    period = truth["leavePeriod"]
    confirmed = period["confirmationDate"] and paris_to_utc(period["confirmationDate"])
    created = paris_to_utc(truth["creationDate"])
    cancelled = truth["cancellationDate"] and paris_to_utc(truth["cancellationDate"])
    return {
        **truth,
        "date": truth["date"][:10],
        "creationDate": created,
        "cancellationDate": cancelled,
        "leavePeriod": {**period, "confirmationDate": confirmed},
        "ownerId": period["ownerId"],
        "isConfirmed": period["isConfirmed"],
        "confirmationDate": confirmed,
        "hours": hours(truth["value"]),
        "changedAt": max(time for time in (created, confirmed, cancelled) if time),
        "_sdc_deleted_at": cancelled,
    }


def padded(expected: dict, record: dict) -> dict:
    """`expected`, plus null for the keys the record has and the truth lacks: Lucca
    answers null for a field it was asked for and does not hold. A key of the truth
    that the record lacks still differs."""
    return {**dict.fromkeys(record.keys() - expected.keys() - {"tenant"}), **expected}


def without_tenant(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "tenant"}
