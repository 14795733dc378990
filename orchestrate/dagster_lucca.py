"""Dagster recipe: every client tenant, every day, one Meltano run each, in parallel.

Each tenant has its own 50 requests/minute, so tenants run side by side: a day's
wall time is about the slowest tenant's, not the sum. Each client is an extractor
that inherits from `tap-lucca` in meltano.yml, so each has its own URL, key and
Meltano state; this file finds them there, and needs no change when a client is
added.

    dagster dev -f orchestrate/dagster_lucca.py          # UI, schedule included
    dagster job execute -f orchestrate/dagster_lucca.py -j every_client
"""

# No `from __future__ import annotations`: Dagster reads the annotations at run time.
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import yaml
from dagster import (
    Config,
    Definitions,
    DynamicOut,
    DynamicOutput,
    OpExecutionContext,
    ScheduleDefinition,
    job,
    multiprocess_executor,
    op,
)

PROJECT_DIR = Path(__file__).resolve().parents[1]


def client_extractors(project_dir: Path = PROJECT_DIR) -> list[str]:
    """The extractors of meltano.yml that inherit from tap-lucca: one per client."""
    project = yaml.safe_load((project_dir / "meltano.yml").read_text())
    extractors = project["plugins"]["extractors"]
    return [e["name"] for e in extractors if e.get("inherit_from") == "tap-lucca"]


class RunConfig(Config):
    """Where each tenant's run loads, and in which Meltano environment.

    `env` adds environment variables to each run, `{extractor}` naming the client:
    e.g. `{"TARGET_JSONL_DESTINATION_PATH": "output/{extractor}"}`, or a BigQuery
    dataset per client with `TARGET_BIGQUERY_DATASET`.
    """

    loader: str = "target-bigquery"
    environment: str = "prod"
    env: dict[str, str] = {}  # noqa: RUF012


@op(out=DynamicOut(str))
def clients() -> Iterator[DynamicOutput[str]]:
    for extractor in client_extractors():
        yield DynamicOutput(extractor, mapping_key=extractor.replace("-", "_"))


@op
def meltano_run(context: OpExecutionContext, config: RunConfig, extractor: str) -> str:
    """`meltano run <client extractor> <loader>`: state, retries and logs are Meltano's."""
    meltano = shutil.which("meltano", path=os.environ.get("PATH")) or "meltano"
    command = [meltano, f"--environment={config.environment}", "run", extractor, config.loader]
    context.log.info("Running %s", " ".join(command[1:]))
    env = {**os.environ, **{k: v.format(extractor=extractor) for k, v in config.env.items()}}
    result = subprocess.run(
        command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        # Meltano's last lines say what failed; the tap never logs its key.
        raise RuntimeError(f"{extractor} failed:\n" + "\n".join(result.stderr.splitlines()[-15:]))
    return extractor


@job(executor_def=multiprocess_executor.configured({"max_concurrent": 8}))
def every_client() -> None:
    clients().map(meltano_run)


daily = ScheduleDefinition(job=every_client, cron_schedule="0 5 * * *")

defs = Definitions(jobs=[every_client], schedules=[daily])
