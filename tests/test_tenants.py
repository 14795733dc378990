"""Every record says which tenant it comes from, and tenants run side by side."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tap_lucca.tap import TapLucca
from tests.conftest import API_KEY, run_in_project, run_tap
from tests.emulator import LuccaEmulator, Tenant

ROOT = Path(__file__).parents[1]


def test_every_record_carries_the_tenant_host_by_default(emulator, config):
    sync = run_tap(config, streams=["users", "departments"])

    tenants = {r["tenant"] for records in sync.records.values() for r in records}
    assert tenants == {"127.0.0.1"}


def test_tenant_setting_names_the_tenant(emulator, config):
    sync = run_tap({**config, "tenant": "acme"}, streams=["departments"])

    assert {r["tenant"] for r in sync.records["departments"]} == {"acme"}


def test_tenant_is_part_of_every_primary_key():
    tap = TapLucca(config={"api_url": "https://acme.ilucca.net", "api_key": "k"})

    assert {tuple(s.primary_keys) for s in tap.streams.values()} == {("tenant", "id")}


def test_no_two_fields_collide_once_lower_cased():
    tap = TapLucca(
        config={"api_url": "https://a.ilucca.net", "api_key": "k", "include_sensitive_fields": True}
    )

    def names(properties: dict) -> list[str]:
        found = []
        for name, schema in properties.items():
            found.append(name)
            nested = schema.get("items", schema).get("properties")
            if nested:
                assert len({n.lower() for n in nested}) == len(nested), name
        return found

    for stream in tap.streams.values():
        fields = names(stream.schema["properties"])
        assert len({f.lower() for f in fields}) == len(fields), stream.name


@pytest.fixture
def three_tenants(tmp_path):
    clients = {"acme": 300, "globex": 450, "initech": 200}
    emulators = {
        name: LuccaEmulator(
            Tenant.generate(users=users, seed=len(name)), api_key=f"{API_KEY}-{name}"
        )
        for name, users in clients.items()
    }
    for emulator in emulators.values():
        emulator.start()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "MELTANO_STATE_BACKEND_URI": f"file://{tmp_path}/state",
    }
    for name, emulator in emulators.items():
        prefix = f"TAP_LUCCA_{name.upper()}_"
        env[prefix + "API_URL"] = emulator.url
        env[prefix + "API_KEY"] = f"{API_KEY}-{name}"
        env[prefix + "TENANT"] = name
        # Paced like a real tenant (scaled up), so that each run lasts long enough
        # for its overlap with the others to show.
        env[prefix + "MAX_REQUESTS_PER_MINUTE"] = "150"
    yield emulators, env, tmp_path
    for emulator in emulators.values():
        emulator.stop()


def test_dagster_recipe_runs_every_client_in_parallel_each_with_its_own_state(three_tenants):
    emulators, env, tmp_path = three_tenants
    # Dagster's multiprocess executor needs a persistent instance.
    (tmp_path / "dagster").mkdir()
    env["DAGSTER_HOME"] = str(tmp_path / "dagster")
    script = (
        "from dagster import execute_job, reconstructable, DagsterInstance\n"
        "from orchestrate.dagster_lucca import every_client\n"
        "with DagsterInstance.get() as instance:\n"
        "    result = execute_job(reconstructable(every_client), instance,\n"
        "        run_config={'ops': {'meltano_run': {'config': "
        "{'loader': 'target-jsonl', 'environment': 'dev', 'env': "
        f"{{'TARGET_JSONL_DESTINATION_PATH': '{tmp_path}/output/{{extractor}}'}}"
        "}}}})\n"
        "    raise SystemExit(0 if result.success else 1)\n"
    )
    result = run_in_project(env, sys.executable, "-c", script)

    assert result.returncode == 0, result.stderr[-3000:]
    for name, emulator in emulators.items():
        folder = tmp_path / "output" / f"tap-lucca-{name}"
        users = [json.loads(line) for f in folder.glob("users-*.jsonl") for line in f.open()]
        assert len(users) == len(emulator.tenant.users)
        assert {user["tenant"] for user in users} == {name}
        states = list((tmp_path / "state").rglob(f"*tap-lucca-{name}*"))
        assert states, f"no state of its own for {name}"
    # Side by side: every tenant's first request came before any tenant's last.
    spans = [(e.requests[0].at, e.requests[-1].at) for e in emulators.values()]
    assert max(start for start, _ in spans) < min(end for _, end in spans)
