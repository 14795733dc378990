"""Real tenants differ: a missing module or a key's role never costs the core streams,
and a stream that fails never costs the others what they emitted."""

from __future__ import annotations

import logging

import pytest

from lucca_emulator import LuccaEmulator, Tenant
from lucca_emulator.server import (
    CONTRACT_TYPES_PATH,
    CONTRACTS_PATH,
    DEPARTMENTS_PATH,
    KNOWN_PATHS,
    USERS_PATH,
)
from tap_lucca.availability import AvailabilityPolicy, EndpointUnavailable
from tap_lucca.tap import TapLucca
from tap_lucca.v4 import V4Stream
from tests.conftest import API_KEY, fast_config, run_tap
from tests.tap_process import run_tap_process

CORE_PATHS = {USERS_PATH, CONTRACTS_PATH, DEPARTMENTS_PATH}
OPTIONAL_PATHS = sorted(set(KNOWN_PATHS) - CORE_PATHS)


@pytest.fixture(scope="module")
def small_tenant() -> Tenant:
    return Tenant.generate(users=600, seed=21)


def assert_core_streams_exact(run, tenant: Tenant) -> None:
    assert sorted(r["id"] for r in run.records("users")) == sorted(u["id"] for u in tenant.users)
    assert sorted(r["id"] for r in run.records("contracts")) == sorted(
        c["id"] for c in tenant.contracts
    )
    assert sorted(r["id"] for r in run.records("departments")) == sorted(
        d["id"] for d in tenant.departments
    )


def test_a_tenant_without_any_optional_module_still_lands_every_core_record(small_tenant, tmp_path):
    with LuccaEmulator(small_tenant, api_key=API_KEY) as emulator:
        emulator.failing_paths.update(dict.fromkeys(OPTIONAL_PATHS, 404))
        run = run_tap_process(fast_config(emulator), tmp_path)
        asked = [r.path for r in emulator.requests if r.path in OPTIONAL_PATHS]

    assert run.returncode == 0, run.stderr[-2000:]
    assert_core_streams_exact(run, small_tenant)
    assert {m["stream"] for m in run.messages if m["type"] == "RECORD"} == {
        "users",
        "contracts",
        "departments",
    }
    for path in OPTIONAL_PATHS:
        skipped = [line for line in run.log_lines("Skipping stream") if path in line]
        assert len(skipped) == 1, (path, run.stderr[-3000:])
        assert "404" in skipped[0]
        assert "WARNING" in skipped[0]
    # One request each, even for user history's three attributes.
    assert sorted(asked) == OPTIONAL_PATHS


@pytest.mark.parametrize(
    ("status", "cause"),
    [(403, "role"), (404, "module"), (410, "retired"), (501, "not implement")],
)
def test_an_optional_stream_that_is_not_there_is_skipped_with_its_cause(
    small_tenant, caplog, status, cause
):
    with LuccaEmulator(small_tenant, api_key=API_KEY) as emulator:
        emulator.failing_paths[CONTRACT_TYPES_PATH] = status
        sync = run_tap(fast_config(emulator), streams=["contract_types", "departments"])

    assert "contract_types" not in sync.records
    assert len(sync.records["departments"]) == len(small_tenant.departments)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "'contract_types'" in warnings[0]
    assert CONTRACT_TYPES_PATH in warnings[0]
    assert str(status) in warnings[0]
    assert cause in warnings[0]


def test_strict_optional_streams_fails_the_run_on_a_missing_optional_stream(small_tenant, caplog):
    with LuccaEmulator(small_tenant, api_key=API_KEY) as emulator:
        emulator.failing_paths[CONTRACT_TYPES_PATH] = 404
        config = fast_config(emulator, strict_optional_streams=True)
        with pytest.raises(SystemExit) as stopped:
            run_tap(config, streams=["contract_types", "departments"])

    assert stopped.value.code == 1
    assert "Stream 'contract_types' failed" in caplog.text
    assert "strict_optional_streams" in caplog.text


