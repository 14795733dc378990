"""Incremental users syncs from the bookmark that the previous run left in its state."""

from __future__ import annotations

import datetime

import pytest

from tests.conftest import API_KEY, run_tap
from tests.emulator import LuccaEmulator, Tenant


@pytest.fixture
def changing_tenant() -> Tenant:
    return Tenant.generate(users=1500, seed=11)


@pytest.fixture
def changing_emulator(changing_tenant):
    with LuccaEmulator(changing_tenant, api_key=API_KEY) as emulator:
        yield emulator


@pytest.fixture
def changing_config(changing_emulator) -> dict:
    return {
        "api_url": changing_emulator.url,
        "api_key": API_KEY,
        "max_requests_per_minute": 100_000,
    }


def bookmark(state: dict) -> str:
    return state["bookmarks"]["users"]["replication_key_value"]


def test_first_run_bookmarks_the_latest_modification_in_luccas_format(
    changing_tenant, changing_config
):
    sync = run_tap(changing_config, streams=["users"])

    assert bookmark(sync.state) == max(user["modifiedAt"] for user in changing_tenant.users)


def test_second_run_asks_only_for_users_modified_since_the_bookmark(
    changing_tenant, changing_emulator, changing_config
):
    first = run_tap(changing_config, streams=["users"])
    changed = [user["id"] for user in changing_tenant.users[10:25]]
    changing_tenant.update_users(changed)
    changing_emulator.clear_requests()

    second = run_tap(changing_config, state=first.state, streams=["users"])

    requests = [r for r in changing_emulator.requests if r.path == "/api/v3/users"]
    assert [r.params["modifiedAt"] for r in requests] == [[f"since,{bookmark(first.state)}"]]
    assert set(changed) <= set(second.ids("users"))
    assert len(second.ids("users")) < 30


def test_start_date_limits_the_first_run_without_shifting_its_time_zone(
    changing_emulator, changing_config
):
    run_tap({**changing_config, "start_date": "2024-03-01T08:45:23+02:00"}, streams=["users"])

    first = next(r for r in changing_emulator.requests if r.path == "/api/v3/users")
    assert first.params["modifiedAt"] == ["since,2024-03-01T08:45:23"]


def test_bookmark_never_passes_the_tenant_clock_of_the_first_page(changing_tenant, changing_config):
    future = datetime.datetime(2099, 1, 1, 12, 0, 0)
    changing_tenant.update_users([changing_tenant.users[-1]["id"]], at=future)

    sync = run_tap(changing_config, streams=["users"])

    assert bookmark(sync.state) < "2099"
