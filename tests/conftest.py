"""Fixtures: a generated tenant served by the Lucca emulator, and a way to run the tap."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest

from lucca_emulator import LuccaEmulator, Tenant
from tap_lucca.tap import TapLucca

API_KEY = "test-key-0f9c2b7e5d"
ROOT = Path(__file__).parents[1]


def run_in_project(env: dict, *command: str | Path) -> subprocess.CompletedProcess:
    """Run a command in the project folder, as a person would."""
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def run_meltano(env: dict, *args: str) -> subprocess.CompletedProcess:
    return run_in_project(env, Path(sys.executable).parent / "meltano", *args)


@dataclasses.dataclass
class Sync:
    """What one run of the tap wrote: its records per stream and its last state."""

    records: dict[str, list[dict]]
    state: dict
    messages: list[dict]

    def ids(self, stream: str) -> list[int]:
        return [record["id"] for record in self.records.get(stream, [])]


def run_tap(config: dict, state: dict | None = None, streams: t.Iterable[str] = ()) -> Sync:
    """Run a full sync in-process, as `tap-lucca --config ... --state ...` would."""
    tap = TapLucca(config=config, state=state, validate_config=True)
    if streams:
        for stream in tap.streams.values():
            stream.selected = stream.name in set(streams)
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with contextlib.redirect_stdout(stdout):
        tap.sync_all()
    stdout.seek(0)
    messages = [json.loads(line) for line in stdout.read().splitlines() if line]
    records: dict[str, list[dict]] = {}
    last_state: dict = {}
    for message in messages:
        if message["type"] == "RECORD":
            records.setdefault(message["stream"], []).append(message["record"])
        elif message["type"] == "STATE":
            last_state = message["value"]
    return Sync(records, last_state, messages)


@pytest.fixture(scope="session")
def tenant() -> Tenant:
    """Several thousand users: more than one page of users and of contracts."""
    return Tenant.generate(users=2600, seed=7)


@pytest.fixture
def emulator(tenant: Tenant) -> t.Iterator[LuccaEmulator]:
    with LuccaEmulator(tenant, api_key=API_KEY) as emulator:
        yield emulator


@pytest.fixture
def small_tenant() -> Tenant:
    """A fresh tenant of a few hundred users, for tests that change it."""
    return Tenant.generate(users=600, seed=21)


def fast_config(emulator: LuccaEmulator, **settings: t.Any) -> dict:
    """Settings for the emulator, without Lucca's pacing."""
    return {
        "api_url": emulator.url,
        "api_key": API_KEY,
        "max_requests_per_minute": 100_000,
        **settings,
    }


@pytest.fixture
def config(emulator: LuccaEmulator) -> dict:
    return fast_config(emulator)