def test_a_missing_core_stream_fails_the_run_after_the_other_streams(small_tenant, tmp_path):
    with LuccaEmulator(small_tenant, api_key=API_KEY) as emulator:
        emulator.failing_paths[CONTRACTS_PATH] = 404
        run = run_tap_process(fast_config(emulator), tmp_path)

    assert run.returncode == 1
    assert not run.records("contracts")
    assert len(run.records("users")) == len(small_tenant.users)
    assert len(run.records("departments")) == len(small_tenant.departments)
    failed = run.log_lines("Stream 'contracts' failed")
    assert len(failed) == 1
    assert "404" in failed[0]
    assert "core stream" in failed[0]
    assert "contracts" in run.stderr.splitlines()[-1]
    assert "Traceback" not in run.stderr


def test_deprecated_skip_forbidden_streams_also_skips_a_core_stream_on_403(small_tenant, caplog):
    with LuccaEmulator(small_tenant, api_key=API_KEY) as emulator:
        emulator.forbidden_paths.add(CONTRACTS_PATH)
        sync = run_tap(fast_config(emulator, skip_forbidden_streams=True))

    assert "contracts" not in sync.records
    assert len(sync.records["users"]) == len(small_tenant.users)
    assert "Skipping stream 'contracts'" in caplog.text


def test_a_failing_stream_costs_the_others_neither_records_nor_state(small_tenant, tmp_path):
    # Lucca answers 400 when it no longer takes a request, e.g. a field it dropped.
    with LuccaEmulator(small_tenant, api_key=API_KEY) as emulator:
        emulator.failing_paths[CONTRACTS_PATH] = 400
        run = run_tap_process(fast_config(emulator), tmp_path)

    assert run.returncode == 1
    assert len(run.records("users")) == len(small_tenant.users)
    assert len(run.records("user_history")) == len(small_tenant.userlogs)
    bookmarks = run.last_state["bookmarks"]
    assert bookmarks["users"]["replication_key_value"]
    assert all(p["replication_key_value"] for p in bookmarks["user_history"]["partitions"])
    failed = run.log_lines("Stream 'contracts' failed")
    assert len(failed) == 1
    assert "400" in failed[0]
    assert "1 stream(s) failed: contracts" in run.stderr.splitlines()[-1]
    assert "Traceback" not in run.stderr


class ExpensesStream(V4Stream):
    """A stream added later, with no word about availability."""

    name = "expenses"
    path = "/api/v3/expenses"  # the emulator has no such route: 404

    def schema_for(self, config):
        return {"type": "object", "properties": {"tenant": {}, "id": {"type": "integer"}}}


class TapWithANewStream(TapLucca):
    def discover_streams(self):
        return [*super().discover_streams(), ExpensesStream(self)]


def test_a_stream_added_later_is_optional_without_a_word(small_tenant, caplog):
    with LuccaEmulator(small_tenant, api_key=API_KEY) as emulator:
        tap = TapWithANewStream(config=fast_config(emulator))
        for stream in tap.streams.values():
            stream.selected = stream.name in {"expenses", "departments"}
        tap.sync_all()  # no SystemExit: the run succeeds

    assert "Skipping stream 'expenses': /api/v3/expenses answered 404" in caplog.text


@pytest.mark.parametrize(
    ("stream", "status", "config", "skipped"),
    [
        ("contract_types", 404, {}, True),
        ("user_history", 501, {}, True),
        ("users", 404, {}, False),
        ("contract_types", 404, {"strict_optional_streams": True}, False),
        ("contracts", 403, {"skip_forbidden_streams": True}, True),
        ("contracts", 404, {"skip_forbidden_streams": True}, False),
        ("departments", 410, {"skip_forbidden_streams": True}, False),
    ],
)
def test_which_missing_streams_a_run_goes_on_without(stream, status, config, skipped):
    policy = AvailabilityPolicy.from_config(config)

    assert policy.skips(EndpointUnavailable(stream, "/some/path", status)) is skipped
