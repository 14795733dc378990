"""Incremental users syncs from the bookmark that the previous run left in its state."""

from __future__ import annotations

import datetime

import pytest

from lucca_emulator import LuccaEmulator, Tenant
from tests.conftest import API_KEY, run_tap
from tests.truth import paris_to_utc


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


def latest_modification(tenant: Tenant) -> str:
    return max((user["modifiedAt"] for user in tenant.users), key=datetime.datetime.fromisoformat)


def test_first_run_bookmarks_the_latest_modification_in_utc(changing_tenant, changing_config):
    sync = run_tap(changing_config, streams=["users"])

    assert bookmark(sync.state) == paris_to_utc(latest_modification(changing_tenant))


def test_second_run_asks_only_for_users_modified_since_the_bookmark(
    changing_tenant, changing_emulator, changing_config
):
    latest = latest_modification(changing_tenant)
    first = run_tap(changing_config, streams=["users"])
    changed = [user["id"] for user in changing_tenant.users[10:25]]
    changing_tenant.update_users(changed)
    changing_emulator.clear_requests()

    second = run_tap(changing_config, state=first.state, streams=["users"])

    requests = [r for r in changing_emulator.requests if r.path == "/api/v3/users"]
    # Sent back in Lucca's own clock: the time of the latest modification it wrote.
    [[since]] = [r.params["modifiedAt"] for r in requests]
    assert since.startswith("since,")
    assert datetime.datetime.fromisoformat(since[6:]) == datetime.datetime.fromisoformat(latest)
    assert set(changed) <= set(second.ids("users"))
    assert len(second.ids("users")) < 30


@pytest.mark.parametrize(
    ("start_date", "since"),
    [
        ("2024-03-01T08:45:23+02:00", "since,2024-03-01T07:45:23"),  # Paris is +01:00 in March
        ("2024-03-01T08:45:23", "since,2024-03-01T08:45:23"),  # the tenant's own clock
        ("2024-03-01", "since,2024-03-01T00:00:00"),
    ],
)
def test_start_date_limits_the_first_run_in_the_tenants_clock(
    changing_emulator, changing_config, start_date, since
):
    run_tap({**changing_config, "start_date": start_date}, streams=["users"])

    first = next(r for r in changing_emulator.requests if r.path == "/api/v3/users")
    assert first.params["modifiedAt"] == [since]


def test_bookmark_never_passes_the_tenant_clock_of_the_first_page(changing_tenant, changing_config):
    future = datetime.datetime(2099, 1, 1, 12, 0, 0)
    changing_tenant.update_users([changing_tenant.users[-1]["id"]], at=future)

    began = datetime.datetime.now(datetime.UTC)
    sync = run_tap(changing_config, streams=["users"])
    ended = datetime.datetime.now(datetime.UTC)

    # The tenant's clock when the first page was served, in UTC.
    assert began <= datetime.datetime.fromisoformat(bookmark(sync.state)) <= ended
