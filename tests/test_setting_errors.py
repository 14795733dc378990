"""A mistaken setting ends the tap with one line that names it: no traceback, a failing
exit code, never the key; in a sync, in discovery and in `--test` alike."""

from __future__ import annotations

import datetime as dt
import os
import socket
import time

import pytest

from lucca_emulator import LuccaEmulator, Tenant
from tests.conftest import API_KEY, run_meltano
from tests.tap_process import run_tap_process

MODES = {"sync": (), "discover": ("--discover",), "test": ("--test",)}


@pytest.fixture(scope="module")
def tiny_tenant() -> Tenant:
    return Tenant.generate(users=50, seed=3)


def assert_one_line_naming(run, setting: str, says: str) -> None:
    errors = [line for line in run.stderr.splitlines() if "ERROR" in line]
    assert run.returncode == 1, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    assert len(errors) == 1, run.stderr[-2000:]
    assert setting in errors[-1]
    assert says in errors[-1]
    assert errors[-1] == run.stderr.splitlines()[-1]
    assert API_KEY not in str(run.messages) + run.stderr


def closed_port() -> int:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return listener.getsockname()[1]


@pytest.mark.parametrize("mode", MODES)
def test_missing_api_url_is_named(tmp_path, mode):
    run = run_tap_process({"api_key": API_KEY}, tmp_path, *MODES[mode])

    assert_one_line_naming(run, "api_url", "is missing")


@pytest.mark.parametrize("mode", ["sync", "discover"])
def test_missing_credentials_name_both_kinds(tmp_path, mode):
    run = run_tap_process({"api_url": "https://acme.ilucca.net"}, tmp_path, *MODES[mode])

    assert_one_line_naming(run, "api_key", "client_id and client_secret")


@pytest.mark.parametrize("mode", MODES)
def test_plain_http_off_loopback_says_https_is_required(tmp_path, mode):
    config = {"api_url": "http://acme.ilucca.net", "api_key": API_KEY}

    run = run_tap_process(config, tmp_path, *MODES[mode])

    assert_one_line_naming(run, "api_url", "https://")


@pytest.mark.parametrize(
    "start_date", ["yesterday", "next year", "2025-13-45", "31/01/2025", "01/02/2025"]
)
def test_a_start_date_that_is_not_iso_8601_is_refused(tmp_path, start_date):
    config = {"api_url": "https://acme.ilucca.net", "api_key": API_KEY, "start_date": start_date}

    run = run_tap_process(config, tmp_path)

    assert_one_line_naming(run, "start_date", start_date)


def test_a_start_date_in_the_future_is_refused(tmp_path):
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).date().isoformat()
    config = {"api_url": "https://acme.ilucca.net", "api_key": API_KEY, "start_date": tomorrow}

    run = run_tap_process(config, tmp_path)

    assert_one_line_naming(run, "start_date", "in the future")


@pytest.mark.parametrize("start_date", ["01/02/2025", "next year"])
def test_meltano_hands_start_date_over_as_typed_and_the_run_ends_in_one_line(
    tmp_path, tiny_tenant, start_date
):
    # Meltano parsed a date_iso8601 setting itself: 01/02/2025 became 2 January.
    with LuccaEmulator(tiny_tenant, api_key=API_KEY) as emulator:
        env = {
            **os.environ,
            "TAP_LUCCA_API_URL": emulator.url,
            "TAP_LUCCA_API_KEY": API_KEY,
            "TAP_LUCCA_START_DATE": start_date,
            "TARGET_JSONL_DESTINATION_PATH": str(tmp_path / "output"),
            "MELTANO_STATE_BACKEND_URI": f"file://{tmp_path}/state",
        }
        result = run_meltano(env, "run", "tap-lucca", "target-jsonl")

        sent = emulator.requests
    tap_errors = [line for line in result.stderr.splitlines() if "[error    ] tap-lucca" in line]
    assert result.returncode != 0
    assert sent == []
    assert len(tap_errors) == 1, result.stderr[-3000:]
    assert "start_date must be an ISO 8601 date or date-time" in tap_errors[0]
    assert f"got {start_date!r}" in tap_errors[0]


@pytest.mark.parametrize("mode", ["sync", "discover"])
def test_a_plain_http_token_url_off_loopback_says_https_is_required(tmp_path, mode):
    secret = "s3cret-9d1e"
    config = {
        "api_url": "https://acme.ilucca.net",
        "client_id": "tap-lucca",
        "client_secret": secret,
        "oauth_token_url": "http://accounts.example.com/connect/token",
    }

    run = run_tap_process(config, tmp_path, *MODES[mode])

    assert_one_line_naming(run, "oauth_token_url", "https://")
    assert secret not in run.stderr


def test_unknown_host_fails_within_15_s_saying_to_check_api_url(tmp_path):
    # In a network namespace of its own, the lookup fails on this machine: no
    # query leaves it.
    config = {"api_url": "https://acme.ilucca.invalid", "api_key": API_KEY}
    started = time.monotonic()

    run = run_tap_process(config, tmp_path, prefix=("unshare", "--net", "--map-root-user"))

    assert time.monotonic() - started < 15
    assert_one_line_naming(run, "api_url", "Cannot resolve host 'acme.ilucca.invalid'")


@pytest.mark.parametrize("mode", ["sync", "test"])
def test_connection_refused_fails_at_once_saying_to_check_api_url(tmp_path, mode):
    config = {"api_url": f"http://127.0.0.1:{closed_port()}", "api_key": API_KEY}
    started = time.monotonic()

    run = run_tap_process(config, tmp_path, *MODES[mode])

    assert time.monotonic() - started < 15
    assert_one_line_naming(run, "api_url", "refused the connection")


def test_tls_failure_fails_at_once_saying_to_check_api_url(tmp_path, tiny_tenant):
    with LuccaEmulator(tiny_tenant, api_key=API_KEY) as emulator:
        # The emulator speaks plain HTTP: the TLS handshake cannot succeed.
        config = {"api_url": emulator.url.replace("http://", "https://"), "api_key": API_KEY}
        started = time.monotonic()
        run = run_tap_process(config, tmp_path)

    assert time.monotonic() - started < 15
    assert_one_line_naming(run, "api_url", "TLS handshake")


def test_rejected_key_names_the_api_key_setting_not_an_environment_variable(tmp_path, tiny_tenant):
    with LuccaEmulator(tiny_tenant, api_key=API_KEY) as emulator:
        config = {"api_url": emulator.url, "api_key": "not-the-key-5c1d"}
        run = run_tap_process(config, tmp_path)

    assert_one_line_naming(run, "api_key setting", "401")
    assert "TAP_LUCCA" not in run.stderr
    assert "not-the-key-5c1d" not in run.stderr
