"""A long run says how far it has got, and every run ends with one line per stream;
a healthy run logs no warning."""

from __future__ import annotations

import itertools
import logging
import re
from collections import Counter
from datetime import datetime

import pytest

from lucca_emulator import LuccaEmulator, Tenant
from lucca_emulator.server import (
    CONTRACT_TYPES_PATH,
    CONTRACTS_PATH,
    DEPARTMENTS_PATH,
    USERLOGS_PATH,
    USERS_PATH,
)
from lucca_emulator.v3_leaves import LEAVES_PATH
from tap_lucca.report import StreamReport
from tests.conftest import API_KEY
from tests.tap_process import run_tap_process, users_only_catalog
from tests.truth import CUSTOM_FIELD_STREAMS, LEGACY_STREAMS

LOG = logging.getLogger("test")
STREAM_PATHS = {
    "users": USERS_PATH,
    "contracts": CONTRACTS_PATH,
    "departments": DEPARTMENTS_PATH,
    "contract_types": CONTRACT_TYPES_PATH,
    "user_history": USERLOGS_PATH,
    "custom_fields": "/api/v3/userproperties",
    "axis_sections": "/api/v3/axissections",
    "leaves": LEAVES_PATH,
}


@pytest.fixture(scope="module")
def small_tenant() -> Tenant:
    return Tenant.generate(users=600, seed=12)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_says_records_done_of_the_total_the_rate_and_the_time_left(caplog):
    clock = Clock()
    report = StreamReport("users", clock=clock)
    report.start()
    report.count(10_000)
    caplog.set_level("INFO")
    clock.now += 9.9
    for _ in range(3_999):
        report.record(LOG)
    clock.now = 110.0  # 4,000 records in 10 s: 400 a second, 6,000 left: 15 s
    report.record(LOG)

    assert caplog.messages == ["users: 4,000 / 10,000 records, 400 records/s, about 15 s left"]


def test_progress_is_said_at_most_every_ten_seconds(caplog):
    clock = Clock()
    report = StreamReport("users", clock=clock)
    report.start()
    caplog.set_level("INFO")
    for _ in range(600):  # one record every 1/8 s for 75 s
        clock.now += 0.125
        report.record(LOG)

    assert len(caplog.messages) == 7
    assert caplog.messages[0] == "users: 80 records so far, 8 records/s"


def test_a_healthy_run_ends_with_one_line_per_stream_and_logs_no_warning(small_tenant, tmp_path):
    with LuccaEmulator(small_tenant, api_key=API_KEY) as emulator:
        config = {"api_url": emulator.url, "api_key": API_KEY, "max_requests_per_minute": 100_000}
        run = run_tap_process(config, tmp_path)
        sent = Counter(request.path for request in emulator.requests)
    # The leaves stream lists the departments for its owner filter: a request of its own.
    sent[DEPARTMENTS_PATH] -= 1
    sent[LEAVES_PATH] += 1

    assert run.returncode == 0
    summary = {line.split("Summary: ")[1].split(":")[0]: line for line in run.log_lines("Summary:")}
    assert len(summary) == len(LEGACY_STREAMS) + len(CUSTOM_FIELD_STREAMS)
    for stream, path in STREAM_PATHS.items():
        records = len(run.records(stream))
        assert f"{stream}: synced, {records:,} records, {sent[path]} requests" in summary[stream]
        assert "0 retries, 0 rate-limited (429)" in summary[stream]
    assert not run.log_lines("WARNING")
    assert not run.log_lines("http_request_duration")


def test_a_long_stream_says_how_far_it_has_got_every_ten_seconds(small_tenant, tmp_path):
    with LuccaEmulator(small_tenant, api_key=API_KEY) as emulator:
        # 13 pages, a second apart.
        config = {"api_url": emulator.url, "api_key": API_KEY, "page_size": 50}
        catalog = users_only_catalog(config, tmp_path)
        run = run_tap_process(
            {**config, "max_requests_per_minute": 60}, tmp_path, "--catalog", catalog
        )

    assert run.returncode == 0
    progress = run.log_lines("users: ")
    progress = [line for line in progress if "records/s" in line]
    assert progress, run.stderr[-2000:]
    total = len(small_tenant.users)
    pattern = rf"users: [\d,]+ / {total} records, [\d,]+ records/s, about [\d,]+ s left$"
    assert all(re.search(pattern, line) for line in progress), progress
    times = [datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f") for line in progress]
    assert all((b - a).total_seconds() >= 10 for a, b in itertools.pairwise(times))
