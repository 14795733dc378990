"""Deletions: full-table streams carry table versions, so that a loader which honours
ACTIVATE_VERSION can drop or mark the rows that vanished from Lucca."""

from __future__ import annotations

import contextlib
import io
import json
import os
import time
import typing as t

import duckdb
import pytest

from lucca_emulator import LuccaEmulator, Tenant
from tap_lucca.tap import TapLucca
from tests.conftest import API_KEY, run_meltano, run_tap
from tests.truth import CUSTOM_FIELD_STREAMS, LEGACY_STREAMS

# The streams a first run reads whole: leaves too (later runs read what changed).
FULL_TABLE = {*LEGACY_STREAMS, *CUSTOM_FIELD_STREAMS} - {"users", "user_history"}


def delete_one(ids: t.Iterable[int], delete: t.Callable[[int], None]) -> int:
    """Delete the first of `ids` that the tenant lets go (Lucca refuses some)."""
    for ident in ids:
        try:
            delete(ident)
        except ValueError:
            continue
        return ident
    pytest.fail("the tenant has nothing it lets delete")


def delete_a_contract_and_a_department(tenant: Tenant) -> tuple[int, int]:
    contract = delete_one([c["id"] for c in tenant.contracts], tenant.delete_contract)
    department = delete_one([d["id"] for d in tenant.departments], tenant.delete_department)
    return contract, department


@pytest.fixture
def small_emulator() -> t.Iterator[LuccaEmulator]:
    with LuccaEmulator(Tenant.generate(users=300, seed=11), api_key=API_KEY) as emulator:
        yield emulator


@pytest.fixture
def config(small_emulator: LuccaEmulator) -> dict:
    return {"api_url": small_emulator.url, "api_key": API_KEY, "max_requests_per_minute": 100_000}


def activations(messages: list[dict]) -> dict[str, int]:
    return {m["stream"]: m["version"] for m in messages if m["type"] == "ACTIVATE_VERSION"}


def test_each_full_table_stream_activates_its_version_after_its_last_record(config):
    sync = run_tap({**config, "emit_activate_version_messages": True})

    versions = activations(sync.messages)
    assert set(versions) == FULL_TABLE
    for stream, version in versions.items():
        own = [m for m in sync.messages if m.get("stream") == stream and m["type"] != "STATE"]
        assert own[-1]["type"] == "ACTIVATE_VERSION"
        assert sum(m["type"] == "ACTIVATE_VERSION" for m in own) == 1
        assert {
            r["version"]
            for r in sync.messages
            if r.get("stream") == stream and r["type"] == "RECORD"
        } == {version}


def test_a_stream_that_fails_halfway_activates_no_version(small_emulator, config):
    config = {**config, "emit_activate_version_messages": True, "page_size": 100}
    tap = TapLucca(config=config)
    for stream in tap.streams.values():
        stream.selected = stream.name == "contracts"
    contracts = tap.streams["contracts"]
    read = contracts.post_process

    armed = []

    def fail_the_next_page(row: dict, context: dict | None = None) -> dict:
        if not armed:
            armed.append(True)
            small_emulator.fail_next(400)
        return read(row, context)

    contracts.post_process = fail_the_next_page  # Lucca fails once the first page is in
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with contextlib.redirect_stdout(stdout), pytest.raises(SystemExit):
        tap.sync_all()

    stdout.seek(0)
    messages = [json.loads(line) for line in stdout.read().splitlines()]
    assert any(m["type"] == "RECORD" for m in messages)
    assert activations(messages) == {}


def test_no_activate_version_when_turned_off(config):
    config = {**config, "emit_activate_version_messages": False}
    sync = run_tap(config, streams=["contracts", "departments"])

    assert activations(sync.messages) == {}


def test_a_deleted_contract_and_department_are_missing_from_the_next_version(
    small_emulator, config
):
    config = {**config, "emit_activate_version_messages": True}
    first = run_tap(config, streams=["contracts", "departments"])
    contract, department = delete_a_contract_and_a_department(small_emulator.tenant)
    time.sleep(1.1)  # the SDK's table version is the run's start, in whole seconds

    second = run_tap(config, streams=["contracts", "departments"])

    for stream in ("contracts", "departments"):
        assert activations(second.messages)[stream] > activations(first.messages)[stream]
    assert contract in first.ids("contracts")
    assert contract not in second.ids("contracts")
    assert department in first.ids("departments")
    assert department not in second.ids("departments")


def test_duckdb_keeps_the_rows_deleted_in_lucca(small_emulator, tmp_path):
    """target-duckdb 0.8.0 only logs ACTIVATE_VERSION: what Lucca deleted stays in its
    table (the README says so). This fails the day the DuckDB loader honours it."""
    database = tmp_path / "warehouse.duckdb"
    env = {
        **os.environ,
        "TAP_LUCCA_API_URL": small_emulator.url,
        "TAP_LUCCA_API_KEY": API_KEY,
        "TAP_LUCCA_MAX_REQUESTS_PER_MINUTE": "100000",
        "TAP_LUCCA_EMIT_ACTIVATE_VERSION_MESSAGES": "true",
        "TARGET_DUCKDB_FILEPATH": str(database),
        "MELTANO_STATE_BACKEND_URI": f"file://{tmp_path}/state",
    }
    run = ("--environment=dev", "run", "tap-lucca", "target-duckdb")
    first = run_meltano(env, *run)
    assert first.returncode == 0, first.stderr[-3000:]
    contract, department = delete_a_contract_and_a_department(small_emulator.tenant)

    result = run_meltano(env, *run)

    assert result.returncode == 0, result.stderr[-3000:]
    with duckdb.connect(str(database), read_only=True) as connection:
        contracts = {
            row[0] for row in connection.execute("SELECT id FROM lucca.contracts").fetchall()
        }
        departments = {
            row[0] for row in connection.execute("SELECT id FROM lucca.departments").fetchall()
        }
    tenant = small_emulator.tenant
    assert contracts == {c["id"] for c in tenant.contracts} | {contract}
    assert departments == {d["id"] for d in tenant.departments} | {department}
