"""Lucca Absences: every leave of the window, then only what changed, the way Lucca's
"syncing leaves" guide says; cancellations as deletes; a tenant that does not honour
the change filter, or has no Absences module, never costs a run."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import math
import re
import typing as t
from zoneinfo import ZoneInfo

import pytest

from lucca_emulator import Faults, LuccaEmulator, Tenant
from lucca_emulator.v3_leaves import IGNORED, LEAVE_ACCOUNTS_PATH, LEAVES_PATH, REJECTED
from tap_lucca import absences
from tap_lucca.absences import hours_in, id_groups
from tests.conftest import API_KEY, Sync, fast_config, run_tap
from tests.reference import OPENAPI
from tests.tap_process import run_tap_process
from tests.truth import emitted_leave, without_tenant

if t.TYPE_CHECKING:
    from lucca_emulator.records import RequestRecord

DEPARTMENTS_PATH = "/organization/structure/api/departments"
PARIS = ZoneInfo("Europe/Paris")


def activations(sync: Sync, stream: str = "leaves") -> list[dict]:
    return [m for m in sync.messages if m["type"] == "ACTIVATE_VERSION" and m["stream"] == stream]


def bookmark(state: dict) -> str:
    return state["bookmarks"]["leaves"]["replication_key_value"]


def leave_requests(requests: list[RequestRecord]) -> list[RequestRecord]:
    return [r for r in requests if r.path == LEAVES_PATH]


@dataclasses.dataclass
class TwoRuns:
    """A first sync, then people's requests, approvals and cancellations, then a second."""

    tenant: Tenant
    first: Sync
    first_requests: list[RequestRecord]
    before: dict[str, dict]  # the record each leave deserved at the first run
    changed: set[str]
    second: Sync
    second_requests: list[RequestRecord]


@pytest.fixture(scope="module")
def two_runs() -> t.Iterator[TwoRuns]:
    tenant = Tenant.generate(users=600, seed=23)  # over 10,000 leaves: two pages
    with LuccaEmulator(tenant, api_key=API_KEY) as emulator:
        config = fast_config(emulator)
        before = {leave["id"]: emitted_leave(leave) for leave in tenant.leaves}
        first = run_tap(config, streams=["leaves", "leave_accounts"])
        first_requests = emulator.requests
        emulator.clear_requests()
        changed = tenant.absences.simulate_activity(
            seed=4, requests=5, approvals=4, cancellations=4
        )
        second = run_tap(config, state=first.state, streams=["leaves"])
        yield TwoRuns(tenant, first, first_requests, before, changed, second, emulator.requests)


def test_first_sync_emits_every_leave_as_lucca_holds_it(two_runs):
    records = {r["id"]: without_tenant(r) for r in two_runs.first.records["leaves"]}

    assert len(records) == len(two_runs.first.records["leaves"])
    assert records == two_runs.before


def test_first_sync_emits_every_leave_account(two_runs):
    assert [without_tenant(r) for r in two_runs.first.records["leave_accounts"]] == (
        two_runs.tenant.leave_accounts
    )


def test_the_emulated_leaves_hold_every_case_the_tap_must_carry(two_runs):
    leaves = two_runs.before.values()
    today = two_runs.tenant.today.isoformat()
    assert any(leave["date"] > today for leave in leaves)  # planned
    assert any(not leave["isAm"] for leave in leaves)  # afternoons
    assert any(leave["hours"] for leave in leaves)  # an account counted in hours
    assert any(not leave["isConfirmed"] for leave in leaves)  # pending
    assert any(leave["_sdc_deleted_at"] for leave in leaves)  # cancelled


def test_every_request_names_the_window_and_every_department(two_runs):
    departments = sorted(d["id"] for d in two_runs.tenant.departments)
    window_start = two_runs.first.state["bookmarks"]["leaves"]["windowStart"]

    sent = leave_requests(two_runs.first_requests) + leave_requests(two_runs.second_requests)
    for request in sent:
        assert request.params["date"] == [f"since,{window_start}"]
        [owners] = request.params["leavePeriod.owner.departmentId"]
        assert sorted(int(i) for i in owners.split(",")) == departments


def test_first_sync_sends_one_request_per_10000_leaves(two_runs):
    sent = leave_requests(two_runs.first_requests)

    assert len(sent) == math.ceil(len(two_runs.before) / 10_000) == 2
    assert [r.params["paging"] for r in sent] == [["0,10000"], ["10000,10000"]]
    assert [r.path for r in two_runs.first_requests].count(DEPARTMENTS_PATH) == 1


