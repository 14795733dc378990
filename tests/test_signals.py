"""SIGTERM (an orchestrator's timeout) and SIGINT (Ctrl-C) stop a real tap process at
once, with whole lines on stdout, a STATE that claims nothing unread, and a failing exit."""

from __future__ import annotations

import json
import signal
import time

import pytest

from tests.conftest import API_KEY, run_tap
from tests.emulator import LuccaEmulator, Tenant
from tests.tap_process import start_tap, users_only_catalog


@pytest.fixture
def tenant() -> Tenant:
    return Tenant.generate(users=600, seed=33)


def read_until(process, enough) -> list[dict]:
    """Messages from the tap's stdout, until `enough(messages)` holds."""
    messages: list[dict] = []
    for line in process.stdout:
        messages.append(json.loads(line))
        if enough(messages):
            break
    return messages


def user_ids(messages: list[dict]) -> set[int]:
    return {m["record"]["id"] for m in messages if m["type"] == "RECORD" and m["stream"] == "users"}


def stop(process, signum: int) -> tuple[float, list[dict], str]:
    """Send `signum`; the seconds until the tap exits, its remaining messages, its stderr."""
    sent = time.monotonic()
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=60)
    elapsed = time.monotonic() - sent
    assert stdout == "" or stdout.endswith("\n")  # no half-written line
    return elapsed, [json.loads(line) for line in stdout.splitlines()], stderr


def test_sigterm_while_the_rate_limiter_waits_stops_within_5_s_with_code_143(tenant, tmp_path):
    with LuccaEmulator(tenant, api_key=API_KEY) as emulator:
        config = {"api_url": emulator.url, "api_key": API_KEY, "page_size": 20}
        first = run_tap({**config, "max_requests_per_minute": 100_000}, streams=["users"])
        changed = {user["id"] for user in tenant.users[::5]}
        tenant.update_users(sorted(changed))

        # 20 requests a minute: the tap spends most of its time asleep in the limiter.
        process = start_tap(
            {**config, "max_requests_per_minute": 20},
            tmp_path,
            "--catalog",
            users_only_catalog(config, tmp_path),
            state=first.state,
        )
        before = read_until(process, lambda messages: len(user_ids(messages)) >= 40)
        elapsed, after, stderr = stop(process, signal.SIGTERM)

        messages = before + after
        last_state = [m["value"] for m in messages if m["type"] == "STATE"][-1]
        rerun = run_tap({**config, "max_requests_per_minute": 100_000}, state=last_state)

    assert process.returncode == 143
    assert elapsed < 5
    assert "Stopped by SIGTERM" in stderr
    assert "Traceback" not in stderr
    emitted = user_ids(messages)
    assert changed - emitted  # it was stopped halfway
    # The last STATE claims nothing it did not write: the bookmark has not moved,
    # and a run from it ends with every change.
    bookmark = last_state["bookmarks"]["users"]["replication_key_value"]
    assert bookmark == first.state["bookmarks"]["users"]["replication_key_value"]
    assert changed <= emitted | set(rerun.ids("users"))


def test_sigint_during_a_retry_after_hold_stops_within_5_s_with_code_130(tenant, tmp_path):
    with LuccaEmulator(tenant, api_key=API_KEY) as emulator:
        config = {"api_url": emulator.url, "api_key": API_KEY, "page_size": 50}
        process = start_tap(
            {**config, "max_requests_per_minute": 60},
            tmp_path,
            "--catalog",
            users_only_catalog(config, tmp_path),
        )
        read_until(process, lambda messages: len(user_ids(messages)) >= 50)
        emulator.fail_next(429, retry_after=300)
        deadline = time.monotonic() + 30
        while 429 not in {r.status for r in emulator.requests} and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # now holding for Retry-After
        elapsed, _, stderr = stop(process, signal.SIGINT)

    assert process.returncode == 130
    assert elapsed < 5
    assert "Stopped by SIGINT" in stderr
    assert "Traceback" not in stderr
