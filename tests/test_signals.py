"""SIGTERM (an orchestrator's timeout) and SIGINT (Ctrl-C) stop a real tap process at
once, with whole lines on stdout, a STATE that claims nothing unread, and a failing exit."""

from __future__ import annotations

import array
import fcntl
import json
import mmap
import os
import signal
import subprocess
import sys
import termios
import time
import typing as t
from pathlib import Path

import pytest

from lucca_emulator import LuccaEmulator, Tenant
from tests.conftest import API_KEY, ROOT, in_project, run_tap
from tests.tap_process import start_tap, users_only_catalog

MELTANO = Path(sys.executable).parent / "meltano"
F_GETPIPE_SZ = 1032  # Linux's fcntl for a pipe's capacity


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


def test_meltano_run_stopped_by_ctrl_c_is_a_failed_run(tenant, tmp_path):
    with LuccaEmulator(tenant, api_key=API_KEY) as emulator:
        env = {
            **os.environ,
            "TAP_LUCCA_API_URL": emulator.url,
            "TAP_LUCCA_API_KEY": API_KEY,
            "TAP_LUCCA_MAX_REQUESTS_PER_MINUTE": "30",
            "TAP_LUCCA_PAGE_SIZE": "50",
            "TARGET_JSONL_DESTINATION_PATH": str(tmp_path / "output"),
            "MELTANO_STATE_BACKEND_URI": f"file://{tmp_path}/state",
        }
        meltano = subprocess.Popen(
            [MELTANO, "--environment=demo", "run", "tap-lucca", "target-jsonl"],
            cwd=ROOT,
            env=in_project(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while len(emulator.requests) < 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        os.killpg(meltano.pid, signal.SIGINT)  # Ctrl-C: to Meltano, the tap and the target
        output, _ = meltano.communicate(timeout=60)

    assert meltano.returncode != 0
    assert "Stopped by SIGINT" in output
    for lines in (tmp_path / "output").glob("*.jsonl"):
        for line in lines.read_text().splitlines():
            json.loads(line)  # the target got whole records only


def pipe_is_full(pipe: t.IO) -> bool:
    """Whether the tap's stdout pipe holds all it can (to within a page): a tap that
    writes more then waits in the write until someone reads."""
    capacity = fcntl.fcntl(pipe.fileno(), F_GETPIPE_SZ)
    held = array.array("i", [0])
    fcntl.ioctl(pipe.fileno(), termios.FIONREAD, held)
    return held[0] >= capacity - mmap.PAGESIZE


@pytest.mark.parametrize(
    "buffering",
    [("env", "-u", "PYTHONUNBUFFERED"), ("env", "PYTHONUNBUFFERED=1")],
    ids=["buffered", "unbuffered"],
)
def test_sigterm_while_a_record_is_being_written_ends_after_that_record_with_code_143(
    tenant, tmp_path, buffering
):
    # A record larger than the pipe: nobody reads, so the tap waits halfway through it.
    first = min(tenant.users, key=lambda user: user["id"])
    first["jobTitle"] = "Responsable des ressources humaines " * 6000  # 210 kB
    with LuccaEmulator(tenant, api_key=API_KEY) as emulator:
        config = {"api_url": emulator.url, "api_key": API_KEY, "max_requests_per_minute": 100_000}
        catalog = users_only_catalog(config, tmp_path)
        process = start_tap(config, tmp_path, "--catalog", catalog, prefix=buffering)
        deadline = time.monotonic() + 60
        while not pipe_is_full(process.stdout) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process.poll() is None  # still there, waiting in the write

        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=60)  # reads on: the write can end

    assert process.returncode == 143
    assert "Stopped by SIGTERM" in stderr
    assert stdout.endswith("\n")  # no half line
    messages = [json.loads(line) for line in stdout.splitlines()]
    # It stopped right after the message it was writing: the large record, whole.
    assert messages[-1]["type"] == "RECORD"
    assert messages[-1]["record"]["jobTitle"] == first["jobTitle"]
