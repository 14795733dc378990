"""Scenarios from Lucca's documented failure modes: the output stays exact, or the
run stops at once with a message a person can act on."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
import typing as t
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from lucca_emulator import Churn, Faults, LuccaEmulator, Tenant
from tests.conftest import API_KEY, Sync, fast_config, run_tap
from tests.truth import SENSITIVE, emitted, padded, without_tenant


def run_cli(config: dict, tmp_path, state: dict | None = None) -> subprocess.Popen:
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config))
    command = [sys.executable, "-m", "tap_lucca", "--config", str(config_file)]
    if state is not None:
        state_file = tmp_path / "state.json"
        state_file.write_text(json.dumps(state))
        command += ["--state", str(state_file)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def assert_same_records(sync, tenant: Tenant) -> None:
    assert sorted(sync.ids("users")) == sorted(u["id"] for u in tenant.users)
    assert sorted(sync.ids("contracts")) == sorted(c["id"] for c in tenant.contracts)
    assert sorted(sync.ids("departments")) == sorted(d["id"] for d in tenant.departments)
    contracts = {c["id"]: c for c in tenant.contracts}
    for record in sync.records["contracts"]:
        expected = emitted("contracts", contracts[record["id"]])
        assert without_tenant(record) == padded(expected, record)
    users = {u["id"]: u for u in tenant.users}
    for record in sync.records["users"]:
        expected = emitted("users", users[record["id"]], left_out=SENSITIVE)
        assert without_tenant(record) == padded(expected, record)


def test_output_is_exact_under_fifteen_percent_mixed_faults(small_tenant):
    faults = Faults(seed=6, server_errors=0.05, drops=0.05, truncations=0.05)
    with LuccaEmulator(small_tenant, api_key=API_KEY, faults=faults) as emulator:
        sync = run_tap(fast_config(emulator, page_size=100))

        faulted = [r.fault for r in emulator.requests if r.fault]
    assert {"server_error", "drop", "truncated"} <= set(faulted)
    assert_same_records(sync, small_tenant)


def test_tap_matched_to_a_tight_rate_limit_meets_no_429(small_tenant):
    # Lucca's budget scaled down tenfold in time: 10 requests per 6 s is 100 a minute.
    with LuccaEmulator(small_tenant, api_key=API_KEY, rpm=10, window_seconds=6) as emulator:
        sync = run_tap(fast_config(emulator, page_size=100, max_requests_per_minute=100))

        statuses = [r.status for r in emulator.requests]
    assert len(statuses) > 10
    assert 429 not in statuses
    assert_same_records(sync, small_tenant)


def sync_or_exit(config: dict) -> Sync | SystemExit:
    """A run's output, or the exit that ended it: so that a test can first check
    what the run sent before it ended."""
    try:
        return run_tap(config)
    except SystemExit as ended:
        return ended


def test_tap_faster_than_the_tenant_sends_nothing_before_retry_after(small_tenant):
    with LuccaEmulator(small_tenant, api_key=API_KEY, rpm=10, window_seconds=6) as emulator:
        sync = sync_or_exit(fast_config(emulator, page_size=100))

        statuses = [r.status for r in emulator.requests]
        early = emulator.early_requests
    assert 429 in statuses
    assert early == 0
    assert isinstance(sync, Sync)
    assert_same_records(sync, small_tenant)


def test_an_unreadable_retry_after_is_waited_out_and_the_run_goes_on(small_tenant):
    with LuccaEmulator(small_tenant, api_key=API_KEY) as emulator:
        emulator.fail_next(429, count=2, retry_after="after a while")
        sync = run_tap(fast_config(emulator), streams=["contracts"])

        statuses = [r.status for r in emulator.requests]
    assert statuses[:3] == [429, 429, 200]
    assert sorted(sync.ids("contracts")) == sorted(c["id"] for c in small_tenant.contracts)


def test_pages_too_heavy_for_five_seconds_are_asked_again_lighter(small_tenant):
    with LuccaEmulator(small_tenant, api_key=API_KEY, heavy_page_limit=250) as emulator:
        sync = run_tap(fast_config(emulator))

        timeouts = [r for r in emulator.requests if r.status == 408]
    assert timeouts
    assert_same_records(sync, small_tenant)


def test_no_user_is_missed_when_people_are_hired_updated_or_leave_between_pages(small_tenant):
    before = {user["id"] for user in small_tenant.users}
    churn = Churn(seed=8, hires=4, updates=4, leavers=4)
    with LuccaEmulator(small_tenant, api_key=API_KEY, churn=churn) as emulator:
        sync = run_tap(fast_config(emulator, page_size=100), streams=["users"])

        # The churn after the last page comes after the sync has read everything.
        hired_while_reading = {i for step in emulator.churn_log[:-1] for i in step["hired"]}
    ids = sync.ids("users")
    assert hired_while_reading
    assert before | hired_while_reading <= set(ids)
    assert len(ids) == len(set(ids))


def test_run_killed_halfway_and_rerun_from_its_last_state_ends_with_every_change(
    small_tenant, tmp_path
):
    with LuccaEmulator(small_tenant, api_key=API_KEY) as emulator:
        config = fast_config(emulator, page_size=50, max_requests_per_minute=1200)
        first = run_tap(config, streams=["users"])
        changed = {user["id"] for user in small_tenant.users[::7]}
        small_tenant.update_users(sorted(changed))

        process = run_cli(config, tmp_path, state=first.state)
        emitted, last_state = set(), first.state
        for line in process.stdout:
            message = json.loads(line)
            if message["type"] == "RECORD" and message["stream"] == "users":
                emitted.add(message["record"]["id"])
            elif message["type"] == "STATE":
                last_state = message["value"]
            if len(emitted) >= 30:
                process.kill()
                break
        process.wait()

        rerun = run_tap(config, state=last_state)
    assert changed - emitted
    assert changed <= emitted | set(rerun.ids("users"))


def test_wrong_key_stops_at_once_with_an_authentication_message_and_no_key(small_tenant, tmp_path):
    wrong_key = "wrong-key-3d4f1e9a77"
    with LuccaEmulator(small_tenant, api_key=API_KEY) as emulator:
        started = time.monotonic()
        process = run_cli({**fast_config(emulator), "api_key": wrong_key}, tmp_path)
        stdout, stderr = process.communicate(timeout=60)
        elapsed = time.monotonic() - started

        requests_sent = len(emulator.requests)
    assert process.returncode != 0
    assert elapsed < 20
    assert requests_sent <= 3
    assert "API key (401)" in stderr
    assert "api_key" in stderr.splitlines()[-1]
    assert wrong_key not in stdout + stderr


@pytest.mark.parametrize(
    ("failure", "says"),
    [
        ("400", "Lucca answered 400"),
        ("403", "answered 403 (the API key's role may not read it)"),
        ("404", "answered 404"),
        ("429 on every retry", "Lucca answered 429"),
    ],
)
def test_a_fatal_error_ends_the_run_in_one_line_without_the_key(
    small_tenant, tmp_path, failure, says
):
    with LuccaEmulator(small_tenant, api_key=API_KEY) as emulator:
        config = fast_config(emulator)
        if failure == "404":
            config["api_url"] += "/no-such-tenant"
        elif failure == "429 on every retry":
            emulator.fail_next(429, count=50, retry_after=0)
        else:
            emulator.fail_next(int(failure), count=50)
        process = run_cli(config, tmp_path)
        stdout, stderr = process.communicate(timeout=120)

    assert process.returncode == 1
    errors = [line for line in stderr.splitlines() if "| ERROR" in line]
    assert any(says in line for line in errors)
    assert "stream(s) failed" in errors[-1]
    assert "Traceback" not in stderr
    assert API_KEY not in stdout + stderr


def test_forbidden_core_stream_fails_the_run_naming_the_stream(small_tenant, tmp_path):
    with LuccaEmulator(small_tenant, api_key=API_KEY) as emulator:
        emulator.forbidden_paths.add("/directory/api/4.0/work-contracts")
        process = run_cli(fast_config(emulator), tmp_path)
        _, stderr = process.communicate(timeout=60)

    assert process.returncode != 0
    assert "Stream 'contracts' failed: /directory/api/4.0/work-contracts answered 403" in stderr
    assert "contracts" in stderr.splitlines()[-1]


class HtmlPage(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<html><body>Welcome to our website</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_url_that_is_not_a_lucca_tenant_stops_at_once(tmp_path):
    server = HTTPServer(("127.0.0.1", 0), HtmlPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        process = run_cli({"api_url": url, "api_key": API_KEY}, tmp_path)
        _, stderr = process.communicate(timeout=30)
    finally:
        server.shutdown()

    assert process.returncode != 0
    assert "did not answer like a Lucca tenant" in stderr
    assert "api_url" in stderr.splitlines()[-1]


def test_keys_lucca_adds_are_logged_once_per_stream(small_tenant, caplog):
    for contract in small_tenant.contracts:
        contract["newLuccaField"] = 1
    with LuccaEmulator(small_tenant, api_key=API_KEY) as emulator:
        caplog.set_level(logging.WARNING)
        run_tap(fast_config(emulator, page_size=100), streams=["contracts"])

    warnings = [r for r in caplog.records if "newLuccaField" in r.getMessage()]
    assert len(warnings) == 1


def test_a_value_of_an_unexpected_type_is_reported_and_the_run_goes_on(small_tenant, caplog):
    odd = small_tenant.contracts[3]
    odd["trialPeriodDays"] = "two months"
    with LuccaEmulator(small_tenant, api_key=API_KEY) as emulator:
        sync = run_tap(fast_config(emulator), streams=["contracts"])

    assert len(sync.records["contracts"]) == len(small_tenant.contracts)
    assert f"Stream 'contracts', record id {odd['id']}: field 'trialPeriodDays'" in caplog.text


def test_default_output_holds_no_sensitive_value(tenant, emulator, config):
    sync = run_tap(config, streams=["users"])

    emitted = set(strings_in(sync.records["users"]))
    sensitive = {
        user[field]
        for user in tenant.users
        for field in ("iban", "personalEmail", "insuranceNumber", "address")
        if user[field]
    }
    assert sensitive
    assert not sensitive & emitted


def strings_in(value: object) -> t.Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)
