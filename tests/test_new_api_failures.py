"""The new Lucca API's failures, met as the legacy API's are: 408, 5xx, dropped and
truncated answers and 429 are retried on every stream with exact output; tokens are
renewed before they expire, a refused one is replaced, and a fresh one refused too
stops the run naming the credentials."""

from __future__ import annotations

import contextlib
import io
import logging

import pytest

from lucca_emulator import Faults, LuccaEmulator, Tenant
from lucca_emulator.v5 import PREFIX, TOKEN_PATH
from tap_lucca.tap import TapLucca
from tests.conftest import run_tap
from tests.test_new_api import CLIENT_ID, CLIENT_SECRET, assert_matches_emulator, new_api_config

#: Each new-API stream and the resource it reads.
RESOURCES = {
    "employees": "employees",
    "employments": "employments",
    "job_positions": "job-positions",
    "departments": "departments",
    "legal_entities": "legal-entities",
    "business_establishments": "business-establishments",
}


@pytest.fixture(scope="module")
def tenant() -> Tenant:
    return Tenant.generate(users=300, seed=17)


@pytest.fixture(scope="module")
def emulator(tenant: Tenant):
    with LuccaEmulator(tenant, client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as emulator:
        yield emulator


@pytest.fixture
def fresh(emulator: LuccaEmulator) -> LuccaEmulator:
    """The module's emulator, with no request recorded and tokens of Lucca's lifetime."""
    emulator.clear_requests()
    emulator.v5.token_seconds = 1800
    return emulator


def api_requests(emulator: LuccaEmulator) -> list:
    return [r for r in emulator.requests if r.path.startswith(PREFIX)]


def token_requests(emulator: LuccaEmulator) -> list:
    return [r for r in emulator.requests if r.path == TOKEN_PATH]


def ids(records: list[dict]) -> list[str]:
    return sorted(str(record["id"]) for record in records)


# ----- faults ----------------------------------------------------------------------------
def test_every_stream_is_exact_under_408s_5xx_drops_and_truncations(tenant):
    # A seed that meets every kind of fault in this run, with few backoffs.
    faults = Faults(seed=26, server_errors=0.03, drops=0.03, truncations=0.03, timeouts=0.03)
    with LuccaEmulator(
        tenant,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        faults=faults,
        heavy_page_limit=50,  # the tap asks for 100: every first page times out
    ) as emulator:
        sync = run_tap(new_api_config(emulator))

        assert_matches_emulator(sync, emulator)
        answered = api_requests(emulator)
    assert {"server_error", "drop", "truncated", "timeout_408"} <= {r.fault for r in answered}
    timed_out = {r.path for r in answered if r.status == 408}
    heavy = {r.path for r in answered if int(r.params.get("limit", ["25"])[-1]) > 50}
    assert timed_out == heavy
    assert {PREFIX + resource for resource in RESOURCES.values()} <= heavy


@pytest.mark.parametrize("stream", RESOURCES)
def test_a_429_and_a_408_on_the_first_page_are_retried_and_every_record_lands(fresh, stream):
    fresh.fail_next(429, retry_after=1)
    fresh.fail_next(408)
    early_before = fresh.early_requests

    sync = run_tap(new_api_config(fresh), streams=[stream])

    statuses = [r.status for r in api_requests(fresh)]
    assert statuses[:3] == [429, 408, 200]
    assert fresh.early_requests == early_before  # nothing sent before Retry-After
    truth = fresh.v5.records(RESOURCES[stream])
    assert ids(sync.records[stream]) == ids(truth)


# ----- tokens ----------------------------------------------------------------------------
def test_tokens_are_renewed_before_they_expire_so_lucca_refuses_none(fresh):
    lifetime = 3
    fresh.v5.token_seconds = lifetime
    # 30 pages of 10 employees, 0.4 s apart: the run outlives three lifetimes.
    config = new_api_config(fresh, page_size=10, max_requests_per_minute=150)

    sync = run_tap(config, streams=["employees"])

    answered = api_requests(fresh)
    span = answered[-1].at - answered[0].at
    tokens = len(token_requests(fresh))
    assert span > 3 * lifetime
    assert [r.status for r in answered if r.status != 200] == []  # no 401: none expired
    assert tokens >= 4  # one per lifetime at least, or a request met an expired token
    assert tokens <= span / (0.9 * lifetime) + 2  # and not one per request
    assert ids(sync.records["employees"]) == ids(fresh.v5.records("employees"))


def sync_streams(tap: TapLucca, names: list[str], between) -> None:
    """Sync `names` one after the other in one run, calling `between()` between two."""
    with contextlib.redirect_stdout(io.TextIOWrapper(io.BytesIO())):
        for number, name in enumerate(names):
            if number:
                between()
            tap.streams[name].sync()


def test_a_second_refused_token_in_one_run_is_replaced_too(fresh):
    tap = TapLucca(config=new_api_config(fresh))

    sync_streams(
        tap,
        ["legal_entities", "business_establishments", "departments"],
        between=fresh.v5.revoke_tokens,
    )

    assert [r.status for r in api_requests(fresh)] == [200, 401, 200, 401, 200]
    assert len(token_requests(fresh)) == 3
    assert [tap.run_report.streams[name].outcome for name in tap.run_report.streams] == [
        "synced"
    ] * 3


def test_a_fresh_token_refused_too_stops_the_run_naming_the_credentials(fresh, caplog):
    fresh.fail_next(401, count=2)

    with caplog.at_level(logging.ERROR), pytest.raises(SystemExit) as stop:
        run_tap(new_api_config(fresh))

    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert stop.value.code == 1
    assert [r.status for r in api_requests(fresh)] == [401, 401]  # no other stream tried
    assert len(token_requests(fresh)) == 2
    assert "refused a fresh access token (401)" in errors[-1]
    assert "client_id, client_secret and scopes" in errors[-1]
    assert CLIENT_SECRET not in caplog.text
