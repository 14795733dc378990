"""The fleet: every client tenant side by side, each as its own `meltano run`.

    meltano run clients-to-bigquery          # the job; the `clients-daily` schedule runs it in prod
    meltano invoke lucca-fleet:check         # the identity check alone, and the list of clients
    .venv/bin/python -m orchestrate.fleet target-jsonl   # what `meltano run clients-to-jsonl` runs

The clients are the extractors that inherit from `tap-lucca` (one file each under
`clients/`). Before any data moves, every client must have its own label and its own
key, nothing inherited from `tap-lucca`, and prod must have a state backend. Then each
client runs under a timeout, is retried once if it fails, and gets one summary line.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from meltano.core.db import project_engine
from meltano.core.logging import setup_logging
from meltano.core.migration_service import MigrationService
from meltano.core.plugin import PluginType
from meltano.core.plugin.settings_service import PluginSettingsService
from meltano.core.project import Project
from meltano.core.settings_store import SettingValueStore
from meltano.core.venv_service import VirtualEnv

from tap_lucca.settings import default_tenant

if TYPE_CHECKING:
    from meltano.core.plugin.project_plugin import ProjectPlugin

PARENT = "tap-lucca"
FLEET = "lucca-fleet"
#: Environments that must keep their state outside the project folder.
SHARED_STATE_ENVIRONMENTS = frozenset({"prod"})
#: Loaders that write files: each client gets a folder of its own under this setting.
FOLDER_SETTINGS = {"target-jsonl": "destination_path"}
#: Settings that name the tenant; the catalog does not depend on them.
IDENTITY = ("api_url", "api_key", "tenant")
DISCOVERY_IDENTITY = {"api_url": "https://discovery.invalid", "api_key": "-"}
MELTANO = Path(sys.executable).parent / "meltano"
# The SDK's record counters, as Meltano relays them.
RECORD_COUNT = re.compile(r"metric_name=record_count metric_value=(\d+)")
# An error line as Meltano logs it: `... [error    ] <plugin> <message>`.
ERROR = re.compile(r"\[error\s*\] (?P<who>\S+)\s+(?P<what>.+)")
INHERITED = {SettingValueStore.INHERITED}


class FleetError(Exception):
    """The fleet cannot start: nothing has moved."""


@dataclasses.dataclass(frozen=True)
class Client:
    """One client extractor, as Meltano resolves it in the active environment."""

    name: str
    tenant: str
    config: dict = dataclasses.field(repr=False)  # holds the key
    inherited: tuple[str, ...]  # identity settings that come from tap-lucca

    @property
    def key_digest(self) -> str | None:
        key = self.config.get("api_key")
        return hashlib.sha256(key.encode()).hexdigest() if key else None


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


def open_project(root: Path | None = None, environment: str | None = None) -> Project:
    setup_logging(log_level="warning")
    project = Project.find(root or os.environ.get("MELTANO_PROJECT_ROOT"))
    if environment:
        project.activate_environment(environment)
    return project


def active_environment() -> str | None:
    return os.environ.get("MELTANO_ENVIRONMENT") or None


def client_extractors(project: Project) -> list[ProjectPlugin]:
    """Every extractor that inherits from tap-lucca: one per client."""
    # Meltano 4.4 lists the plugins of included files twice once an environment is active.
    extractors = {p.name: p for p in project.plugins.get_plugins_of_type(PluginType.EXTRACTORS)}
    return sorted(
        (p for p in extractors.values() if p.inherit_from == PARENT), key=lambda p: p.name
    )


def client_names(project: Project) -> list[str]:
    return [plugin.name for plugin in client_extractors(project)]


def clients(project: Project) -> list[Client]:
    """Every client, with its config as Meltano resolves it."""
    found = []
    for plugin in client_extractors(project):
        # The tap's settings, not Meltano's extras (`_select`...), which also cost time.
        settings = PluginSettingsService(project, plugin).config_with_metadata(extras=False)
        config = {
            name: meta["value"] for name, meta in settings.items() if meta["value"] is not None
        }
        inherited = tuple(n for n in IDENTITY if settings.get(n, {}).get("source") in INHERITED)
        tenant = config.get("tenant") or default_tenant(config.get("api_url") or "")
        found.append(Client(plugin.name, tenant, config, inherited))
    return found


def identity_problems(fleet: list[Client]) -> list[str]:
    """Why some client's data could land under another's name, or with another's key."""
    problems = []
    for client in fleet:
        if client.inherited:
            problems.append(
                f"{client.name} takes {' and '.join(client.inherited)} from {PARENT}: declare "
                "its own in its clients/ file"
            )
        elif not client.config.get("api_key"):
            variable = client.name.upper().replace("-", "_") + "_API_KEY"
            problems.append(f"{client.name} has no API key: set {variable}")
    for what, value_of in (
        ("the label", lambda c: c.tenant),
        ("the API key", lambda c: c.key_digest),
        ("the URL", lambda c: c.config.get("api_url")),
    ):
        holders = defaultdict(list)
        for client in fleet:
            if value := value_of(client):
                holders[value].append(client.name)
        for value, names in holders.items():
            if len(names) > 1:
                shown = f" {value!r}" if what == "the label" else ""
                problems.append(f"{' and '.join(names)} share {what}{shown}")
    return problems


