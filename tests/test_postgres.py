"""`meltano run tap-lucca target-postgres dbt-postgres:build` on a real PostgreSQL
server: typed tables, merged in place by a second, incremental run, and the dbt models
built and tested on them."""

from __future__ import annotations

import dataclasses
import datetime
import os

import psycopg
import pytest

from lucca_emulator import LuccaEmulator, Tenant
from tests import hr_truth
from tests.conftest import API_KEY, run_meltano
from tests.postgres_server import loader_and_dbt_settings, postgres_server
from tests.test_deletions import delete_a_contract_and_a_department
from tests.test_warehouse import (
    ABSENTEEISM,
    assert_absenteeism_is_the_truth,
    wide_view,
    wide_view_name,
)

TABLES = {
    "users": "users",
    "contracts": "contracts",
    "departments": "departments",
    "user_history": "userlogs",
    "contract_types": "contract_types",
}


@dataclasses.dataclass
class Loaded:
    """Two runs into PostgreSQL, and what happened in the tenant between them."""

    tenant: Tenant
    connection: psycopg.Connection
    first_counts: dict[str, int]
    changed: list[int]
    hired: list[dict]
    reloaded: set[int]  # users written by the second run
    deleted: dict[str, int]  # table -> the id deleted in Lucca between the runs
    env: dict[str, str]  # to run dbt again
    cancelled: list[str]  # the leaves of a period cancelled in Lucca between the runs


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    """A tenant loaded and modelled twice, with changes between the runs."""
    tmp = tmp_path_factory.mktemp("postgres")
    tenant = Tenant.generate(users=300, seed=11)  # has a department without members
    with postgres_server() as server, LuccaEmulator(tenant, api_key=API_KEY) as emulator:
        env = {
            **os.environ,
            "TAP_LUCCA_API_URL": emulator.url,
            "TAP_LUCCA_API_KEY": API_KEY,
            "TAP_LUCCA_MAX_REQUESTS_PER_MINUTE": "100000",
            **loader_and_dbt_settings(server),
            "DBT_TARGET_PATH": str(tmp / "dbt"),
            "DBT_LOG_PATH": str(tmp / "dbt"),
            "MELTANO_STATE_BACKEND_URI": f"file://{tmp}/state",
        }
        command = ("--environment=dev", "run", "tap-lucca", "target-postgres", "dbt-postgres:build")
        with psycopg.connect(**server) as connection:
            connection.autocommit = True
            first = run_meltano(env, *command)
            assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
            first_counts = {table: count(connection, f"lucca.{table}") for table in TABLES}
            [(first_batch,)] = connection.execute(
                "SELECT max(_sdc_batched_at) FROM lucca.users"
            ).fetchall()
            changed = tenant.simulate_activity(5, seed=1)
            hired = tenant.hire(2)
            contract, department = delete_a_contract_and_a_department(tenant)
            cancelled = cancel_a_period(tenant)
            second = run_meltano(env, *command)
            assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
            reloaded = {
                user_id
                for (user_id,) in connection.execute(
                    "SELECT id FROM lucca.users WHERE _sdc_batched_at > %s", (first_batch,)
                ).fetchall()
            }
            deleted = {"contracts": contract, "departments": department}
            yield Loaded(
                tenant, connection, first_counts, changed, hired, reloaded, deleted, env, cancelled
            )


def cancel_a_period(tenant: Tenant) -> list[str]:
    """Cancel the first leave period that stands and is approved."""
    period = next(
        leave["leavePeriodId"]
        for leave in tenant.leaves
        if leave["isActive"] and leave["leavePeriod"]["isConfirmed"]
    )
    return tenant.absences.cancel(period)


def count(connection, table: str) -> int:
    return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_first_run_lands_every_row(postgres):
    # The first run saw the tenant before the hires and the deletions.
    assert postgres.first_counts["users"] == len(postgres.tenant.users) - len(postgres.hired)
    assert (
        postgres.first_counts["contracts"]
        == len(postgres.tenant.contracts) - len(postgres.hired) + 1
    )
    assert postgres.first_counts["departments"] == len(postgres.tenant.departments) + 1


@pytest.mark.parametrize(("table", "truth"), TABLES.items())
def test_second_run_merges_without_duplicates(postgres, table, truth):
    live = count(postgres.connection, f"lucca.{table} WHERE _sdc_deleted_at IS NULL")
    assert live == len(getattr(postgres.tenant, truth))
    keys = postgres.connection.execute(
        f"SELECT count(*) FROM (SELECT DISTINCT tenant, id FROM lucca.{table}) AS keys"
    ).fetchone()[0]
    assert keys == count(postgres.connection, f"lucca.{table}")


@pytest.mark.parametrize("table", ["contracts", "departments"])
def test_a_row_deleted_in_lucca_is_marked_deleted_and_left_out_of_staging(postgres, table):
    deleted = postgres.deleted[table]
    marked = postgres.connection.execute(
        f"SELECT id FROM lucca.{table} WHERE _sdc_deleted_at IS NOT NULL"
    ).fetchall()
    staged = postgres.connection.execute(
        f"SELECT count(*) FROM dev_staging.stg_{table} WHERE {table[:-1]}_id = %s", (deleted,)
    ).fetchone()[0]

    assert marked == [(deleted,)]
    assert staged == 0


def test_second_run_updates_changed_users_in_place(postgres):
    titles = dict(
        postgres.connection.execute(
            'SELECT id, "jobTitle" FROM lucca.users WHERE id = ANY(%s)', (postgres.changed,)
        ).fetchall()
    )
    assert titles == {
        user_id: postgres.tenant.user(user_id)["jobTitle"] for user_id in postgres.changed
    }


