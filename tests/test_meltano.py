"""End to end: `meltano run tap-lucca target-jsonl` against the emulator."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from lucca_emulator import LuccaEmulator, Tenant
from tests.conftest import API_KEY, run_meltano
from tests.truth import LEGACY_STREAMS

if TYPE_CHECKING:
    import subprocess
    from pathlib import Path

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