def state_problem(project: Project, environment: str | None) -> str | None:
    uri = project.settings.get("state_backend.uri")
    if environment in SHARED_STATE_ENVIRONMENTS and uri == "systemdb":
        return (
            f"{environment} keeps state in a shared backend: set MELTANO_STATE_BACKEND_URI "
            "(e.g. gs://<bucket>/meltano-state)"
        )
    return None


def preflight(project: Project, environment: str | None) -> list[Client]:
    """The clients, if none can land under another's name; else FleetError naming them."""
    fleet = clients(project)
    problems = identity_problems(fleet)
    if state := state_problem(project, environment):
        problems.append(state)
    if not fleet:
        problems.append(f"no client: add a file under clients/ (an extractor inheriting {PARENT})")
    if problems:
        raise FleetError("\n".join(problems))
    # Tenants' runs start together: on a new project they would race to create
    # Meltano's system database ("Cannot upgrade the system database").
    engine, _ = project_engine(project, default=True)
    MigrationService(engine).upgrade(silent=True)
    return fleet


def shared_catalogs(project: Project, fleet: list[Client], run_dir: Path) -> dict[str, Path]:
    """One discovery per distinct client config per fleet run, not one per client.

    The catalog depends on the settings, not on which tenant they point at: clients
    that differ only by URL, key and label share one. Meltano applies its select and
    metadata rules to it as to a catalog it discovered."""
    parent = project.plugins.find_plugin(PARENT, plugin_type=PluginType.EXTRACTORS)
    venv = VirtualEnv(project.dirs.venvs(parent.type, parent.plugin_dir_name, make_dirs=False))
    run_dir.mkdir(parents=True, exist_ok=True)
    catalogs: dict[str, Path] = {}
    for client in fleet:
        config = {k: v for k, v in client.config.items() if k not in IDENTITY}
        digest = hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:16]
        path = run_dir / f"catalog-{digest}.json"
        if path not in catalogs.values():
            config_path = run_dir / f"discovery-{digest}.json"
            config_path.write_text(json.dumps({**config, **DISCOVERY_IDENTITY}))
            discovery = subprocess.run(
                [venv.exec_path(parent.executable), "--config", config_path, "--discover"],
                capture_output=True,
                text=True,
                check=False,
            )
            if discovery.returncode != 0:
                raise FleetError(f"{client.name}: discovery failed: {reason(discovery.stderr)}")
            config_path.unlink()
            path.write_text(discovery.stdout)
        catalogs[client.name] = path
    return catalogs


def reason(log: str, plugins: tuple[str, ...] = ()) -> str:
    """The last error the tap or the loader logged: what a person needs to act on."""
    errors = [(m["who"], m["what"].strip()) for m in ERROR.finditer(log)]
    theirs = [what for who, what in errors if who in plugins] or [what for _, what in errors]
    if theirs:
        return theirs[-1][:300]
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"