def test_second_run_reads_only_the_users_changed_since_the_first(postgres):
    assert {*postgres.changed, *(user["id"] for user in postgres.hired)} <= postgres.reloaded
    # Lucca's `since` is inclusive: the bookmark's own users may come again, not everyone.
    assert len(postgres.reloaded) < len(postgres.tenant.users) // 10


def test_landed_columns_are_typed(postgres):
    types = dict(
        postgres.connection.execute(
            "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'lucca'"
        ).fetchall()
    )
    assert types["contracts.startsOn"] == "date"
    assert types["contracts.id"] == "bigint"
    assert types["contracts.ownerId"] == "bigint"
    assert types["users.modifiedAt"].startswith("timestamp")
    assert types["users.dtContractStart"] == "date"
    assert types["users.fullTimeEquivalent"] in {"numeric", "double precision"}


def test_models_are_built_with_typed_columns(postgres):
    types = dict(
        postgres.connection.execute(
            "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
            "WHERE table_schema IN ('dev_staging', 'dev_analytics')"
        ).fetchall()
    )
    assert types["stg_contracts.starts_on"] == "date"
    assert types["stg_users.user_id"] == "bigint"
    assert types["headcount_by_department_month.month_end"] == "date"


def test_headcount_of_last_month_matches_the_emulator(postgres):
    month_end = hr_truth.last_complete_month_end(datetime.date.today())
    [(headcount, fte)] = postgres.connection.execute(
        "SELECT sum(headcount), sum(fte_headcount) "
        "FROM dev_analytics.headcount_by_department_month WHERE month_end = %s",
        (month_end,),
    ).fetchall()
    employed = hr_truth.employed_on(postgres.tenant, month_end)
    assert headcount == len(employed)
    expected_fte = sum(hr_truth.fte(postgres.tenant.user(owner)) for owner in employed)
    assert float(fte) == pytest.approx(expected_fte, abs=1e-3)


def test_rows_marked_deleted_by_the_loader_are_left_out_of_staging(postgres):
    contract_id = postgres.tenant.contracts[0]["id"]
    staged = "SELECT count(*) FROM dev_staging.stg_contracts WHERE contract_id = %s"
    assert postgres.connection.execute(staged, (contract_id,)).fetchone() == (1,)
    # As target-postgres marks a row that an ACTIVATE_VERSION retired (hard_delete off).
    with postgres.connection.transaction():
        postgres.connection.execute(
            "UPDATE lucca.contracts SET _sdc_deleted_at = now() WHERE id = %s", (contract_id,)
        )
        assert postgres.connection.execute(staged, (contract_id,)).fetchone() == (0,)
        raise psycopg.Rollback


def test_custom_field_values_hold_every_value_typed_with_its_field_name(postgres):
    landed = postgres.connection.execute(
        "SELECT employee_id, field_id, field_name, field_type, position, text_value,"
        " number_value, date_value, boolean_value, list_entry_id, list_entry_label"
        " FROM dev_analytics.custom_field_values"
    ).fetchall()

    assert len(landed) == len(set(landed))
    assert set(landed) == hr_truth.custom_field_rows(postgres.tenant)


def test_each_user_is_joined_to_the_cost_center_of_the_axis_that_holds_them(postgres):
    landed = {
        user: (None if section is None else (section, code, name))
        for user, section, code, name in postgres.connection.execute(
            "SELECT user_id, cost_center_id, cost_center_code, cost_center_name"
            " FROM dev_staging.stg_user_cost_centers"
        ).fetchall()
    }

    assert landed == hr_truth.cost_centers(postgres.tenant)


def test_the_wide_view_has_one_column_per_field_name_and_one_row_per_person(postgres):
    [(label,)] = postgres.connection.execute("SELECT DISTINCT tenant FROM lucca.users").fetchall()
    run = wide_view(postgres.env, "dbt-postgres", label)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    cursor = postgres.connection.execute(f"SELECT * FROM dev_analytics.{wide_view_name(label)}")
    columns = [d.name for d in cursor.description]
    landed = {
        row[1]: {c: v for c, v in zip(columns[2:], row[2:], strict=True) if v is not None}
        for row in cursor.fetchall()
    }
    assert columns[:2] == ["tenant", "employee_id"]
    assert landed == hr_truth.custom_fields_wide(postgres.tenant)


def test_a_leave_cancelled_in_lucca_is_marked_deleted_and_left_out_of_staging(postgres):
    marked = {
        leave_id
        for (leave_id,) in postgres.connection.execute(
            "SELECT id FROM lucca.leaves WHERE _sdc_deleted_at IS NOT NULL"
        ).fetchall()
    }
    staged = postgres.connection.execute(
        "SELECT count(*) FROM dev_staging.stg_leaves WHERE leave_id = ANY(%s)",
        (postgres.cancelled,),
    ).fetchone()[0]

    assert set(postgres.cancelled) <= marked
    assert marked == {leave["id"] for leave in postgres.tenant.leaves if leave["cancellationDate"]}
    assert staged == 0
    assert count(postgres.connection, "dev_staging.stg_leaves") == len(
        postgres.tenant.leaves
    ) - len(marked)


def test_absenteeism_on_postgresql_matches_the_emulator(postgres):
    execute = postgres.connection.execute

    assert_absenteeism_is_the_truth(
        postgres.tenant,
        lambda first: execute(ABSENTEEISM.format(first="%s"), (first,)).fetchall(),
    )
