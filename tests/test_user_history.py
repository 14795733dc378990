"""user_history: each change of a user's department, manager and legal entity."""

from __future__ import annotations

import datetime

import pytest

from lucca_emulator import LuccaEmulator, Tenant
from tests.conftest import API_KEY, run_tap
from tests.truth import emitted, padded, without_tenant

ATTRIBUTES = {
    "departmentid": "departmentID",
    "manager": "managerID",
    "legalentityid": "legalEntityID",
}


def history_requests(emulator) -> list:
    return [r for r in emulator.requests if r.path == "/api/v3/userlogs"]


def test_history_holds_every_logged_change(tenant, emulator, config):
    sync = run_tap(config, streams=["user_history"])

    assert sorted(sync.ids("user_history")) == sorted(log["id"] for log in tenant.userlogs)


def test_history_records_hold_every_field_of_lucca_with_its_value(tenant, emulator, config):
    sync = run_tap(config, streams=["user_history"])

    stored = {log["id"]: log for log in tenant.userlogs}
    for record in sync.records["user_history"]:
        expected = emitted("user_history", stored[record["id"]])
        assert without_tenant(record) == padded(expected, record)


def test_history_is_read_one_attribute_at_a_time(tenant, emulator, config):
    run_tap(config, streams=["user_history"])

    asked = {r.params["name"][0] for r in history_requests(emulator)}
    assert asked == set(ATTRIBUTES)


def test_latest_change_of_each_attribute_is_the_users_current_value(tenant, emulator, config):
    sync = run_tap(config, streams=["user_history"])

    latest: dict[tuple[int, str], dict] = {}
    for change in sorted(sync.records["user_history"], key=lambda c: (c["startsOn"], c["id"])):
        latest[change["ownerId"], change["name"]] = change
    users = {user["id"]: user for user in tenant.users}
    for (owner, attribute), change in latest.items():
        current = users[owner][ATTRIBUTES[attribute]]
        assert change["value"] == (None if current is None else str(current))


def test_history_pages_stay_at_the_floor_for_each_attribute(tenant, emulator, config):
    run_tap(config, streams=["user_history"])

    for attribute in ATTRIBUTES:
        logged = sum(1 for log in tenant.userlogs if log["name"] == attribute)
        sent = [r for r in history_requests(emulator) if r.params["name"] == [attribute]]
        assert len(sent) == logged // 1000 + 1


@pytest.fixture
def moving_tenant() -> Tenant:
    return Tenant.generate(users=800, seed=31)


def test_next_run_reads_only_the_changes_logged_since_each_bookmark(moving_tenant):
    with LuccaEmulator(moving_tenant, api_key=API_KEY) as emulator:
        config = {"api_url": emulator.url, "api_key": API_KEY, "max_requests_per_minute": 100_000}
        first = run_tap(config, streams=["user_history"])
        mover = moving_tenant.users[3]
        target = next(d for d in moving_tenant.departments if d["id"] != mover["departmentID"])
        moving_tenant.change_department(mover["id"], target["id"], at=datetime.datetime.now())
        emulator.clear_requests()

        second = run_tap(config, state=first.state, streams=["user_history"])

    since = {r.params["name"][0]: r.params["modifiedAt"][0] for r in history_requests(emulator)}
    assert set(since) == set(ATTRIBUTES)
    assert all(value.startswith("since,") for value in since.values())
    moves = [c for c in second.records["user_history"] if c["ownerId"] == mover["id"]]
    assert any(c["name"] == "departmentid" and c["value"] == str(target["id"]) for c in moves)
    # Bulk imports share timestamps, and `since` includes the bookmark's own instant.
    assert len(second.records["user_history"]) < len(first.records["user_history"]) / 10


def test_start_date_does_not_limit_the_history(tenant, emulator, config):
    # The setting's docs promise a limit on users only.
    sync = run_tap({**config, "start_date": "2026-01-01"}, streams=["user_history"])

    assert sorted(sync.ids("user_history")) == sorted(log["id"] for log in tenant.userlogs)
    assert not any("modifiedAt" in r.params for r in history_requests(emulator))