class Runner:
    """Runs one client's `meltano run` under a timeout; the process group dies with it."""

    def __init__(
        self,
        project: Project,
        loader: str,
        environment: str | None,
        timeout: float,
        catalogs: dict[str, Path] | None = None,
    ) -> None:
        self.project = project
        self.loader = loader
        self.environment = environment
        self.timeout = timeout
        self.catalogs = catalogs or {}
        self.log_dir = project.root / ".meltano" / "run" / FLEET / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.folder = self._loader_folder()

    def _loader_folder(self) -> tuple[str, str] | None:
        setting = FOLDER_SETTINGS.get(self.loader)
        if not setting:
            return None
        plugin = self.project.plugins.find_plugin(self.loader, plugin_type=PluginType.LOADERS)
        service = PluginSettingsService(self.project, plugin)
        return service.setting_env(service.find_setting(setting)), service.get(setting)

    def env(self, client: str) -> dict[str, str]:
        # Not one PyPI request per tenant for Meltano's "newer version" notice.
        env = {**os.environ, "MELTANO_CLI_DISABLE_VERSION_CHECK": "true"}
        if self.folder:
            variable, base = self.folder
            env[variable] = str(Path(base) / client)
        if client in self.catalogs:
            env[client.upper().replace("-", "_") + "__CATALOG"] = str(self.catalogs[client])
        return env

    def command(self, client: str) -> list[str]:
        environment = [f"--environment={self.environment}"] if self.environment else []
        return [str(MELTANO), *environment, "run", client, self.loader]

    def run_once(self, client: str) -> tuple[bool, int, str]:
        log_path = self.log_dir / f"{client}.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                self.command(client),
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
        text = log_path.read_text(errors="replace")
        records = sum(int(n) for n in RECORD_COUNT.findall(text))
        if code is None:
            return False, records, f"timed out after {self.timeout:.0f} s"
        if code != 0:
            why = reason(text, (client, self.loader))
            return False, records, f"{why} (log: {log_path.relative_to(self.project.root)})"
        return True, records, ""

    def run(self, client: str, retries: int = 0) -> Outcome:
        started = time.monotonic()
        attempts = 0
        while True:
            attempts += 1
            ok, records, why = self.run_once(client)
            if ok or attempts > retries:
                return Outcome(client, ok, records, time.monotonic() - started, attempts, why)


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


def settings(project: Project) -> dict:
    plugin = project.plugins.find_plugin(FLEET, plugin_type=PluginType.UTILITIES)
    return PluginSettingsService(project, plugin).as_dict()


def run_fleet(loader: str, *, check_only: bool = False) -> int:
    environment = active_environment()
    project = open_project(environment=environment)
    options = settings(project)
    try:
        fleet = preflight(project, environment)
    except FleetError as error:
        print(f"fleet: not started, nothing moved:\n{error}", file=sys.stderr)
        return 2
    where = f"in {environment}" if environment else "with no environment"
    for client in fleet:
        line = f"{client.name:<28} tenant {client.tenant!r}  {client.config['api_url']}  {where}"
        print(line, flush=True)
    if check_only or options["dry_run"]:
        return 0
    try:
        catalogs = shared_catalogs(project, fleet, project.root / ".meltano" / "run" / FLEET)
    except FleetError as error:
        print(f"fleet: not started, nothing moved:\n{error}", file=sys.stderr)
        return 2
    runner = Runner(project, loader, environment, options["timeout"], catalogs)
    with ThreadPoolExecutor(max_workers=max(1, options["concurrency"])) as pool:
        outcomes = list(pool.map(lambda c: runner.run(c.name, options["retries"]), fleet))
    print()
    for outcome in outcomes:
        print(outcome.line())
    failed = [o.client for o in outcomes if not o.ok]
    if failed:
        print(f"{len(failed)} of {len(outcomes)} tenants failed: {', '.join(failed)}")
        return 1
    print(f"all {len(outcomes)} tenants ok")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("loader", nargs="?", help="the loader every client runs into")
    parser.add_argument("--check", action="store_true", help="check and list, move nothing")
    args = parser.parse_args()
    if not args.check and not args.loader:
        parser.error("name a loader, or --check")
    sys.exit(run_fleet(args.loader or "", check_only=args.check))


if __name__ == "__main__":
    main()
