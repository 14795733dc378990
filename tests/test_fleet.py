"""The fleet: client identities that cannot collide, a client of either API generation
added in one place, and fleet runs in which no tenant stops the others and no secret is
written anywhere."""

from __future__ import annotations

import ast
import json
import os
import re
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
from tests.conftest import API_KEY, with_installed_plugins

ROOT = Path(__file__).parents[1]
VENV_BIN = Path(sys.executable).parent
EXAMPLES = ROOT / "clients" / "examples"


def variable(extractor: str, setting: str) -> str:
    return f"{extractor}_{setting}".upper().replace("-", "_")


def add_client(
    project: Path, name: str, url: str, *, tenant: str | None, own: str | None = "api_key", **more
) -> None:
    """One file under clients/: all it takes to add a client. `own` is the kind of
    credentials it declares: `api_key`, `oauth` (client id and secret) or None."""
    extractor = f"tap-lucca-{name}"
    config = {"api_url": url, **more}
    if tenant:
        config["tenant"] = tenant
    settings = {"api_key": ["api_key"], "oauth": ["client_id", "client_secret"]}.get(own, [])
    for setting in settings:
        config[setting] = f"${variable(extractor, setting)}"
    plugin = {"name": extractor, "inherit_from": "tap-lucca", "config": config}
    document = {"plugins": {"extractors": [plugin]}}
    (project / "clients" / f"{name}.meltano.yml").write_text(yaml.safe_dump(document))


def make_project(root: Path) -> Path:
    """The project's Meltano files, with its installed plugins and no client: a new clone."""
    (root / "clients").mkdir(parents=True)
    shutil.copy(ROOT / "meltano.yml", root)
    with_installed_plugins(root / ".meltano")
    (root / ".venv").symlink_to(VENV_BIN.parent)
    (root / "orchestrate").symlink_to(ROOT / "orchestrate")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


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


def run(project: Path, env: dict, *command: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, timeout=900, check=False
    )


def check(project: Path, env: dict) -> subprocess.CompletedProcess:
    return run(project, env, sys.executable, "-m", "orchestrate.fleet", "--check")


