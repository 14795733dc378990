"""Loading into DuckDB with Meltano, and the analysis views built on it."""

from __future__ import annotations

import datetime
import os

import duckdb
import pytest

from scripts.run_models import build
from tests.conftest import API_KEY, run_meltano
from tests.emulator import LuccaEmulator, Tenant

STREAMS = ("users", "contracts", "departments", "establishments", "legal_units", "user_history")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """A tenant loaded into DuckDB by `meltano run tap-lucca target-duckdb`, views built."""
    tmp = tmp_path_factory.mktemp("warehouse")
    tenant = Tenant.generate(users=700, seed=13)
    database = tmp / "warehouse.duckdb"
    with LuccaEmulator(tenant, api_key=API_KEY) as emulator:
        env = {
            **os.environ,
            "TAP_LUCCA_API_URL": emulator.url,
            "TAP_LUCCA_API_KEY": API_KEY,
            "TAP_LUCCA_MAX_REQUESTS_PER_MINUTE": "100000",
            "TARGET_DUCKDB_FILEPATH": str(database),
            "MELTANO_STATE_BACKEND_URI": f"file://{tmp}/state",
        }
        result = run_meltano(env, "--environment=dev", "run", "tap-lucca", "target-duckdb")
    assert result.returncode == 0, result.stderr[-3000:]
    build(str(database))
    with duckdb.connect(str(database), read_only=True) as connection:
        yield tenant, connection


def rows(connection, sql: str) -> list[tuple]:
    return connection.execute(sql).fetchall()


def department_on(tenant: Tenant, user: dict, day: datetime.date) -> int:
    """The department a user was in on a day, by the same rule as the views."""
    changes = sorted(
        (
            log
            for log in tenant.userlogs
            if log["ownerId"] == user["id"] and log["name"] == "departmentid"
        ),
        key=lambda log: (log["startsOn"], log["id"]),
    )
    if not changes:
        return user["departmentID"]
    started = [c for c in changes if c["startsOn"][:10] <= day.isoformat()]
    return int((started or changes[:1])[-1]["value"])


@pytest.mark.parametrize("stream", STREAMS)
def test_every_stream_lands_as_a_table_with_every_row(warehouse, stream):
    tenant, connection = warehouse

    expected = tenant.userlogs if stream == "user_history" else getattr(tenant, stream)
    assert rows(connection, f"SELECT count(*) FROM lucca.{stream}") == [(len(expected),)]


def test_columns_are_typed(warehouse):
    _, connection = warehouse

    types = dict(
        rows(
            connection,
            "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'lucca'",
        )
    )
    assert types["users.id"] in {"BIGINT", "HUGEINT"}
    assert types["users.modifiedat"] == "TIMESTAMP"
    assert types["users.allowselectronicpayslip"] == "BOOLEAN"
    assert types["departments.level"] in {"BIGINT", "HUGEINT"}
    assert types["users.tenant"] == "VARCHAR"


def test_department_tree_depth_and_path_follow_the_parents(warehouse):
    tenant, connection = warehouse

    tree = {
        row[0]: row[1:]
        for row in rows(
            connection,
            "SELECT department_id, depth, path, parent_department_id "
            "FROM analytics.department_tree",
        )
    }
    assert len(tree) == len(tenant.departments)
    levels = dict(rows(connection, "SELECT id, level FROM lucca.departments"))
    for department_id, (depth, path, parent) in tree.items():
        assert depth == levels[department_id]
        if parent is not None:
            assert path.startswith(tree[parent][1] + " > ")


def test_contracts_are_placed_in_the_department_of_their_start(warehouse):
    tenant, connection = warehouse

    placed = dict(
        rows(connection, "SELECT contract_id, department_id FROM analytics.contracts_placed")
    )
    users = {user["id"]: user for user in tenant.users}
    assert len(placed) == len(tenant.contracts)
    for contract in tenant.contracts:
        day = datetime.date.fromisoformat(contract["startsOn"])
        assert placed[contract["id"]] == department_on(tenant, users[contract["ownerId"]], day)


def covers(contract: dict, day: str) -> bool:
    return contract["startsOn"] <= day and (contract["endsOn"] is None or contract["endsOn"] >= day)


def test_headcount_at_the_last_month_end_counts_each_department(warehouse):
    tenant, connection = warehouse

    [(month_end,)] = rows(
        connection, "SELECT max(month_end) FROM analytics.headcount_by_department_month"
    )
    counted = dict(
        rows(
            connection,
            "SELECT department_id, headcount FROM analytics.headcount_by_department_month "
            f"WHERE month_end = DATE '{month_end}' AND headcount > 0",
        )
    )
    users = {user["id"]: user for user in tenant.users}
    employed = {c["ownerId"] for c in tenant.contracts if covers(c, month_end.isoformat())}
    expected: dict[int, int] = {}
    for owner in employed:
        department = department_on(tenant, users[owner], month_end)
        expected[department] = expected.get(department, 0) + 1
    assert counted == expected


def test_hires_and_leavers_add_up_to_the_users_start_and_end_dates(warehouse):
    tenant, connection = warehouse

    [(hires, leavers)] = rows(
        connection, "SELECT sum(hires), sum(leavers) FROM analytics.headcount_by_department_month"
    )
    this_month = datetime.date.today().isoformat()[:7]
    # The months run from the first contract to this one: later dates are not counted.
    assert hires == sum(1 for u in tenant.users if (u["dtContractStart"] or "9")[:7] <= this_month)
    assert leavers == sum(1 for u in tenant.users if (u["dtContractEnd"] or "9")[:7] <= this_month)
