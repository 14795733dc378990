"""The users stream: every employee, with every non-sensitive field, in one spelling."""

from __future__ import annotations

import json
import typing as t

import pytest

from lucca_emulator import LuccaEmulator, Tenant
from tap_lucca.tap import TapLucca
from tests.conftest import API_KEY, run_tap
from tests.reference import SANDBOX
from tests.truth import CAPITAL_IDS, SENSITIVE, emitted, padded, without_tenant


def users_requests(emulator: LuccaEmulator) -> list:
    return [r for r in emulator.requests if r.path == "/api/v3/users"]


def test_users_are_every_current_former_and_future_employee(tenant, emulator, config):
    sync = run_tap(config, streams=["users"])

    assert sorted(sync.ids("users")) == sorted(user["id"] for user in tenant.users)
    assert set(tenant.former_user_ids()) <= set(sync.ids("users"))
    assert set(tenant.future_user_ids()) <= set(sync.ids("users"))


def test_users_are_asked_for_with_former_employees_in_id_order(emulator, config):
    run_tap(config, streams=["users"])

    first = users_requests(emulator)[0].params
    assert first["formerEmployees"] == ["true"]
    assert first["orderBy"] == ["id,asc"]
    assert first["paging"] == ["0,1000"]


def test_users_next_pages_start_after_the_last_id_read(tenant, emulator, config):
    run_tap(config, streams=["users"])

    ids = sorted(user["id"] for user in tenant.users)
    follow_ups = [r.params["id"] for r in users_requests(emulator)[1:]]
    assert follow_ups == [[f"greaterthan,{ids[999]}"], [f"greaterthan,{ids[1999]}"]]


def test_user_records_hold_every_non_sensitive_field_of_lucca_with_its_value(
    tenant, emulator, config
):
    sync = run_tap(config, streams=["users"])

    stored = {user["id"]: user for user in tenant.users}
    for record in sync.records["users"]:
        expected = emitted("users", stored[record["id"]], left_out=SENSITIVE)
        assert without_tenant(record) == padded(expected, record)


def recorded_user_keys() -> set[str]:
    """Every key of Lucca's full user objects, as recorded from a demo tenant."""
    recorded: set[str] = set()
    for path in (SANDBOX / "v3-users-by-id").glob("*.json"):
        recorded |= json.loads(path.read_text())["data"].keys()
    return recorded


def test_schema_covers_every_non_sensitive_key_of_the_recorded_full_user():
    recorded = recorded_user_keys()
    expected = {key[:-2] + "Id" if key in CAPITAL_IDS else key for key in recorded}

    tap = TapLucca(config={"api_url": "https://acme.ilucca.net", "api_key": "k"})
    users = tap.streams["users"]
    schema_keys = set(users.schema["properties"]) - users.added_properties

    assert schema_keys == expected - SENSITIVE


@pytest.mark.parametrize("id_casing", ["mixed", "docs"])
def test_id_fields_land_in_one_spelling_whichever_casing_lucca_sends(tenant, id_casing):
    with LuccaEmulator(tenant, api_key=API_KEY, id_casing=id_casing) as emulator:
        config = {"api_url": emulator.url, "api_key": API_KEY, "max_requests_per_minute": 100_000}
        sync = run_tap(config, streams=["users"])

    stored = {user["id"]: user for user in tenant.users}
    for record in sync.records["users"][:50]:
        assert record["departmentId"] == stored[record["id"]]["departmentID"]
        assert record["managerId"] == stored[record["id"]]["managerID"]
        assert not CAPITAL_IDS & record.keys()


@pytest.fixture(scope="module")
def banked_tenant() -> Tenant:
    """Some users with a value in every sensitive field, cards and RIB included."""
    tenant = Tenant.generate(users=300, seed=17)
    for n, user in enumerate(tenant.users[:20]):
        user["rib"] = f"30004 00822 0001{n:07d} 42"
        user["corporateCard"] = f"4970 1000 0000 {n:04d}"
        user["personalCard"] = f"5132 8300 0000 {n:04d}"
    return tenant


def top_level_names(fields: str) -> set[str]:
    """The names a v3 `fields` value asks for, nested selections stripped."""
    depth, name, names = 0, "", set()
    for char in fields + ",":
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "," and depth == 0:
            names.add(name.lower())
            name = ""
        elif depth == 0:
            name += char
    return names


def keys_in(value: object) -> t.Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from keys_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from keys_in(item)


def test_no_sensitive_field_is_asked_for_by_default(banked_tenant):
    with LuccaEmulator(banked_tenant, api_key=API_KEY) as emulator:
        run_tap(
            {"api_url": emulator.url, "api_key": API_KEY, "max_requests_per_minute": 100_000},
            streams=["users"],
        )
        fields = [r.params["fields"][0] for r in users_requests(emulator)]

    for requested in fields:
        assert not top_level_names(requested) & {field.lower() for field in SENSITIVE}
        assert "theoreticalremuneration" not in requested.lower()


def test_no_sensitive_field_or_value_is_emitted_by_default(banked_tenant):
    with LuccaEmulator(banked_tenant, api_key=API_KEY) as emulator:
        sync = run_tap(
            {"api_url": emulator.url, "api_key": API_KEY, "max_requests_per_minute": 100_000},
            streams=["users"],
        )

    keys = set(keys_in(sync.records["users"]))
    assert not keys & SENSITIVE
    assert "theoreticalRemuneration" not in keys
    output = "\n".join(json.dumps(message) for message in sync.messages)
    for user in banked_tenant.users[:50]:
        for field in SENSITIVE - {"applicationData"}:
            if user[field]:
                assert json.dumps(user[field])[1:-1] not in output, field
        remuneration = user["applicationData"]["theoreticalRemuneration"]["value"]
        assert json.dumps(remuneration)[1:-1] not in output


def test_sensitive_fields_come_when_asked_for(banked_tenant):
    with LuccaEmulator(banked_tenant, api_key=API_KEY) as emulator:
        sync = run_tap(
            {
                "api_url": emulator.url,
                "api_key": API_KEY,
                "max_requests_per_minute": 100_000,
                "include_sensitive_fields": True,
            },
            streams=["users"],
        )

    stored = {user["id"]: user for user in banked_tenant.users}
    for record in sync.records["users"]:
        expected = emitted("users", stored[record["id"]])
        assert without_tenant(record) == padded(expected, record)
