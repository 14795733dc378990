"""The fleet: client identities that cannot collide, a client added in one place, and
fleet runs in which no tenant stops the others."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
import yaml

from lucca_emulator import LuccaEmulator, Tenant
from tests.conftest import API_KEY

ROOT = Path(__file__).parents[1]
VENV_BIN = Path(sys.executable).parent
SHIPPED = sorted(
    plugin["name"]
    for path in (ROOT / "clients").glob("*.meltano.yml")
    for plugin in yaml.safe_load(path.read_text())["plugins"]["extractors"]
)


def key_variable(extractor: str) -> str:
    return extractor.upper().replace("-", "_") + "_API_KEY"


def add_client(project: Path, name: str, url: str, *, tenant: str | None, own_key: bool) -> None:
    """One file under clients/: all it takes to add a client."""
    config = {"api_url": url}
    if tenant:
        config["tenant"] = tenant
    if own_key:
        config["api_key"] = f"${key_variable('tap-lucca-' + name)}"
    plugin = {"name": f"tap-lucca-{name}", "inherit_from": "tap-lucca", "config": config}
    document = {"plugins": {"extractors": [plugin]}}
    (project / "clients" / f"{name}.meltano.yml").write_text(yaml.safe_dump(document))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The project's Meltano files and clients, in a folder of their own, with its plugins."""
    root = tmp_path / "project"
    shutil.copytree(ROOT / "clients", root / "clients")
    shutil.copy(ROOT / "meltano.yml", root)
    (root / ".meltano").mkdir()
    for plugins in ("extractors", "loaders"):
        (root / ".meltano" / plugins).symlink_to(ROOT / ".meltano" / plugins)
    (root / ".venv").symlink_to(VENV_BIN.parent)
    (root / "orchestrate").symlink_to(ROOT / "orchestrate")
    return root


