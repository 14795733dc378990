"""Fixtures: a generated tenant served by the Lucca emulator, and a way to run the tap."""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import functools
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import typing as t
from pathlib import Path

import pytest

from lucca_emulator import LuccaEmulator, Tenant
from lucca_emulator.v5 import TOKEN_PATH
from lucca_emulator.v5_data import RESOURCES
from tap_lucca.tap import TapLucca

API_KEY = "test-key-0f9c2b7e5d"
ROOT = Path(__file__).parents[1]


@functools.cache
def worker_sys_dir() -> Path:
    """This test process's own `.meltano`: the project's installed plugins, with a run
    folder and a system database of its own. Meltano writes a tap's catalog and state
    to one path per plugin (`run/tap-lucca/`): test processes side by side must not
    share it."""
    sys_dir = Path(tempfile.mkdtemp(prefix="meltano-"))
    atexit.register(shutil.rmtree, sys_dir, ignore_errors=True)
    return with_installed_plugins(sys_dir)


def with_installed_plugins(sys_dir: Path) -> Path:
    """`sys_dir`, a `.meltano` folder, with the plugins `meltano install` put in the
    project's: another project folder runs them without installing them again."""
    sys_dir.mkdir(exist_ok=True)
    for plugins in ("extractors", "loaders", "utilities"):
        (sys_dir / plugins).symlink_to(ROOT / ".meltano" / plugins)
    return sys_dir


def in_project(env: dict) -> dict:
    """`env` for a command run in the project folder, with this process's `.meltano`."""
    return {"MELTANO_SYS_DIR_ROOT": str(worker_sys_dir()), **env}


def run_in_project(env: dict, *command: str | Path) -> subprocess.CompletedProcess:
    """Run a command in the project folder, as a person would."""
    return subprocess.run(
        command,
        cwd=ROOT,
        env=in_project(env),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
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


def duckdb_warehouse(tmp: Path) -> dict[str, str]:
    """The settings of a `meltano run … target-duckdb dbt-duckdb:…` whose warehouse, dbt
    files and state all live in `tmp`, at full speed."""
    database = str(tmp / "warehouse.duckdb")
    return {
        "TAP_LUCCA_MAX_REQUESTS_PER_MINUTE": "100000",
        "TARGET_DUCKDB_FILEPATH": database,
        "DBT_DUCKDB_PATH": database,
        "DBT_TARGET_PATH": str(tmp / "dbt"),
        "DBT_LOG_PATH": str(tmp / "dbt"),
        "MELTANO_STATE_BACKEND_URI": f"file://{tmp}/state",
    }


@dataclasses.dataclass(frozen=True)
class NewApiWarehouse:
    """A new-API tenant in DuckDB, with the new API's models built."""

    tenant: Tenant
    database: Path
    #: Each new-API resource as the emulator served it.
    truth: dict[str, list[dict]]


@pytest.fixture(scope="session")
def new_api_warehouse(tmp_path_factory) -> NewApiWarehouse:
    """A tenant loaded by `meltano run tap-lucca target-duckdb` in new-API mode, then the
    new API's models and what they depend on built and tested by `dbt-duckdb:build-new-api`
    (the legacy models need the legacy streams)."""
    tmp = tmp_path_factory.mktemp("lucca_api")
    tenant = Tenant.generate(users=300, seed=17)
    client_id, secret = "dbt-client", "dbt&secret+=%"
    with LuccaEmulator(tenant, client_id=client_id, client_secret=secret) as emulator:
        env = {
            **{k: v for k, v in os.environ.items() if k != "TAP_LUCCA_API_KEY"},
            "TAP_LUCCA_API_URL": emulator.url,
            "TAP_LUCCA_CLIENT_ID": client_id,
            "TAP_LUCCA_CLIENT_SECRET": secret,
            "TAP_LUCCA_OAUTH_TOKEN_URL": emulator.url + TOKEN_PATH,
            **duckdb_warehouse(tmp),
        }
        loaded = run_meltano(env, "--environment=dev", "run", "tap-lucca", "target-duckdb")
        assert loaded.returncode == 0, loaded.stderr[-3000:]
        built = run_meltano(env, "--environment=dev", "invoke", "dbt-duckdb:build-new-api")
        assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
        truth = {resource: emulator.v5.records(resource) for resource in RESOURCES}
    return NewApiWarehouse(tenant, tmp / "warehouse.duckdb", truth)
