"""The tap as a person or an orchestrator runs it: the `tap-lucca` executable, in its
own process, so that exit codes, signals and what reaches stderr are the real ones."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

from tap_lucca.tap import TapLucca

TAP = Path(sys.executable).parent / "tap-lucca"


def users_only_catalog(config: dict, folder: Path) -> str:
    """A catalog file that selects the users stream alone."""
    catalog = TapLucca(config=config).catalog_dict
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["tap_stream_id"] == "users"
    path = folder / "catalog.json"
    path.write_text(json.dumps(catalog))
    return str(path)


def start_tap(
    config: dict,
    folder: Path,
    *args: str,
    state: dict | None = None,
    prefix: tuple[str, ...] = (),
) -> subprocess.Popen:
    """Start `tap-lucca --config <file> [--state <file>] *args`, after `prefix` if any."""
    config_file = folder / "config.json"
    config_file.write_text(json.dumps(config))
    command = [*prefix, str(TAP), "--config", str(config_file), *args]
    if state is not None:
        state_file = folder / "state.json"
        state_file.write_text(json.dumps(state))
        command += ["--state", str(state_file)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@dataclasses.dataclass
class Run:
    """A finished run: exit code, the Singer messages on stdout, and stderr."""

    returncode: int
    messages: list[dict]
    stderr: str

    def records(self, stream: str) -> list[dict]:
        return [
            m["record"] for m in self.messages if m["type"] == "RECORD" and m["stream"] == stream
        ]

    @property
    def last_state(self) -> dict:
        states = [m["value"] for m in self.messages if m["type"] == "STATE"]
        return states[-1] if states else {}

    def log_lines(self, containing: str) -> list[str]:
        return [line for line in self.stderr.splitlines() if containing in line]


def run_tap_process(config: dict, folder: Path, *args: str, timeout: float = 300, **kw) -> Run:
    process = start_tap(config, folder, *args, **kw)
    stdout, stderr = process.communicate(timeout=timeout)
    return Run(process.returncode, [json.loads(line) for line in stdout.splitlines()], stderr)