def clean_env(project: Path, **extra: str) -> dict[str, str]:
    """The shell of a person in the project: no Lucca or Meltano variables but these,
    and the project's virtual environment not on PATH (commands are called by path)."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("TAP_LUCCA", "MELTANO", "TARGET"))
    }
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if Path(p) != VENV_BIN)
    env["MELTANO_PROJECT_ROOT"] = str(project)
    env["MELTANO_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    return {**env, **extra}


def shipped_keys() -> dict[str, str]:
    return {key_variable(name): f"key-of-{name}" for name in SHIPPED}


def run(project: Path, env: dict, *command: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def check(project: Path, env: dict) -> subprocess.CompletedProcess:
    return run(project, env, sys.executable, "-m", "orchestrate.fleet", "--check")


def test_every_schedule_names_an_existing_environment():
    project = yaml.safe_load((ROOT / "meltano.yml").read_text())
    environments = {e["name"] for e in project["environments"]}

    for schedule in project["schedules"]:
        assert schedule.get("env", {}).get("MELTANO_ENVIRONMENT") in environments, schedule
    clients_daily = next(s for s in project["schedules"] if s["name"] == "clients-daily")
    assert clients_daily["env"]["MELTANO_ENVIRONMENT"] == "prod"


def test_check_names_both_clients_that_would_land_under_one_label(project):
    add_client(project, "acme-eu", "https://acme-eu.ilucca.net", tenant="acme", own_key=True)
    env = clean_env(project, **shipped_keys(), TAP_LUCCA_ACME_EU_API_KEY="key-of-acme-eu")

    result = check(project, env)

    assert result.returncode == 2
    assert "tap-lucca-acme and tap-lucca-acme-eu share the label 'acme'" in result.stderr
    assert "nothing moved" in result.stderr


def test_check_names_clients_that_would_take_the_parents_key_and_label(project):
    add_client(project, "hooli", "https://hooli.ilucca.net", tenant=None, own_key=False)
    env = clean_env(
        project, **shipped_keys(), TAP_LUCCA_API_KEY="parent-key", TAP_LUCCA_TENANT="parent"
    )

    result = check(project, env)

    assert result.returncode == 2
    assert "tap-lucca-hooli takes api_key and tenant from tap-lucca" in result.stderr
    assert "parent-key" not in result.stderr + result.stdout


def test_a_key_set_for_the_parent_never_reaches_a_declared_client(project):
    env = clean_env(project, TAP_LUCCA_API_KEY="parent-key")

    result = check(project, env)

    assert result.returncode == 2
    for name in SHIPPED:
        assert f"{name} has no API key: set {key_variable(name)}" in result.stderr


def test_two_clients_with_one_key_are_named(project):
    keys = {**shipped_keys(), key_variable(SHIPPED[1]): f"key-of-{SHIPPED[0]}"}

    result = check(project, clean_env(project, **keys))

    assert result.returncode == 2
    assert f"{SHIPPED[0]} and {SHIPPED[1]} share the API key" in result.stderr


def test_prod_without_a_state_backend_stops_before_any_data_moves(project):
    env = clean_env(project, **shipped_keys(), MELTANO_ENVIRONMENT="prod")

    result = check(project, env)

    assert result.returncode == 2
    assert "set MELTANO_STATE_BACKEND_URI" in result.stderr


def test_an_added_client_is_in_the_scheduled_fleet_and_the_orchestrator(project):
    add_client(project, "hooli", "https://hooli.ilucca.net", tenant="hooli", own_key=True)
    env = clean_env(
        project,
        **shipped_keys(),
        TAP_LUCCA_HOOLI_API_KEY="key-of-hooli",
        MELTANO_STATE_BACKEND_URI=f"file://{project}/state",
        LUCCA_FLEET_DRY_RUN="true",
    )

    scheduled = run(project, env, VENV_BIN / "meltano", "schedule", "run", "clients-daily")
    orchestrated = run(
        project,
        env,
        sys.executable,
        "-c",
        "from orchestrate.dagster_lucca import defs, ENVIRONMENT, CRON\n"
        "keys = defs.resolve_asset_graph().get_all_asset_keys()\n"
        "print(sorted(k.to_user_string() for k in keys), ENVIRONMENT, CRON)\n",
    )

    assert scheduled.returncode == 0, scheduled.stderr[-2000:]
    assert "tap-lucca-hooli" in scheduled.stderr
    assert "tenant 'hooli'  https://hooli.ilucca.net  in prod" in scheduled.stderr
    assert orchestrated.returncode == 0, orchestrated.stderr[-2000:]
    assets = [
        "client_identities",
        *sorted(n.replace("-", "_") for n in [*SHIPPED, "tap-lucca-hooli"]),
    ]
    assert orchestrated.stdout.strip() == f"{assets} prod 0 5 * * *"


@pytest.fixture(scope="module")
def tenants():
    """Two small tenants paced like real ones, and one whose key is wrong."""
    emulators = {
        "alpha": LuccaEmulator(Tenant.generate(users=300, seed=1), api_key=f"{API_KEY}-alpha"),
        "beta": LuccaEmulator(Tenant.generate(users=200, seed=2), api_key=f"{API_KEY}-beta"),
        "gamma": LuccaEmulator(Tenant.generate(users=50, seed=3), api_key=f"{API_KEY}-gamma"),
    }
    for emulator in emulators.values():
        emulator.start()
    yield emulators
    for emulator in emulators.values():
        emulator.stop()


def fleet_of(project: Path, tenants: dict[str, LuccaEmulator]) -> dict[str, str]:
    """The shipped clients replaced by the emulated ones; their env, gamma's key wrong."""
    for path in (project / "clients").glob("*.meltano.yml"):
        path.unlink()
    env = {}
    for name, emulator in tenants.items():
        emulator.clear_requests()
        add_client(project, name, emulator.url, tenant=name, own_key=True)
        right = name != "gamma"
        env[key_variable(f"tap-lucca-{name}")] = f"{API_KEY}-{name}" if right else "wrong-key"
        # Paced so that each run lasts long enough for its overlap with the others to show.
        env[f"TAP_LUCCA_{name.upper()}_MAX_REQUESTS_PER_MINUTE"] = "60"
    return env


def landed_users(folder: Path) -> list[dict]:
    return [json.loads(line) for f in folder.glob("users-*.jsonl") for line in f.open()]


def assert_ran_side_by_side(emulators: list[LuccaEmulator]) -> None:
    """Every tenant's first request came before any tenant's last."""
    spans = [(e.requests[0].at, e.requests[-1].at) for e in emulators]
    assert max(start for start, _ in spans) < min(end for _, end in spans)


