"""The new Lucca API (v5): chosen by client credentials, read completely in as few
requests as Lucca allows, with one OAuth token per lifetime, and change capture in
both kinds of tenant (lastUpdatedAt filter honoured or ignored)."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import io
import json
import logging
import math
import subprocess
import sys
import time
from collections import Counter
from urllib.parse import quote, quote_plus

import pytest

from lucca_emulator import Faults, LuccaEmulator, Tenant
from lucca_emulator.v5 import TOKEN_PATH
from tap_lucca.tap import TapLucca
from tests.conftest import API_KEY, run_tap
from tests.truth import emitted, paris_to_utc

CLIENT_ID = "tap-lucca-tests"
# Secrets hold characters that a hand-made form body would break.
CLIENT_SECRET = "s3cr&t+with=form%chars/ok"
STREAMS = {
    "employees": "employees",
    "employments": "employments",
    "job_positions": "job-positions",
    "legal_entities": "legal-entities",
    "business_establishments": "business-establishments",
}
# Custom fields: their definitions are read whole, like departments; their values follow
# the lastUpdatedAt filter like STREAMS.
WHOLE = {"departments", "custom_fields"}
FILTERED = {*STREAMS, "custom_field_values"}


@pytest.fixture
def tenant_v5() -> Tenant:
    return Tenant.generate(users=600, seed=21)


@pytest.fixture
def emulator_v5(tenant_v5: Tenant):
    with LuccaEmulator(tenant_v5, client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as emulator:
        yield emulator


def new_api_config(emulator: LuccaEmulator, **settings) -> dict:
    return {
        "api_url": emulator.url,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "oauth_token_url": emulator.url + TOKEN_PATH,
        "max_requests_per_minute": 100_000,
        **settings,
    }


def lucca_fields(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "tenant"}


def assert_matches_emulator(sync, emulator: LuccaEmulator) -> None:
    for stream, resource in STREAMS.items():
        truth = emulator.v5.records(resource)
        expected = [emitted(stream, record) for record in truth]
        assert [lucca_fields(r) for r in sync.records[stream]] == expected, stream
    # Departments: in the legacy shape, as the legacy API gives them, with what only
    # the new API has (a description, the rank among siblings).
    legacy = emulator.tenant.departments
    new = {int(d["id"]): d for d in emulator.v5.records("departments")}
    at_path = {d["hierarchy"]: d["id"] for d in legacy}
    expected = {
        d["id"]: {
            "name": d["name"],
            "code": d["code"],
            "isActive": d["isActive"],
            "headId": d["headId"],
            "parentDepartmentId": at_path.get(d["parentId"]),
            "level": d["hierarchy"].count("/") - 1,
            "ancestorDepartmentIds": [
                at_path[p] for p in sorted(at_path, key=len) if d["hierarchy"].startswith(p)
            ][:-1],
            "description": new[d["id"]]["description"],
            "sortOrderInSiblings": new[d["id"]]["sortOrder"],
        }
        for d in legacy
    }
    got = {r["id"]: {k: r[k] for k in expected[r["id"]]} for r in sync.records["departments"]}
    assert got == expected


def pages(emulator: LuccaEmulator, resource: str) -> int:
    return sum(1 for r in emulator.requests if r.path == f"/lucca-api/{resource}")


def token_requests(emulator: LuccaEmulator) -> int:
    return sum(1 for r in emulator.requests if r.path == TOKEN_PATH)


def change_everything(tenant: Tenant) -> dict:
    """Updates, hires, leavers and a deleted employment, as a day in Lucca would bring."""
    present = sorted(set(u["id"] for u in tenant.users) - tenant.former_user_ids())
    open_contracts = [c for c in tenant.contracts if c["endsOn"] is None]
    leaver = next(c["ownerId"] for c in open_contracts if c["startsOn"] < str(tenant.today))
    deleted = next(
        c
        for c in tenant.contracts
        if c["ownerId"] not in (leaver, *present[:3]) and not c["isApplicable"]
    )
    tenant.update_users(present[:3])
    hired = [u["id"] for u in tenant.hire(2)]
    tenant.leave([leaver])
    tenant.delete_contract(deleted["id"])
    return {"updated": present[:3], "hired": hired, "leaver": leaver, "deleted": deleted["id"]}


# ----- choosing the generation -----------------------------------------------------------
def test_client_credentials_select_the_new_api_streams(emulator_v5):
    tap = TapLucca(config=new_api_config(emulator_v5))

    assert sorted(tap.streams) == sorted([*FILTERED, *WHOLE])


@pytest.mark.parametrize("credentials", [{}, {"api_key": API_KEY}], ids=["neither", "both"])
def test_both_or_neither_kind_of_credentials_is_a_one_line_config_error(credentials, caplog):
    config = {"api_url": "https://acme.ilucca.net", **credentials}
    if credentials:
        config |= {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}

    with pytest.raises(SystemExit) as stop:
        TapLucca(config=config)

    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert stop.value.code == 1
    assert len(errors) == 1
    assert "api_key" in errors[0]
    assert "client_id" in errors[0]


def test_a_credentials_mix_up_on_the_command_line_ends_with_one_error_line(tmp_path):
    config = {"api_url": "https://acme.ilucca.net", "api_key": API_KEY, "client_id": CLIENT_ID}
    (tmp_path / "config.json").write_text(json.dumps({**config, "client_secret": CLIENT_SECRET}))
    process = subprocess.run(
        [sys.executable, "-m", "tap_lucca", "--config", str(tmp_path / "config.json")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    errors = [line for line in process.stderr.splitlines() if "not both" in line]
    assert process.returncode == 1
    assert len(errors) == 1
    assert "Traceback" not in process.stderr
    assert CLIENT_SECRET not in process.stderr
    assert API_KEY not in process.stderr


# ----- completeness and requests -------------------------------------------------------
@pytest.fixture(scope="module")
def synced():
    """One sync of a tenant, with the tap's run report: read by the tests below."""
    with LuccaEmulator(
        Tenant.generate(users=600, seed=21), client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    ) as emulator:
        tap = TapLucca(config=new_api_config(emulator), validate_config=True)
        warnings = Warnings()
        logging.getLogger().addHandler(warnings)
        try:
            with contextlib.redirect_stdout(io.TextIOWrapper(io.BytesIO())):
                tap.sync_all()
        finally:
            logging.getLogger().removeHandler(warnings)
        sync = run_tap(new_api_config(emulator))
        yield emulator, sync, tap.run_report, warnings.messages


