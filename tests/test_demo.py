"""`make demo-new-api` and the demos' start: the project's own emulator through the new
Lucca API into JSONL, and never anything else that listens on the port."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from lucca_emulator import Tenant
from tap_lucca.tap import TapLucca
from tests.conftest import with_installed_plugins

ROOT = Path(__file__).parents[1]
VENV_BIN = Path(sys.executable).parent
# Every stream the tap offers with client credentials, and with an API key.
NEW_API_STREAMS = tuple(
    TapLucca(
        config={"api_url": "https://a.ilucca.net", "client_id": "i", "client_secret": "s"}
    ).streams
)
LEGACY_STREAMS = tuple(TapLucca(config={"api_url": "https://a.ilucca.net", "api_key": "k"}).streams)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A clone's demo: its script, its Meltano project and installed plugins."""
    root = tmp_path / "project"
    (root / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "demo.sh", root / "scripts")
    shutil.copy(ROOT / "meltano.yml", root)
    with_installed_plugins(root / ".meltano")
    (root / "output").mkdir()
    return root


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def demo(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`make demo…` as the Makefile runs it, from a shell that has a real tenant's
    settings exported: the demo must not use them."""
    shell = {k: v for k, v in os.environ.items() if not k.startswith(("MELTANO", "TARGET"))}
    shell |= {
        "PATH": f"{VENV_BIN}{os.pathsep}{shell['PATH']}",
        "TAP_LUCCA_API_URL": "https://acme.invalid",
        "TAP_LUCCA_API_KEY": "a-real-tenants-key",
        **env,
    }
    return subprocess.run(
        ["bash", project / "scripts" / "demo.sh", *args],
        cwd=project,
        env=shell,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_new_api_demo_lands_each_new_api_stream_in_jsonl(project):
    users = 60
    result = demo(project, "new-api", DEMO_PORT=str(free_port()), DEMO_USERS=str(users))

    assert result.returncode == 0, result.stderr[-3000:]
    folder = project / "output" / "demo" / "new-api"
    landed = {path.name.split("-")[0]: path for path in folder.glob("*.jsonl")}
    assert sorted(landed) == sorted(NEW_API_STREAMS)
    employees = [json.loads(line) for line in landed["employees"].open()]
    assert len(employees) == len(Tenant.generate(users=users, seed=42).users)
    for stream, path in landed.items():
        assert f"{path.relative_to(project)} " in result.stdout, stream
    assert "a-real-tenants-key" not in result.stdout + result.stderr


def test_the_demo_refuses_a_busy_port_in_one_line(project):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]

        result = demo(project, DEMO_PORT=str(port), DEMO_USERS="20")

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"127.0.0.1:{port}" in result.stderr
    assert "DEMO_PORT=" in result.stderr
    assert not (project / "output" / "demo").exists()


def test_the_fleet_demo_lands_a_legacy_and_a_new_api_client_side_by_side(project):
    (project / "orchestrate").symlink_to(ROOT / "orchestrate")
    (project / ".venv").symlink_to(VENV_BIN.parent)
    shutil.copytree(ROOT / "clients" / "demo", project / "clients" / "demo")
    users = 30

    result = demo(project, "fleet", DEMO_USERS=str(users))

    assert result.returncode == 0, result.stderr[-3000:]
    assert "all 2 tenants ok" in result.stderr
    landed = project / "output" / "demo" / "fleet-project" / "output" / "demo"
    streams = {
        client.name: {path.name.split("-")[0]: path for path in client.glob("*.jsonl")}
        for client in landed.iterdir()
    }
    assert sorted(streams["tap-lucca-demo-new-api"]) == sorted(NEW_API_STREAMS)
    assert sorted(streams["tap-lucca-demo-legacy"]) == sorted(LEGACY_STREAMS)
    for client, seed, stream in (("legacy", 42, "users"), ("new-api", 43, "employees")):
        records = [json.loads(line) for line in streams[f"tap-lucca-demo-{client}"][stream].open()]
        assert len(records) == len(Tenant.generate(users=users, seed=seed).users)
        assert {record["tenant"] for record in records} == {f"demo-{client}"}
