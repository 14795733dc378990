"""The Meltano project: `meltano run tap-lucca target-jsonl` end to end against the
emulator, and what meltano.yml promises (the demo stays on the machine, each setting
declared once, dev and prod in schemas of their own, DuckDB in a new clone)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

import pytest
import yaml

from lucca_emulator import LuccaEmulator, Tenant
from tests.conftest import API_KEY, ROOT, run_meltano, with_installed_plugins
from tests.truth import LEGACY_STREAMS

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")

# user_history is served as the tenant's `userlogs`.
STREAMS = tuple(s for s in LEGACY_STREAMS if s != "user_history")


@pytest.fixture
def project_env(tmp_path):
    tenant = Tenant.generate(users=1200, seed=5)
    with LuccaEmulator(tenant, api_key=API_KEY) as emulator:
        yield (
            tenant,
            tmp_path,
            {
                **os.environ,
                "TAP_LUCCA_API_URL": emulator.url,
                "TAP_LUCCA_API_KEY": API_KEY,
                "TAP_LUCCA_MAX_REQUESTS_PER_MINUTE": "100000",
                "TARGET_JSONL_DESTINATION_PATH": str(tmp_path / "output"),
                "MELTANO_STATE_BACKEND_URI": f"file://{tmp_path}/state",
            },
        )


def meltano_run(env: dict) -> subprocess.CompletedProcess:
    return run_meltano(env, "--environment=demo", "run", "tap-lucca", "target-jsonl")


def line_counts(folder: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in folder.glob("*.jsonl"):
        stream = path.name.split("-")[0]
        counts[stream] = counts.get(stream, 0) + len(path.read_text().splitlines())
    return counts


def test_meltano_run_writes_every_record_of_the_tenant(project_env):
    tenant, tmp_path, env = project_env

    result = meltano_run(env)

    assert result.returncode == 0, result.stderr[-3000:]
    assert line_counts(tmp_path / "output") == {
        stream: len(getattr(tenant, stream)) for stream in STREAMS
    } | {
        "user_history": len(tenant.userlogs),
        "custom_fields": len(tenant.custom_fields.definitions),
        "axes": len(tenant.custom_fields.axes),
        "axis_sections": len(tenant.custom_fields.sections),
    }
    assert API_KEY not in result.stdout + result.stderr


def test_second_meltano_run_reads_only_the_changed_users(project_env):
    tenant, tmp_path, env = project_env
    assert meltano_run(env).returncode == 0
    tenant.update_users([user["id"] for user in tenant.users[:7]])
    env["TARGET_JSONL_DESTINATION_PATH"] = str(tmp_path / "second")

    result = meltano_run(env)

    assert result.returncode == 0, result.stderr[-3000:]
    assert line_counts(tmp_path / "second")["users"] < 20


def clean_env(**extra: str) -> dict[str, str]:
    """A shell with no Lucca, Meltano or loader settings of its own."""
    prefixes = ("TAP_LUCCA", "MELTANO", "TARGET", "DBT")
    return {**{k: v for k, v in os.environ.items() if not k.startswith(prefixes)}, **extra}


def resolved(environment: str, plugin: str) -> dict:
    """A plugin's settings as Meltano resolves them in an environment."""
    args = (f"--environment={environment}", "--log-level=warning", "config", "print", plugin)
    result = run_meltano(clean_env(), *args)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def in_parallel(*calls: Callable[[], T]) -> list[T]:
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_the_demo_environment_keeps_every_request_on_the_machine():
    config = resolved("demo", "tap-lucca")

    for setting in ("api_url", "oauth_token_url"):
        assert urlsplit(config[setting]).hostname == "127.0.0.1", setting


def utilities() -> list[dict]:
    return yaml.safe_load((ROOT / "meltano.yml").read_text())["plugins"]["utilities"]