def test_first_sync_ends_with_one_version_that_every_leave_carries(two_runs):
    [activation] = activations(two_runs.first)
    own = [m for m in two_runs.first.messages if m.get("stream") == "leaves"]
    versions = {m["version"] for m in own if m["type"] == "RECORD"}

    assert [m for m in own if m["type"] != "STATE"][-1] == activation
    assert versions == {activation["version"]}


def test_bookmark_is_the_latest_change_in_utc(two_runs):
    latest = max(leave["changedAt"] for leave in two_runs.before.values())

    assert bookmark(two_runs.first.state) == latest


def test_second_sync_asks_lucca_for_what_changed_since_the_bookmark_in_one_request(two_runs):
    last = dt.datetime.fromisoformat(bookmark(two_runs.first.state))

    [request] = leave_requests(two_runs.second_requests)
    [since] = request.params["modifiedOn"]
    assert since.startswith("since,")
    assert since.endswith("Z")
    sent = dt.datetime.fromisoformat(since.removeprefix("since,"))
    assert dt.timedelta(0) <= last - sent < dt.timedelta(milliseconds=1)
    assert [r.path for r in two_runs.second_requests] == [DEPARTMENTS_PATH, LEAVES_PATH]


def test_second_sync_emits_exactly_the_leaves_created_approved_or_cancelled(two_runs):
    got = {r["id"] for r in two_runs.second.records["leaves"]}
    last = bookmark(two_runs.first.state)
    # Lucca's `since` includes the bookmark: the leaves changed at that very time come again.
    at_bookmark = {i for i, leave in two_runs.before.items() if leave["changedAt"] == last}

    assert two_runs.changed <= got
    assert got - two_runs.changed <= at_bookmark


def test_second_sync_emits_their_new_state(two_runs):
    leaves = {leave["id"]: leave for leave in two_runs.tenant.leaves}

    for record in two_runs.second.records["leaves"]:
        assert without_tenant(record) == emitted_leave(leaves[record["id"]])


def test_a_cancelled_leave_is_emitted_with_its_cancellation_as_sdc_deleted_at(two_runs):
    cancelled = [
        r
        for r in two_runs.second.records["leaves"]
        if r["id"] in two_runs.changed
        and two_runs.before.get(r["id"], {}).get("isActive")
        and not r["isActive"]
    ]

    assert cancelled
    for record in cancelled:
        assert record["_sdc_deleted_at"] == record["cancellationDate"] is not None


def test_an_incremental_sync_retires_nothing(two_runs):
    assert activations(two_runs.second) == []


@pytest.fixture(scope="module")
def steady() -> t.Iterator[tuple[Tenant, LuccaEmulator, Sync]]:
    """A tenant that does not change, and its first sync."""
    tenant = Tenant.generate(users=300, seed=29)
    with LuccaEmulator(tenant, api_key=API_KEY) as emulator:
        yield tenant, emulator, run_tap(fast_config(emulator), streams=["leaves"])


@pytest.mark.parametrize(("behaviour", "statuses"), [(IGNORED, [200, 200]), (REJECTED, [400, 200])])
def test_a_tenant_that_does_not_honour_the_change_filter_is_read_in_full_with_one_warning(
    steady, caplog, behaviour, statuses
):
    tenant, emulator, first = steady
    emulator.absences.change_filter = behaviour
    emulator.clear_requests()
    try:
        second = run_tap(fast_config(emulator), state=first.state, streams=["leaves"])
    finally:
        emulator.absences.change_filter = "honoured"

    sent = leave_requests(emulator.requests)
    assert [r.status for r in sent] == statuses
    assert "modifiedOn" in sent[0].params
    assert "modifiedOn" not in sent[1].params
    assert sorted(second.ids("leaves")) == sorted(leave["id"] for leave in tenant.leaves)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "'leaves'" in warnings[0]
    assert "modifiedOn" in warnings[0]
    # A full read: what it did not meet is gone from Lucca.
    assert len(activations(second)) == 1


def test_the_window_bounds_the_first_sync_and_later_ones_keep_its_first_day(steady):
    tenant, emulator, _ = steady
    emulator.clear_requests()
    days = {dt.datetime.now(PARIS).date() - dt.timedelta(days=365)}
    first = run_tap(fast_config(emulator, leaves_window_days=365), streams=["leaves"])
    days.add(dt.datetime.now(PARIS).date() - dt.timedelta(days=365))
    second = run_tap(
        fast_config(emulator, leaves_window_days=30), state=first.state, streams=["leaves"]
    )

    start = dt.date.fromisoformat(first.state["bookmarks"]["leaves"]["windowStart"])
    assert start in days
    in_window = {leave["id"] for leave in tenant.leaves if leave["date"][:10] >= start.isoformat()}
    assert set(first.ids("leaves")) == in_window
    assert len(in_window) < len(tenant.leaves)
    assert {r.params["date"][0] for r in leave_requests(emulator.requests)} == {f"since,{start}"}
    assert second.state["bookmarks"]["leaves"]["windowStart"] == start.isoformat()