class Warnings(logging.Handler):
    """The warnings and errors logged while it is attached."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_a_healthy_run_logs_no_warning(synced):
    *_, warnings = synced

    assert warnings == []


def test_every_record_and_field_matches_the_emulator(synced):
    emulator, sync, *_ = synced

    assert_matches_emulator(sync, emulator)
    statuses = {r.status for r in emulator.requests}
    assert statuses == {200}


def test_every_employment_lands_with_the_start_and_end_of_its_contract(synced):
    emulator, sync, *_ = synced

    contracts = {str(c["id"]): (c["startsOn"], c["endsOn"]) for c in emulator.tenant.contracts}
    landed = {
        r["id"]: (r["start"]["date"], r["end"] and r["end"]["date"])
        for r in sync.records["employments"]
    }
    assert landed == contracts
    assert any(end is None for _, end in landed.values())
    assert any(end is not None for _, end in landed.values())


def test_every_job_position_lands_with_its_establishment_and_department(synced):
    emulator, sync, *_ = synced

    establishment = {str(c["id"]): str(c["establishmentId"]) for c in emulator.tenant.contracts}
    departments = {str(d["id"]) for d in emulator.tenant.departments}
    positions = sync.records["job_positions"]
    assert positions
    for position in positions:
        employment = position["employment"]["id"]
        assert position["businessEstablishment"]["id"] == establishment[employment]
        assert position["department"]["id"] in departments


def test_each_resource_is_read_in_the_fewest_pages_of_one_hundred(synced):
    emulator, *_ = synced

    for resource in [*STREAMS.values(), "departments"]:
        fewest = math.ceil(len(emulator.v5.records(resource)) / 100)
        # Two syncs ran: the fixture's and run_tap's.
        assert pages(emulator, resource) == 2 * fewest, resource


def test_one_token_serves_a_run_of_many_pages(synced):
    emulator, *_ = synced

    assert sum(pages(emulator, r) for r in [*STREAMS.values(), "departments"]) > 2 * 30
    assert token_requests(emulator) == 2  # one per sync


def test_progress_counts_against_luccas_total_count(synced):
    emulator, _, report, _ = synced

    for stream, resource in [*STREAMS.items(), ("departments", "departments")]:
        total = len(emulator.v5.records(resource))
        stream_report = report.streams[stream]
        assert stream_report.total == stream_report.records == total, stream
        assert f"{stream}: {total:,} / {total:,} records" in stream_report.progress_line(1e9)
    asked = {
        r.params["include"][0]
        for r in emulator.requests
        if r.path.removeprefix("/lucca-api/") in {*STREAMS.values(), "departments"}
    }
    assert asked == {"totalCount,links"}


def test_a_refused_token_is_replaced_once_and_the_request_retried(emulator_v5):
    tap = TapLucca(config=new_api_config(emulator_v5))
    with contextlib.redirect_stdout(io.TextIOWrapper(io.BytesIO())):
        tap.streams["legal_entities"].sync()
        emulator_v5.v5.revoke_tokens()
        tap.streams["business_establishments"].sync()

    assert token_requests(emulator_v5) == 2
    assert [r.status for r in emulator_v5.requests if r.path.startswith("/lucca-api/")] == [
        200,
        401,
        200,
    ]


def test_a_secret_with_form_characters_is_sent_intact(emulator_v5):
    sync = run_tap(new_api_config(emulator_v5), streams=["legal_entities"])

    assert len(sync.records["legal_entities"]) == len(emulator_v5.v5.records("legal-entities"))


def test_a_wrong_secret_stops_within_seconds_with_a_credentials_message_and_no_secret(
    emulator_v5, tmp_path
):
    wrong = "wr0ng&secret+=%value"
    config = {**new_api_config(emulator_v5), "client_secret": wrong}
    (tmp_path / "config.json").write_text(json.dumps(config))
    started = time.monotonic()
    process = subprocess.run(
        [sys.executable, "-m", "tap_lucca", "--config", str(tmp_path / "config.json")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    elapsed = time.monotonic() - started

    output = process.stdout + process.stderr
    assert process.returncode == 1
    assert elapsed < 20
    assert "client_secret" in process.stderr.splitlines()[-1]
    assert "Traceback" not in output
    encodings = [wrong, quote(wrong), quote_plus(wrong), base64.b64encode(wrong.encode()).decode()]
    for encoded in encodings:
        assert encoded not in output
    assert not [r for r in emulator_v5.requests if r.path.startswith("/lucca-api/")]


# ----- change capture ------------------------------------------------------------------
def test_by_default_a_second_run_reads_everything_again_under_a_new_version(emulator_v5, tenant_v5):
    first = run_tap(new_api_config(emulator_v5))
    changes = change_everything(tenant_v5)
    time.sleep(1.1)  # versions are seconds
    second = run_tap(new_api_config(emulator_v5))

    assert_matches_emulator(second, emulator_v5)
    assert str(changes["deleted"]) not in {r["id"] for r in second.records["employments"]}
    versions = [
        {m["stream"]: m["version"] for m in sync.messages if m["type"] == "ACTIVATE_VERSION"}
        for sync in (first, second)
    ]
    assert versions[0].keys() == versions[1].keys() == {*FILTERED, *WHOLE}
    assert all(versions[1][s] > versions[0][s] for s in versions[0])


def test_with_an_honoured_filter_a_second_run_brings_only_the_changes(emulator_v5, tenant_v5):
    emulator_v5.v5.honours_updated_filter = True
    config = new_api_config(emulator_v5, last_updated_filter=True)
    first = run_tap(config)
    changes = change_everything(tenant_v5)
    emulator_v5.clear_requests()
    second = run_tap(config, state=first.state)

    for stream, resource in STREAMS.items():
        bookmark = first.state["bookmarks"][stream]["replication_key_value"]
        records = emulator_v5.v5.records(resource)
        changed = [r for r in records if paris_to_utc(r["lastUpdatedAt"]) >= bookmark]
        got = sorted(second.records.get(stream, []), key=lambda r: int(r["id"]))
        assert [lucca_fields(r) for r in got] == [emitted(stream, r) for r in changed], stream
    employments = {r["id"] for r in second.records["employments"]}
    assert str(changes["deleted"]) not in employments
    assert len(employments) < len(first.records["employments"]) / 10
    employees = {r["id"] for r in second.records["employees"]}
    assert {str(i) for i in [*changes["hired"], changes["leaver"]]} <= employees
    filtered = [r for r in emulator_v5.requests if "lastUpdatedAt" in r.params]
    assert filtered
    activated = {m["stream"] for m in second.messages if m["type"] == "ACTIVATE_VERSION"}
    assert activated == WHOLE


def test_with_an_ignored_filter_a_second_run_falls_back_to_a_full_read_with_one_warning(
    emulator_v5, tenant_v5, caplog
):
    config = new_api_config(emulator_v5, last_updated_filter=True)
    first = run_tap(config)
    change_everything(tenant_v5)
    with caplog.at_level(logging.WARNING):
        second = run_tap(config, state=first.state)

    assert_matches_emulator(second, emulator_v5)
    warnings = Counter(
        r.getMessage().split("'")[1]
        for r in caplog.records
        if "ignored the lastUpdatedAt" in r.message
    )
    assert warnings == dict.fromkeys(FILTERED, 1)
    activated = {m["stream"] for m in second.messages if m["type"] == "ACTIVATE_VERSION"}
    assert activated == {*FILTERED, *WHOLE}


def test_a_full_reread_comes_back_after_full_reread_days_and_drops_the_deleted(
    emulator_v5, tenant_v5
):
    emulator_v5.v5.honours_updated_filter = True
    config = new_api_config(emulator_v5, last_updated_filter=True, full_reread_days=3)
    first = run_tap(config)
    deleted = change_everything(tenant_v5)["deleted"]
    state = json.loads(json.dumps(first.state))
    stale = (dt.datetime.now(dt.UTC) - dt.timedelta(days=4)).isoformat()
    state["bookmarks"]["employments"]["lastFullReadAt"] = stale
    emulator_v5.clear_requests()
    second = run_tap(config, state=state)

    employments = [lucca_fields(r) for r in second.records["employments"]]
    assert employments == [emitted("employments", r) for r in emulator_v5.v5.records("employments")]
    assert str(deleted) not in {r["id"] for r in employments}
    # The loader drops what the new version lacks: the deleted employment.
    activated = {m["stream"] for m in second.messages if m["type"] == "ACTIVATE_VERSION"}
    assert activated == {"employments", *WHOLE}
    assert len(second.records.get("employees", [])) < len(first.records["employees"])
    unfiltered = {r.path for r in emulator_v5.requests if "lastUpdatedAt" not in r.params}
    assert "/lucca-api/employments" in unfiltered
    assert second.state["bookmarks"]["employments"]["lastFullReadAt"] > stale


# ----- resilience ----------------------------------------------------------------------
def test_output_is_exact_under_faults_and_a_tight_rate_limit(tenant_v5):
    faults = Faults(seed=6, server_errors=0.05, drops=0.05, truncations=0.05)
    with LuccaEmulator(
        tenant_v5,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        faults=faults,
        rpm=10,
        window_seconds=3,
    ) as emulator:
        sync = run_tap(new_api_config(emulator))

        faulted = {r.fault for r in emulator.requests if r.fault}
        statuses = {r.status for r in emulator.requests}
        early = emulator.early_requests
        assert_matches_emulator(sync, emulator)
    assert {"server_error", "drop", "truncated"} <= faulted
    assert 429 in statuses
    assert early == 0