def test_meltano_yml_declares_each_dbt_setting_and_command_once():
    dbt = [u for u in utilities() if "dbt-duckdb" in (u["name"], u.get("inherit_from"))]

    settings = [s["name"] for u in dbt for s in u.get("settings", [])]
    commands = [c for u in dbt for c in u.get("commands", {})]
    assert len(settings) == len(set(settings))
    assert len(commands) == len(set(commands))
    assert sorted(u["name"] for u in dbt) == ["dbt-bigquery", "dbt-duckdb", "dbt-postgres"]


def test_every_installed_plugin_is_declared_in_full_with_a_pinned_pip_url():
    project = yaml.safe_load((ROOT / "meltano.yml").read_text())
    declared = {p["name"]: p for kind in project["plugins"].values() for p in kind}
    installed = [p for p in declared.values() if "pip_url" in p]

    for plugin in installed:
        assert {"namespace", "executable"} <= plugin.keys(), plugin["name"]
        requirements = [r for r in plugin["pip_url"].split() if r != "-e"]
        assert all("==" in r or r == "." for r in requirements), plugin["name"]
        # Meltano 4.4 installs an inheriting plugin only if its parent is installable.
        if parent := plugin.get("inherit_from"):
            assert "pip_url" in declared[parent], plugin["name"]


def test_each_warehouses_dbt_utility_inherits_the_shared_settings_with_its_own_target():
    names = ("dbt-duckdb", "dbt-postgres", "dbt-bigquery")
    found = in_parallel(*(lambda name=name: resolved("prod", name) for name in names))
    configs = dict(zip(names, found, strict=True))

    assert {n: c["target"] for n, c in configs.items()} == {
        "dbt-duckdb": "duckdb",
        "dbt-postgres": "postgres",
        "dbt-bigquery": "bigquery",
    }
    for config in configs.values():
        assert Path(config["project_dir"]) == ROOT / "transform"
        assert config["target_schema"] == "prod"
    # Only target-postgres keeps the rows gone from Lucca, marked deleted.
    assert [n for n, c in configs.items() if c["soft_deletes"]] == ["dbt-postgres"]


def model_schemas(environment: str, target_path: Path) -> set[str]:
    """The schemas dbt builds the models in, through the project's dbt-duckdb."""
    env = clean_env(DBT_TARGET_PATH=str(target_path), DBT_LOG_PATH=str(target_path))
    ls = ("ls", "--resource-type", "model", "--output", "json", "--output-keys", "name", "schema")
    args = (f"--environment={environment}", "--log-level=warning", "invoke", "dbt-duckdb", *ls)
    result = run_meltano(env, *args)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    return {json.loads(line)["schema"] for line in lines}


def test_dev_and_prod_build_the_models_in_schemas_of_their_own(tmp_path):
    prod, dev = in_parallel(
        lambda: model_schemas("prod", tmp_path), lambda: resolved("dev", "dbt-duckdb")
    )

    # dbt's own rule, <the target's schema>_<the model's schema>, with the target's
    # schema the Meltano environment's name: dev's models go to dev_staging and dev_analytics.
    assert prod == {"prod_staging", "prod_analytics"}
    assert dev["target_schema"] == "dev"


def test_duckdb_in_a_new_clone_finds_the_folder_of_its_file(tmp_path):
    """A clone that never ran `make demo`: its tracked files, and the installed plugins."""
    clone = tmp_path / "clone"
    tracked = subprocess.run(
        ["git", "ls-files", "meltano.yml", "output"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in tracked:
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, clone / name)
    with_installed_plugins(clone / ".meltano")

    with LuccaEmulator(Tenant.generate(users=60, seed=3), api_key=API_KEY) as emulator:
        env = clean_env(
            TAP_LUCCA_API_URL=emulator.url,
            TAP_LUCCA_API_KEY=API_KEY,
            TAP_LUCCA_MAX_REQUESTS_PER_MINUTE="100000",
        )
        meltano = Path(sys.executable).parent / "meltano"
        result = subprocess.run(
            [meltano, "--environment=dev", "run", "tap-lucca", "target-duckdb"],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    assert result.returncode == 0, result.stderr[-3000:]
    assert (clone / resolved("dev", "target-duckdb")["filepath"]).is_file()