def test_many_departments_are_named_over_several_requests_and_every_leave_comes_once(
    steady, monkeypatch
):
    tenant, emulator, _ = steady
    monkeypatch.setattr(absences, "OWNER_IDS_BUDGET", 40)
    emulator.clear_requests()

    sync = run_tap(fast_config(emulator), streams=["leaves"])

    sent = leave_requests(emulator.requests)
    named = [r.params["leavePeriod.owner.departmentId"][0] for r in sent]
    assert len(named) > 1
    assert all(len(group) <= 40 for group in named)
    ids = sync.ids("leaves")
    assert len(ids) == len(set(ids))
    assert set(ids) == {leave["id"] for leave in tenant.leaves}


def test_leaves_are_exact_under_faults_and_pages_too_heavy_for_five_seconds():
    tenant = Tenant.generate(users=300, seed=31)
    faults = Faults(seed=2, server_errors=0.1, drops=0.1, truncations=0.1)
    with LuccaEmulator(tenant, api_key=API_KEY, faults=faults, heavy_page_limit=2000) as emu:
        sync = run_tap(fast_config(emu), streams=["leaves"])
        timeouts = [r for r in emu.requests if r.status == 408]

    assert timeouts
    records = {r["id"]: without_tenant(r) for r in sync.records["leaves"]}
    assert len(records) == len(sync.records["leaves"])
    assert records == {leave["id"]: emitted_leave(leave) for leave in tenant.leaves}


def test_a_tenant_without_lucca_absences_gives_a_warning_per_stream_and_no_failure(tmp_path):
    tenant = Tenant.generate(users=200, seed=37)
    with LuccaEmulator(tenant, api_key=API_KEY) as emulator:
        emulator.absences.subscribed = False
        run = run_tap_process(fast_config(emulator), tmp_path)

    assert run.returncode == 0, run.stderr[-2000:]
    assert not run.records("leaves")
    assert not run.records("leave_accounts")
    assert len(run.records("users")) == len(tenant.users)
    for path in (LEAVES_PATH, LEAVE_ACCOUNTS_PATH):
        [skipped] = [line for line in run.log_lines("Skipping stream") if f"{path} " in line]
        assert "WARNING" in skipped
        assert "404" in skipped


def test_a_key_that_may_not_read_leaves_gives_one_warning_and_no_records(caplog):
    tenant = Tenant.generate(users=200, seed=37)
    with LuccaEmulator(tenant, api_key=API_KEY) as emulator:
        emulator.forbidden_paths.add(LEAVES_PATH)
        sync = run_tap(fast_config(emulator), streams=["leaves", "departments"])

    assert "leaves" not in sync.records
    assert len(sync.records["departments"]) == len(tenant.departments)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "Skipping stream 'leaves'" in warnings[0]
    assert "403" in warnings[0]
    assert "role" in warnings[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("03:30:00", 3.5),
        ("1.02:00:00", 26.0),
        ("00:45", 0.75),
        ("PT3H30M", 3.5),
        ("PT45M", 0.75),
        ("2.5", 2.5),
        (4, 4.0),
        (None, None),
        ("", None),
        ("PT", None),
        ("soon", None),
    ],
)
def test_a_leave_value_is_read_as_hours_in_each_form_lucca_may_write(value, expected):
    assert hours_in(value) == expected


def test_department_ids_are_split_into_lists_within_the_budget_in_order():
    ids = list(range(1, 400))

    groups = id_groups(ids, budget=50)

    assert all(len(group) <= 50 for group in groups)
    assert [int(i) for group in groups for i in group.split(",")] == ids
    assert id_groups([], budget=50) == []


def test_the_new_api_reference_has_leave_schemas_but_no_leave_paths():
    """The seam: when Lucca publishes these paths, this fails, and the new API's leaves
    streams can be written from the reference (see tap_lucca/absences.py)."""
    text = OPENAPI.read_text()
    reference = json.loads(re.sub(r",(\s*[}\]])", r"\1", text))

    assert {"leave", "leave-account", "leave-request"} <= reference["components"]["schemas"].keys()
    assert [path for path in reference["paths"] if "leave" in path] == []
