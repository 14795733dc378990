"""The users stream: every employee, with every non-sensitive field, in one spelling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tap_lucca.streams import SENSITIVE_USER_FIELDS
from tap_lucca.tap import TapLucca
from tests.conftest import API_KEY, run_tap
from tests.emulator import LuccaEmulator
from tests.emulator.sample import template_user

SANDBOX = Path(__file__).parents[2] / "shared" / "lucca-sandbox"
# Lucca spells these IDs in capitals; the tap spells them as the docs do.
CAPITAL_IDS = {"departmentID", "managerID", "legalEntityID", "cultureID", "cspID"}


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


def test_user_records_hold_every_requested_field_with_the_api_values(tenant, emulator, config):
    sync = run_tap(config, streams=["users"])

    stored = {user["id"]: user for user in tenant.users}
    record = sync.records["users"][0]
    user = stored[record["id"]]
    assert record["departmentId"] == user["departmentID"]
    assert record["department"] == user["department"]
    assert record["modifiedAt"] == user["modifiedAt"]
    assert record["authorizedOperations"] == user["authorizedOperations"]


def recorded_user_keys() -> set[str]:
    """Every key of Lucca's full user objects, as recorded from a demo tenant (the
    project keeps one recorded user for when ../shared is not beside it)."""
    if not SANDBOX.exists():
        return set(template_user())
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

    assert schema_keys == expected - SENSITIVE_USER_FIELDS


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


def test_sensitive_fields_are_neither_requested_nor_emitted_by_default(emulator, config):
    sync = run_tap(config, streams=["users"])

    requested = users_requests(emulator)[0].params["fields"][0].lower()
    for field in SENSITIVE_USER_FIELDS:
        assert field.lower() not in requested.split(",")
    emitted = set().union(*(record.keys() for record in sync.records["users"]))
    assert not emitted & SENSITIVE_USER_FIELDS


def test_sensitive_fields_come_when_asked_for(tenant, emulator, config):
    sync = run_tap({**config, "include_sensitive_fields": True}, streams=["users"])

    stored = {user["id"]: user for user in tenant.users}
    with_iban = [r for r in sync.records["users"] if stored[r["id"]]["iban"]]
    assert with_iban
    assert all(r["iban"] == stored[r["id"]]["iban"] for r in with_iban)
