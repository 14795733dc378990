"""One client's `meltano run <client> <loader>`: under a timeout, retried, its outcome
read from Meltano's own JSON log (`meltano --log-format=json`)."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import threading
import time
from typing import TYPE_CHECKING, Any

from orchestrate.meltano_cli import last_line, setting_variable

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from orchestrate.meltano_cli import MeltanoProject

#: Loaders that write files: each client gets a folder of its own under this setting.
FOLDER_SETTINGS = {"target-jsonl": "destination_path"}


@dataclasses.dataclass
class Outcome:
    """What one client's run did."""

    client: str
    ok: bool
    records: int
    seconds: float
    attempts: int
    why: str = ""

    def line(self) -> str:
        status = "ok" if self.ok else f"FAILED: {self.why}"
        retried = ", retried" if self.attempts > 1 else ""
        return (
            f"{self.client:<28} {self.records:>9,} records {self.seconds:>8.1f} s  "
            f"{status}{retried}"
        )


def events(log: Path) -> Iterator[dict[str, Any]]:
    """Meltano's log events, one JSON object a line; a line that is not one (a
    plugin's crash before Meltano's logging is up) as a plain error."""
    for line in log.read_text(errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            event = {"event": line, "level": "error"}
        if isinstance(event, dict):
            yield event


def records(log: Path, client: str) -> int:
    """The records the client's tap counted (the SDK's `record_count` metrics)."""
    return sum(
        event["metric_info"]["value"]
        for event in events(log)
        if event.get("string_id") == client
        and event.get("metric_info", {}).get("metric") == "record_count"
    )


def reason(log: Path, plugins: tuple[str, ...]) -> str:
    """The last error the tap or the loader logged, else Meltano's: what a person acts on."""
    errors = [e for e in events(log) if e.get("level") in ("error", "critical")]
    theirs = [e for e in errors if e.get("string_id") in plugins] or errors
    if theirs:
        return last_line(str(theirs[-1].get("event", "")))
    return last_line(log.read_text(errors="replace"))


def stop(process: subprocess.Popen) -> None:
    """End the run and everything it started: Meltano, the tap and the loader."""
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=grace)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


class Runner:
    """Runs clients' `meltano run`s; each one's process group dies with it."""

    def __init__(
        self,
        project: MeltanoProject,
        loader: str,
        timeout: float,
        catalogs: dict[str, Path] | None = None,
        loader_config: dict[str, Any] | None = None,
    ) -> None:
        self.project = project
        self.loader = loader
        self.timeout = timeout
        self.catalogs = catalogs or {}
        self.log_dir = project.root / ".meltano" / "run" / "lucca-fleet" / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.folder = self._loader_folder(loader_config)
        self._lock = threading.Lock()
        self._started: dict[str, float] = {}

    def _loader_folder(self, config: dict[str, Any] | None) -> tuple[str, str] | None:
        setting = FOLDER_SETTINGS.get(self.loader)
        if not setting:
            return None
        base = (config or self.project.config(self.loader))[setting]
        return setting_variable(self.loader, setting), base

    def running(self) -> dict[str, float]:
        """The clients running now, and for how many seconds."""
        now = time.monotonic()
        with self._lock:
            return {client: now - started for client, started in self._started.items()}

    def env(self, client: str) -> dict[str, str]:
        extra = {}
        if self.folder:
            variable, base = self.folder
            extra[variable] = os.path.join(base, client)
        if client in self.catalogs:
            extra[setting_variable(client, "_catalog")] = str(self.catalogs[client])
        return self.project.env(**extra)

    def run_once(self, client: str) -> tuple[bool, int, str]:
        log_path = self.log_dir / f"{client}.log"
        command = self.project.command("--log-format=json", "run", client, self.loader)
        with log_path.open("w") as log:
            process = subprocess.Popen(
                command,
                cwd=self.project.root,
                env=self.env(client),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                code = process.wait(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                stop(process)
                code = None
        counted = records(log_path, client)
        if code is None:
            return False, counted, f"timed out after {self.timeout:.0f} s"
        if code != 0:
            why = reason(log_path, (client, self.loader))
            return False, counted, f"{why} (log: {log_path.relative_to(self.project.root)})"
        return True, counted, ""

    def run(self, client: str, retries: int = 0) -> Outcome:
        started = time.monotonic()
        with self._lock:
            self._started[client] = started
        attempts = 0
        try:
            while True:
                attempts += 1
                ok, counted, why = self.run_once(client)
                if ok or attempts > retries:
                    seconds = time.monotonic() - started
                    return Outcome(client, ok, counted, seconds, attempts, why)
        finally:
            with self._lock:
                del self._started[client]
