"""The clients, and the check that none can land under another's name.

A client is an extractor that inherits from `tap-lucca`, one file each under `clients/`.
Before any data moves, every client must have its own label, its own credentials (an
API key for the legacy API, or a client id and secret for the new one) and its own URL,
none of them taken from `tap-lucca`; and prod must keep its state in a shared backend.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from orchestrate.meltano_cli import setting_variable

if TYPE_CHECKING:
    from collections.abc import Callable

    from orchestrate.meltano_cli import MeltanoProject

PARENT = "tap-lucca"
#: Settings that say which tenant a client is and let it in: never shared, never inherited.
IDENTITY = ("api_url", "tenant")
CREDENTIALS = ("api_key", "client_id", "client_secret")
#: Environments that must keep their state outside the project folder.
SHARED_STATE_ENVIRONMENTS = frozenset({"prod"})
#: Meltano commands at once while reading the clients' settings.
READERS = 4


class FleetError(Exception):
    """The fleet cannot start: nothing has moved."""


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclasses.dataclass(frozen=True)
class Client:
    """One client extractor, with its settings as Meltano resolves them."""

    name: str
    config: dict[str, Any] = dataclasses.field(repr=False)  # holds its credentials
    inherited: tuple[str, ...] = ()  # identity settings with tap-lucca's value

    @property
    def tenant(self) -> str:
        return self.config.get("tenant") or ""

    @property
    def api(self) -> str:
        return "legacy API" if self.config.get("api_key") else "new API"

    def variable(self, setting: str) -> str:
        return setting_variable(self.name, setting)

    def credentials_problem(self) -> str | None:
        key, client_id, secret = (self.config.get(name) for name in CREDENTIALS)
        if key and (client_id or secret):
            return (
                f"{self.name} has credentials for both APIs: give it either "
                f"{self.variable('api_key')} or {self.variable('client_id')} and "
                f"{self.variable('client_secret')}"
            )
        if key or (client_id and secret):
            return None
        if client_id or secret:
            missing = "client_secret" if client_id else "client_id"
            return f"{self.name} has no {missing}: set {self.variable(missing)}"
        return (
            f"{self.name} has no credentials: set {self.variable('api_key')} (legacy API), or "
            f"{self.variable('client_id')} and {self.variable('client_secret')} (new API)"
        )


def client_names(project: MeltanoProject) -> list[str]:
    """Every extractor that inherits from tap-lucca: one per client."""
    return [p["name"] for p in project.plugins("extractor") if p["inherit_from"] == PARENT]


def read_clients(
    names: list[str], configs: list[dict[str, Any]], parent: dict[str, Any]
) -> list[Client]:
    """Each client with its settings, and which identity settings it shares with
    tap-lucca: Meltano hands a client whatever tap-lucca has and the client does not set."""
    found = []
    for name, config in zip(names, configs, strict=True):
        inherited = tuple(
            setting
            for setting in (*IDENTITY, *CREDENTIALS)
            if config.get(setting) and config.get(setting) == parent.get(setting)
        )
        found.append(Client(name, config, inherited))
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
            continue
        if not client.tenant:
            problems.append(f"{client.name} has no label: set `tenant` in its clients/ file")
        if problem := client.credentials_problem():
            problems.append(problem)
    shared: tuple[tuple[str, Callable[[Client], str | None]], ...] = (
        ("the label", lambda c: c.tenant),
        ("the API key", lambda c: c.config.get("api_key") and digest(c.config["api_key"])),
        ("the client id", lambda c: c.config.get("client_id")),
        ("the URL", lambda c: (c.config.get("api_url") or "").rstrip("/").lower()),
    )
    for what, value_of in shared:
        holders = defaultdict(list)
        for client in fleet:
            if value := value_of(client):
                holders[value].append(client.name)
        for value, names in holders.items():
            if len(names) > 1:
                shown = f" {value!r}" if what == "the label" else ""
                problems.append(f"{' and '.join(names)} share {what}{shown}")
    return problems


def state_problem(project: MeltanoProject) -> str | None:
    if project.environment not in SHARED_STATE_ENVIRONMENTS:
        return None
    if project.config("meltano")["state_backend"]["uri"] == "systemdb":
        return (
            f"{project.environment} keeps state in a shared backend: set "
            "MELTANO_STATE_BACKEND_URI (e.g. gs://<bucket>/meltano-state)"
        )
    return None


def preflight(
    project: MeltanoProject, also: tuple[str, ...] = ()
) -> tuple[list[Client], dict[str, dict[str, Any]]]:
    """The clients, if none can land under another's name (else FleetError naming
    them), and the settings of the plugins `also` names, read alongside theirs."""

    def settings(plugin: str) -> dict[str, Any]:
        return project.config(plugin, secrets=True)

    with ThreadPoolExecutor(READERS) as pool:
        # tap-lucca's settings first, alone with the list: Meltano creates its system
        # database on a new project, and commands started together would race to create it.
        parent = pool.submit(settings, PARENT)
        names = client_names(project)
        if not names:
            raise FleetError(
                "no client yet: add one file per client under clients/, an extractor that "
                f"inherits from {PARENT} (see clients/examples/)"
            )
        parent_config = parent.result()
        state = pool.submit(state_problem, project)
        others = {plugin: pool.submit(project.config, plugin) for plugin in also}
        fleet = read_clients(names, list(pool.map(settings, names)), parent_config)
        problems = identity_problems(fleet) + [p for p in [state.result()] if p]
        found = {plugin: future.result() for plugin, future in others.items()}
    if problems:
        raise FleetError("\n".join(problems))
    return fleet, found
