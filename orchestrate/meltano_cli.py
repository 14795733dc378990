"""The Meltano project as Meltano's public CLI shows it: plugins, settings, schedules.

Every answer is Meltano's own JSON (`plugin list --format=json`, `config print`,
`schedule list --format=json`) from the `meltano` next to this Python; nothing here
imports `meltano.core`, whose API may change in any release.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

MELTANO = Path(sys.executable).parent / "meltano"
#: Not one PyPI request per command for Meltano's "newer version" notice.
QUIET = {"MELTANO_CLI_DISABLE_VERSION_CHECK": "true"}


class MeltanoError(Exception):
    """A Meltano command failed; the message is the last thing it logged."""


def setting_variable(plugin: str, setting: str) -> str:
    """The environment variable Meltano reads a plugin's setting from:
    `tap-lucca-acme` + `api_key` -> `TAP_LUCCA_ACME_API_KEY`."""
    return re.sub(r"[^A-Z0-9]", "_", f"{plugin}_{setting}".upper())


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"


@dataclasses.dataclass(frozen=True)
class MeltanoProject:
    """A Meltano project folder, in one environment (None: no environment)."""

    root: Path
    environment: str | None = None

    @classmethod
    def here(cls, root: Path | None = None) -> MeltanoProject:
        """The project Meltano runs us in (`MELTANO_PROJECT_ROOT`, `MELTANO_ENVIRONMENT`),
        else `root`, else the current folder."""
        found = root or Path(os.environ.get("MELTANO_PROJECT_ROOT") or Path.cwd())
        return cls(found, os.environ.get("MELTANO_ENVIRONMENT") or None)

    def in_environment(self, environment: str | None) -> MeltanoProject:
        return dataclasses.replace(self, environment=environment)

    def command(self, *args: str) -> list[str]:
        """`meltano <args>` in this environment, whatever the project's default one."""
        chosen = f"--environment={self.environment}" if self.environment else "--no-environment"
        return [str(MELTANO), chosen, *args]

    def env(self, **extra: str) -> dict[str, str]:
        return {**os.environ, **QUIET, **extra}

    def output(self, *args: str, env: dict[str, str] | None = None) -> str:
        """What a Meltano command prints on stdout; MeltanoError if it fails."""
        done = subprocess.run(
            self.command("--log-level=warning", *args),
            cwd=self.root,
            env=env or self.env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise MeltanoError(f"meltano {args[0]} failed: {last_line(done.stderr)}")
        return done.stdout

    def plugins(self, plugin_type: str) -> list[dict[str, Any]]:
        """The project's plugins of one type (`extractor`, `loader`...), once each."""
        listed = json.loads(self.output("plugin", "list", "--format=json"))
        # Meltano 4.4 lists the plugins of included files twice.
        unique = {p["name"]: p for p in listed if p["type"] == plugin_type}
        return sorted(unique.values(), key=lambda plugin: plugin["name"])

    def config(self, plugin: str, *, secrets: bool = False) -> dict[str, Any]:
        """A plugin's settings as Meltano resolves them here (`meltano` for the project's).
        With `secrets`, sensitive values too: keep them in memory, never print them."""
        safety = "--unsafe" if secrets else "--safe"
        return json.loads(self.output("config", safety, "print", plugin, "--format=json"))

    def schedule(self, name: str) -> dict[str, Any]:
        """A job schedule: its cron, its env and its job's tasks."""
        listed = json.loads(self.output("schedule", "list", "--format=json"))
        return next(s for s in listed["schedules"]["job"] if s["name"] == name)
