"""Dagster: one asset per client tenant, with Dagster's retries, concurrency and schedule.

    .venv/bin/dagster dev -f orchestrate/dagster_lucca.py        # UI on localhost:3000
    .venv/bin/dagster job execute -f orchestrate/dagster_lucca.py -j every_client

Nothing here lists the clients or repeats a setting: the assets are the client
extractors of the Meltano project (one file each under `clients/`); the cron, the
environment and the loader are the `clients-daily` schedule's; the concurrency limit,
the retries and the timeout are the `lucca-fleet` utility's settings. Legacy-API and
new-API clients alike. Before any client runs, the `client_identities` asset checks that
no two share a label, credentials or a URL (`orchestrate/clients.py`).
"""

# No `from __future__ import annotations`: Dagster reads the annotations at run time.
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    ConfigurableResource,
    Definitions,
    Failure,
    MaterializeResult,
    RetryPolicy,
    ScheduleDefinition,
    asset,
    define_asset_job,
    multiprocess_executor,
)

from orchestrate import fleet
from orchestrate.clients import FleetError, client_names, preflight
from orchestrate.meltano_cli import MeltanoError, MeltanoProject
from orchestrate.runs import Runner

PROJECT_DIR = Path(os.environ.get("MELTANO_PROJECT_ROOT") or Path(__file__).resolve().parents[1])
SCHEDULE = "clients-daily"
PROJECT = MeltanoProject(PROJECT_DIR)


def scheduled_run(schedule: dict[str, Any]) -> tuple[str, str, str]:
    """The `clients-daily` schedule's cron, environment and loader."""
    (task,) = schedule["job"]["tasks"]  # `lucca-fleet:<loader>`
    return schedule["cron_interval"], schedule["env"]["MELTANO_ENVIRONMENT"], task.split(":")[1]


# Every step's process loads these, so the Meltano commands run side by side; but the
# first that may create Meltano's system database runs alone (see clients.preflight).
with ThreadPoolExecutor(2) as _pool:
    _clients = _pool.submit(client_names, PROJECT)
    SETTINGS = fleet.settings(PROJECT)
    CRON, ENVIRONMENT, LOADER = scheduled_run(PROJECT.schedule(SCHEDULE))
    CLIENTS = _clients.result()


class Meltano(ConfigurableResource):
    """The Meltano environment the clients run in, and the loader they run into."""

    environment: str = ENVIRONMENT
    loader: str = LOADER


@asset
def client_identities(meltano: Meltano) -> dict[str, Any]:
    """Fails, naming them, if two clients would land under one label or key; else the
    catalog each client runs with (one discovery per distinct config) and the loader's
    settings."""
    project = PROJECT.in_environment(meltano.environment)
    try:
        clients, found = preflight(project, (meltano.loader,))
        catalogs = fleet.shared_catalogs(project, clients, project.root / ".meltano/run/dagster")
    except (FleetError, MeltanoError) as error:
        raise Failure(description=str(error)) from error
    catalog_paths = {name: str(path) for name, path in catalogs.items()}
    return {"catalogs": catalog_paths, "loader": found[meltano.loader]}


def client_asset(client: str) -> AssetsDefinition:
    @asset(
        name=client.replace("-", "_"),
        group_name="clients",
        retry_policy=RetryPolicy(max_retries=SETTINGS["retries"]),
        description=f"`meltano run {client} <loader>`: the tenant's records, state of its own.",
    )
    def tenant(
        context: AssetExecutionContext, meltano: Meltano, client_identities: dict[str, Any]
    ) -> MaterializeResult:
        project = PROJECT.in_environment(meltano.environment)
        catalogs = {client: Path(client_identities["catalogs"][client])}
        loader_config = client_identities["loader"]
        runner = Runner(project, meltano.loader, SETTINGS["timeout"], catalogs, loader_config)
        outcome = runner.run(client)
        context.log.info(outcome.line())
        metadata = {"records": outcome.records, "seconds": round(outcome.seconds, 1)}
        if not outcome.ok:
            raise Failure(description=f"{client}: {outcome.why}", metadata=metadata)
        return MaterializeResult(metadata=metadata)

    return tenant


every_client = define_asset_job(
    "every_client",
    executor_def=multiprocess_executor.configured({"max_concurrent": SETTINGS["concurrency"]}),
)
daily = ScheduleDefinition(job=every_client, cron_schedule=CRON)

defs = Definitions(
    assets=[client_identities, *(client_asset(c) for c in CLIENTS)],
    resources={"meltano": Meltano()},
    jobs=[every_client],
    schedules=[daily],
)