def test_a_new_clone_ships_no_client():
    include = yaml.safe_load((ROOT / "meltano.yml").read_text())["include_paths"]
    tracked = subprocess.run(
        ["git", "ls-files", "clients"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()

    assert tracked, "clients/ holds the examples"
    assert not [f for f in tracked if any(Path(f).match(p.removeprefix("./")) for p in include)]


def test_a_fleet_with_no_client_says_so_in_one_line(project):
    result = check(project, clean_env(project))

    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "no client yet" in result.stderr
    assert "clients/examples/" in result.stderr


def test_the_example_clients_of_both_apis_pass_the_check_once_copied(project):
    for example in EXAMPLES.glob("*.meltano.yml"):
        shutil.copy(example, project / "clients")
    env = clean_env(
        project,
        TAP_LUCCA_ACME_API_KEY="key-of-acme",
        TAP_LUCCA_GLOBEX_CLIENT_ID="client-of-globex",
        TAP_LUCCA_GLOBEX_CLIENT_SECRET="secret-of-globex",
    )

    result = check(project, env)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any("tap-lucca-acme" in line and "legacy API" in line for line in lines)
    assert any("tap-lucca-globex" in line and "new API" in line for line in lines)
    assert "secret-of-globex" not in result.stdout + result.stderr


def test_check_names_both_clients_that_would_land_under_one_label(project):
    add_client(project, "acme", "https://acme.ilucca.net", tenant="acme")
    add_client(project, "acme-eu", "https://acme-eu.ilucca.net", tenant="acme", own="oauth")
    env = clean_env(
        project,
        TAP_LUCCA_ACME_API_KEY="key-of-acme",
        TAP_LUCCA_ACME_EU_CLIENT_ID="client-of-acme-eu",
        TAP_LUCCA_ACME_EU_CLIENT_SECRET="secret-of-acme-eu",
    )

    result = check(project, env)

    assert result.returncode == 2
    assert "tap-lucca-acme and tap-lucca-acme-eu share the label 'acme'" in result.stderr
    assert "nothing moved" in result.stderr


def test_check_names_a_legacy_client_that_would_take_the_parents_key_and_label(project):
    add_client(project, "hooli", "https://hooli.ilucca.net", tenant=None, own=None)
    env = clean_env(project, TAP_LUCCA_API_KEY="parent-key", TAP_LUCCA_TENANT="parent")

    result = check(project, env)

    assert result.returncode == 2
    assert "tap-lucca-hooli takes tenant and api_key from tap-lucca" in result.stderr
    assert "parent-key" not in result.stderr + result.stdout


def test_check_names_a_new_api_client_that_would_take_the_parents_oauth_client(project):
    add_client(project, "hooli", "https://hooli.ilucca.net", tenant="hooli", own=None)
    env = clean_env(
        project, TAP_LUCCA_CLIENT_ID="parent-client", TAP_LUCCA_CLIENT_SECRET="parent-secret"
    )

    result = check(project, env)

    assert result.returncode == 2
    assert "tap-lucca-hooli takes client_id and client_secret from tap-lucca" in result.stderr
    assert "parent-secret" not in result.stderr + result.stdout


def test_a_key_set_for_the_parent_never_reaches_a_client_that_declares_its_own(project):
    add_client(project, "acme", "https://acme.ilucca.net", tenant="acme")
    env = clean_env(project, TAP_LUCCA_API_KEY="parent-key")

    result = check(project, env)

    assert result.returncode == 2
    assert (
        "tap-lucca-acme has no credentials: set TAP_LUCCA_ACME_API_KEY (legacy API), or "
        "TAP_LUCCA_ACME_CLIENT_ID and TAP_LUCCA_ACME_CLIENT_SECRET (new API)"
    ) in result.stderr


def test_a_new_api_client_without_its_secret_is_named(project):
    add_client(project, "globex", "https://globex.ilucca.net", tenant="globex", own="oauth")
    env = clean_env(project, TAP_LUCCA_GLOBEX_CLIENT_ID="client-of-globex")

    result = check(project, env)

    assert result.returncode == 2
    assert "tap-lucca-globex has no client_secret: set TAP_LUCCA_GLOBEX_CLIENT_SECRET" in (
        result.stderr
    )


def test_clients_sharing_an_api_key_or_an_oauth_client_are_named(project):
    for name in ("a", "b"):
        add_client(project, f"legacy-{name}", f"https://l{name}.ilucca.net", tenant=f"l{name}")
        add_client(
            project, f"new-{name}", f"https://n{name}.ilucca.net", tenant=f"n{name}", own="oauth"
        )
    env = clean_env(
        project,
        TAP_LUCCA_LEGACY_A_API_KEY="one-key",
        TAP_LUCCA_LEGACY_B_API_KEY="one-key",
        TAP_LUCCA_NEW_A_CLIENT_ID="one-client",
        TAP_LUCCA_NEW_A_CLIENT_SECRET="secret-a",
        TAP_LUCCA_NEW_B_CLIENT_ID="one-client",
        TAP_LUCCA_NEW_B_CLIENT_SECRET="secret-b",
    )

    result = check(project, env)

    assert result.returncode == 2
    assert "tap-lucca-legacy-a and tap-lucca-legacy-b share the API key" in result.stderr
    assert "tap-lucca-new-a and tap-lucca-new-b share the client id" in result.stderr
    assert "one-key" not in result.stderr + result.stdout


def test_prod_without_a_state_backend_stops_before_any_data_moves(project):
    add_client(project, "acme", "https://acme.ilucca.net", tenant="acme")
    env = clean_env(project, TAP_LUCCA_ACME_API_KEY="key-of-acme", MELTANO_ENVIRONMENT="prod")

    result = check(project, env)

    assert result.returncode == 2
    assert "set MELTANO_STATE_BACKEND_URI" in result.stderr


def test_the_fleet_reads_meltano_through_its_cli_and_never_the_taps_code():
    imported = set()
    for module in (ROOT / "orchestrate").glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)

    assert not {name for name in imported if name.split(".")[0] in ("meltano", "tap_lucca")}


def test_an_added_client_is_in_the_scheduled_fleet_and_the_orchestrator(project):
    add_client(project, "hooli", "https://hooli.ilucca.net", tenant="hooli")
    add_client(project, "initrode", "https://initrode.ilucca.net", tenant="initrode", own="oauth")
    env = clean_env(
        project,
        TAP_LUCCA_HOOLI_API_KEY="key-of-hooli",
        TAP_LUCCA_INITRODE_CLIENT_ID="client-of-initrode",
        TAP_LUCCA_INITRODE_CLIENT_SECRET="secret-of-initrode",
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
    assert "tenant 'hooli'  legacy API  https://hooli.ilucca.net  in prod" in scheduled.stderr
    assert "tenant 'initrode'  new API  https://initrode.ilucca.net  in prod" in scheduled.stderr
    assert orchestrated.returncode == 0, orchestrated.stderr[-2000:]
    assets = ["client_identities", "tap_lucca_hooli", "tap_lucca_initrode"]
    assert orchestrated.stdout.strip() == f"{assets} prod 0 5 * * *"


# Each tenant's secret, distinct enough to be found wherever it was written.
KEYS = {"alpha": f"{API_KEY}-alpha", "gamma": "wrong-key-of-gamma-3f81"}
BETA_CLIENT, BETA_SECRET = "client-of-beta", "secret-of-beta-9d2c41"


@pytest.fixture(scope="module")
def tenants():
    """Two small tenants paced like real ones, alpha on the legacy API and beta on the new
    one, and gamma, whose key is wrong."""
    emulators = {
        "alpha": LuccaEmulator(Tenant.generate(users=300, seed=1), api_key=KEYS["alpha"]),
        "beta": LuccaEmulator(
            Tenant.generate(users=200, seed=2), client_id=BETA_CLIENT, client_secret=BETA_SECRET
        ),
        "gamma": LuccaEmulator(Tenant.generate(users=50, seed=3), api_key=f"{API_KEY}-gamma"),
    }
    for emulator in emulators.values():
        emulator.start()
    yield emulators
    for emulator in emulators.values():
        emulator.stop()


def fleet_of(project: Path, tenants: dict[str, LuccaEmulator]) -> dict[str, str]:
    """A client per emulated tenant, and their variables: gamma's key is wrong."""
    env = {}
    for name, emulator in tenants.items():
        emulator.clear_requests()
        if name == "beta":
            token_url = f"{emulator.url}/connect/token"
            add_client(
                project, name, emulator.url, tenant=name, own="oauth", oauth_token_url=token_url
            )
            env["TAP_LUCCA_BETA_CLIENT_ID"] = BETA_CLIENT
            env["TAP_LUCCA_BETA_CLIENT_SECRET"] = BETA_SECRET
        else:
            add_client(project, name, emulator.url, tenant=name)
            env[variable(f"tap-lucca-{name}", "api_key")] = KEYS[name]
        # Paced so that each run lasts long enough for its overlap with the others to show.
        env[f"TAP_LUCCA_{name.upper()}_MAX_REQUESTS_PER_MINUTE"] = "60"
    return env


def landed(folder: Path, stream: str) -> list[dict]:
    return [json.loads(line) for f in folder.glob(f"{stream}-*.jsonl") for line in f.open()]


def assert_ran_side_by_side(emulators: list[LuccaEmulator]) -> None:
    """Every tenant's first request came before any tenant's last."""
    spans = [(e.requests[0].at, e.requests[-1].at) for e in emulators]
    assert max(start for start, _ in spans) < min(end for _, end in spans)


@pytest.fixture(scope="module")
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


@pytest.fixture(scope="module")
def fleet_run(tmp_path_factory, tenants, s3):
    """One `meltano run clients-to-jsonl` of the three tenants, state in S3."""
    project = make_project(tmp_path_factory.mktemp("fleet") / "project")
    s3_url, _ = s3
    env = clean_env(
        project,
        **fleet_of(project, tenants),
        TARGET_JSONL_DESTINATION_PATH=str(project / "out"),
        MELTANO_STATE_BACKEND_URI="s3://fleet-state/meltano",
        MELTANO_STATE_BACKEND_S3_ENDPOINT_URL=s3_url,
        MELTANO_STATE_BACKEND_S3_AWS_ACCESS_KEY_ID="test",
        MELTANO_STATE_BACKEND_S3_AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION="us-east-1",
        LUCCA_FLEET_HEARTBEAT="1",
    )
    result = run(project, env, VENV_BIN / "meltano", "--environment=dev", "run", "clients-to-jsonl")
    return project, result


def tenant_line(result: subprocess.CompletedProcess, name: str) -> str:
    return next(
        line
        for line in result.stderr.splitlines()
        if f"tap-lucca-{name} " in line and " records " in line
    )


def test_a_fleet_run_lands_a_legacy_and_a_new_api_tenant_side_by_side(fleet_run, tenants):
    project, result = fleet_run

    alpha_users = landed(project / "out" / "tap-lucca-alpha", "users")
    beta_employees = landed(project / "out" / "tap-lucca-beta", "employees")
    assert len(alpha_users) == len(tenants["alpha"].tenant.users)
    assert len(beta_employees) == len(tenants["beta"].tenant.users)
    assert {user["tenant"] for user in alpha_users} == {"alpha"}
    assert {employee["tenant"] for employee in beta_employees} == {"beta"}
    for name in ("alpha", "beta"):
        assert tenant_line(result, name).endswith(" ok"), result.stderr[-3000:]
    assert_ran_side_by_side([tenants["alpha"], tenants["beta"]])


def test_a_fleet_run_names_the_tenant_that_answers_401_and_fails(fleet_run):
    _, result = fleet_run

    assert result.returncode == 1
    assert re.search(r"1 of 3 tenants failed in \d+ s: tap-lucca-gamma$", result.stderr, re.M)
    assert "FAILED: Lucca rejected the API key (401)" in tenant_line(result, "gamma")
    assert tenant_line(result, "gamma").endswith("retried")


def test_a_fleet_run_keeps_each_landed_tenants_state_in_the_backend(fleet_run, s3):
    _, s3_client = s3

    states = [o["Key"] for o in s3_client.list_objects_v2(Bucket="fleet-state")["Contents"]]
    for name in ("alpha", "beta"):
        assert any(f"dev:tap-lucca-{name}-to-target-jsonl" in key for key in states)
    assert not any("tap-lucca-gamma" in key for key in states)


def test_a_fleet_run_tells_as_each_tenant_ends_and_beats_while_they_run(fleet_run):
    _, result = fleet_run

    lines = result.stderr.splitlines()
    progress = [i for i, line in enumerate(lines) if re.search(r"\[\d/3\] tap-lucca-", line)]
    beats = [i for i, line in enumerate(lines) if "tenants done; running: tap-lucca-" in line]
    assert [re.search(r"\[(\d)/3\]", lines[i])[1] for i in progress] == ["1", "2", "3"]
    # The paced runs last far longer than the 1 s heartbeat: it beats before the first ends.
    assert beats and beats[0] < progress[0]


def test_a_fleet_run_writes_no_secret_anywhere(fleet_run):
    project, result = fleet_run
    secrets = [*KEYS.values(), BETA_SECRET]

    # The project's own files: logs, catalogs, outputs, Meltano's run folder and database.
    written = [
        path
        for path in project.rglob("*")
        if path.is_file() and not path.is_symlink() and ".venv" not in path.parts
    ]
    assert any(".meltano/run/lucca-fleet" in str(path) for path in written)
    assert any("catalog-" in path.name for path in written)
    for path in written:
        content = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in content, f"{secret[:6]}… in {path}"
    for secret in secrets:
        assert secret not in result.stdout + result.stderr


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


def test_dagster_materializes_each_client_of_both_apis_and_shows_the_failed_one(
    project, tenants, tmp_path
):
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
    assert len(landed(project / "out" / "tap-lucca-alpha", "users")) == len(
        tenants["alpha"].tenant.users
    )
    assert len(landed(project / "out" / "tap-lucca-beta", "employees")) == len(
        tenants["beta"].tenant.users
    )
    assert_ran_side_by_side([tenants["alpha"], tenants["beta"]])