@pytest.fixture
def s3():
    """A local S3-compatible server (moto) on loopback, with an empty bucket."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [VENV_BIN / "moto_server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            client.create_bucket(Bucket="fleet-state")
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    yield url, client
    server.terminate()
    server.wait(timeout=30)


def test_a_fleet_run_lands_every_tenant_but_the_one_that_answers_401(project, tenants, s3):
    s3_url, s3_client = s3
    env = clean_env(
        project,
        **fleet_of(project, tenants),
        TARGET_JSONL_DESTINATION_PATH=str(project / "out"),
        MELTANO_STATE_BACKEND_URI="s3://fleet-state/meltano",
        MELTANO_STATE_BACKEND_S3_ENDPOINT_URL=s3_url,
        MELTANO_STATE_BACKEND_S3_AWS_ACCESS_KEY_ID="test",
        MELTANO_STATE_BACKEND_S3_AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION="us-east-1",
    )

    result = run(project, env, VENV_BIN / "meltano", "--environment=dev", "run", "clients-to-jsonl")

    assert result.returncode != 0
    summary = {
        name: next(
            line
            for line in result.stderr.splitlines()
            if f"tap-lucca-{name} " in line and " records " in line
        )
        for name in tenants
    }
    assert "1 of 3 tenants failed: tap-lucca-gamma" in result.stderr
    assert "FAILED: Lucca rejected the API key (401)" in summary["gamma"]
    assert summary["gamma"].endswith("retried")
    states = [o["Key"] for o in s3_client.list_objects_v2(Bucket="fleet-state")["Contents"]]
    for name in ("alpha", "beta"):
        users = landed_users(project / "out" / f"tap-lucca-{name}")
        assert len(users) == len(tenants[name].tenant.users)
        assert {user["tenant"] for user in users} == {name}
        assert summary[name].split("ok")[0].strip() and " ok" in summary[name]
        assert any(f"dev:tap-lucca-{name}-to-target-jsonl" in key for key in states)
    assert not any("tap-lucca-gamma" in key for key in states)
    assert_ran_side_by_side([tenants["alpha"], tenants["beta"]])


# Each step's outcomes, retries included, as the Dagster instance recorded the run.
STEP_OUTCOMES = """
from dagster import DagsterEventType as Event, DagsterInstance
outcomes = (Event.STEP_SUCCESS, Event.STEP_FAILURE, Event.STEP_UP_FOR_RETRY)
with DagsterInstance.get() as instance:
    (run,) = instance.get_runs()
    for record in instance.all_logs(run.run_id):
        event = record.dagster_event
        if event and event.event_type in outcomes:
            print(event.step_key, event.event_type_value)
"""


def test_dagster_materializes_each_client_and_shows_the_failed_one(project, tenants, tmp_path):
    env = clean_env(
        project,
        **fleet_of(project, tenants),
        DAGSTER_HOME=str(tmp_path),
        MELTANO_STATE_BACKEND_URI=f"file://{project}/state",
        TARGET_JSONL_DESTINATION_PATH=str(project / "out"),
    )
    config = {
        "resources": {"meltano": {"config": {"environment": "dev", "loader": "target-jsonl"}}}
    }
    (tmp_path / "run.yaml").write_text(json.dumps(config))

    result = run(
        project,
        env,
        *(VENV_BIN / "dagster", "job", "execute", "-f", "orchestrate/dagster_lucca.py"),
        *("-j", "every_client", "-c", tmp_path / "run.yaml"),
    )
    steps = run(project, env, sys.executable, "-c", STEP_OUTCOMES).stdout.splitlines()

    assert result.returncode != 0
    assert "Steps failed: ['tap_lucca_gamma']" in result.stderr
    assert "Lucca rejected the API key (401)" in result.stderr
    assert sorted(steps) == [
        "client_identities STEP_SUCCESS",
        "tap_lucca_alpha STEP_SUCCESS",
        "tap_lucca_beta STEP_SUCCESS",
        "tap_lucca_gamma STEP_FAILURE",
        "tap_lucca_gamma STEP_UP_FOR_RETRY",
    ]
    for name in ("alpha", "beta"):
        users = landed_users(project / "out" / f"tap-lucca-{name}")
        assert len(users) == len(tenants[name].tenant.users)
    assert_ran_side_by_side([tenants["alpha"], tenants["beta"]])
