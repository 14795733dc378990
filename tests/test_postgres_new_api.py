"""The new Lucca API on PostgreSQL: `meltano run tap-lucca target-postgres`, then
`dbt-postgres:build-new-api` builds and tests the new API's staging and the contracts
placed in their job position over time."""

from __future__ import annotations

import os

import psycopg
import pytest

from lucca_emulator import LuccaEmulator, Tenant
from lucca_emulator.v5 import TOKEN_PATH
from tests.conftest import run_meltano
from tests.postgres_server import loader_and_dbt_settings, postgres_server
from tests.test_employment_job_positions import RESOURCES, day, job_positions_in_force


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A new-API tenant loaded into PostgreSQL and modelled; its truth, and a connection."""
    tmp = tmp_path_factory.mktemp("postgres_new_api")
    tenant = Tenant.generate(users=150, seed=23)
    client_id, secret = "pg-client", "pg&secret+=%"
    with (
        postgres_server() as server,
        LuccaEmulator(tenant, client_id=client_id, client_secret=secret) as emulator,
    ):
        env = {
            **{k: v for k, v in os.environ.items() if k != "TAP_LUCCA_API_KEY"},
            "TAP_LUCCA_API_URL": emulator.url,
            "TAP_LUCCA_CLIENT_ID": client_id,
            "TAP_LUCCA_CLIENT_SECRET": secret,
            "TAP_LUCCA_OAUTH_TOKEN_URL": emulator.url + TOKEN_PATH,
            "TAP_LUCCA_MAX_REQUESTS_PER_MINUTE": "100000",
            **loader_and_dbt_settings(server),
            "DBT_TARGET_PATH": str(tmp / "dbt"),
            "DBT_LOG_PATH": str(tmp / "dbt"),
            "MELTANO_STATE_BACKEND_URI": f"file://{tmp}/state",
        }
        loaded = run_meltano(env, "--environment=dev", "run", "tap-lucca", "target-postgres")
        assert loaded.returncode == 0, loaded.stderr[-3000:]
        built = run_meltano(env, "--environment=dev", "invoke", "dbt-postgres:build-new-api")
        assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
        truth = {resource: emulator.v5.records(resource) for resource in RESOURCES.values()}
        with psycopg.connect(**server) as connection:
            yield tenant, truth, connection


def test_the_new_api_staging_holds_every_live_record(built):
    _, truth, connection = built
    staged = {
        model: connection.execute(f"select count(*) from dev_staging.{model}").fetchone()[0]
        for model in RESOURCES
    }

    assert all(staged.values())
    assert staged == {model: len(truth[resource]) for model, resource in RESOURCES.items()}


def test_staged_employments_start_and_end_on_lucca_s_dates(built):
    _, truth, connection = built
    staged = connection.execute(
        "select employment_id, starts_on, ends_on from dev_staging.stg_employments"
    ).fetchall()

    assert set(staged) == {
        (int(e["id"]), day(e["start"]["date"]), day(e["end"] and e["end"]["date"]))
        for e in truth["employments"]
    }


def test_each_employment_has_one_row_per_job_position_in_force_during_it(built):
    tenant, truth, connection = built
    rows = connection.execute(
        "select employment_id, employee_id, job_position_id, job_title, department_id,"
        " department_name, manager_id, valid_from, valid_to, business_establishment_id"
        " from dev_analytics.employment_job_positions"
    ).fetchall()

    assert sorted(rows, key=str) == sorted(job_positions_in_force(tenant, truth), key=str)
