"""`meltano run tap-lucca target-duckdb dbt-duckdb:build`: the tenant lands in DuckDB
and the dbt models (transform/) are built and tested, in one command."""

from __future__ import annotations

import datetime
import itertools
import json
import os

import duckdb
import pytest

from lucca_emulator import LuccaEmulator, Tenant
from tests import hr_truth
from tests.conftest import API_KEY, run_meltano
from tests.truth import LEGACY_STREAMS

STREAMS = LEGACY_STREAMS


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """A tenant landed and modelled by one `meltano run`, and the dbt docs generated."""
    tmp = tmp_path_factory.mktemp("warehouse")
    tenant = Tenant.generate(users=700, seed=13)
    database = tmp / "warehouse.duckdb"
    env = {
        **os.environ,
        "TAP_LUCCA_API_KEY": API_KEY,
        "TAP_LUCCA_MAX_REQUESTS_PER_MINUTE": "100000",
        "TARGET_DUCKDB_FILEPATH": str(database),
        "DBT_DUCKDB_PATH": str(database),
        "DBT_TARGET_PATH": str(tmp / "dbt"),
        "DBT_LOG_PATH": str(tmp / "dbt"),
        "MELTANO_STATE_BACKEND_URI": f"file://{tmp}/state",
    }
    with LuccaEmulator(tenant, api_key=API_KEY) as emulator:
        env["TAP_LUCCA_API_URL"] = emulator.url
        run = run_meltano(
            env, "--environment=dev", "run", "tap-lucca", "target-duckdb", "dbt-duckdb:build"
        )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    docs = run_meltano(env, "--environment=dev", "invoke", "dbt-duckdb:docs-generate")
    assert docs.returncode == 0, docs.stdout[-3000:] + docs.stderr[-3000:]
    with duckdb.connect(str(database), read_only=True) as connection:
        yield tenant, connection, tmp / "dbt"


def rows(connection, sql: str) -> list[tuple]:
    return connection.execute(sql).fetchall()


@pytest.mark.parametrize("stream", STREAMS)
def test_every_stream_lands_as_a_table_with_every_row(warehouse, stream):
    tenant, connection, _ = warehouse

    expected = tenant.userlogs if stream == "user_history" else getattr(tenant, stream)
    assert rows(connection, f"SELECT count(*) FROM lucca.{stream}") == [(len(expected),)]
    staged = rows(connection, f"SELECT count(*) FROM dev_staging.stg_{stream}")
    assert staged == [(len(expected),)]


def test_landed_columns_are_typed(warehouse):
    _, connection, _ = warehouse

    types = dict(
        rows(
            connection,
            "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'lucca'",
        )
    )
    assert types["users.id"] == "BIGINT"
    assert types["contracts.ownerid"] == "BIGINT"
    assert types["users.modifiedat"] == "TIMESTAMP"
    assert types["users.fulltimeequivalent"] == "DOUBLE"
    assert types["users.allowselectronicpayslip"] == "BOOLEAN"
    # target-duckdb 0.8.0 knows no `format: date`: dates land as text, staging types them.
    assert types["contracts.startson"] == "VARCHAR"
    assert types["users.dtcontractstart"] == "VARCHAR"


def test_staging_columns_are_typed_and_snake_case(warehouse):
    _, connection, _ = warehouse

    types = dict(
        rows(
            connection,
            "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'dev_staging'",
        )
    )
    assert types["stg_contracts.starts_on"] == "DATE"
    assert types["stg_contracts.contract_id"] == "BIGINT"
    assert types["stg_users.contract_starts_on"] == "DATE"
    assert types["stg_users.modified_at"] == "TIMESTAMP"
    assert types["stg_user_history.starts_on"] == "DATE"
    assert all(name == name.lower() for name in types)


def test_department_tree_depth_and_path_follow_the_parents(warehouse):
    tenant, connection, _ = warehouse

    tree = {
        row[0]: row[1:]
        for row in rows(
            connection,
            "SELECT department_id, depth, path, parent_department_id, id_path "
            "FROM dev_analytics.department_tree",
        )
    }
    assert len(tree) == len(tenant.departments)
    by_id = {d["id"]: d for d in tenant.departments}
    for department_id, (depth, path, parent, id_path) in tree.items():
        chain = [department_id]
        while (up := hr_truth.parent_of(tenant, by_id[chain[-1]])) is not None:
            chain.append(up)
        assert depth == len(chain)
        assert path == " > ".join(by_id[d]["name"] for d in reversed(chain))
        assert id_path == "/" + "".join(f"{d}/" for d in reversed(chain))
        assert parent == (chain[1] if len(chain) > 1 else None)


def test_department_ancestors_list_each_ancestor_once(warehouse):
    tenant, connection, _ = warehouse

    ancestors = rows(
        connection,
        "SELECT department_id, ancestor_department_id FROM dev_analytics.department_ancestors",
    )
    by_id = {d["id"]: d for d in tenant.departments}
    expected = []
    for department in tenant.departments:
        current: int | None = department["id"]
        while current is not None:
            expected.append((department["id"], current))
            current = hr_truth.parent_of(tenant, by_id[current])
    assert sorted(ancestors) == sorted(expected)


def test_contracts_are_placed_in_the_department_of_their_start(warehouse):
    tenant, connection, _ = warehouse

    placed = dict(
        rows(connection, "SELECT contract_id, department_id FROM dev_analytics.contracts_placed")
    )
    users = {user["id"]: user for user in tenant.users}
    assert len(placed) == len(tenant.contracts)
    for contract in tenant.contracts:
        day = datetime.date.fromisoformat(contract["startsOn"])
        expected = hr_truth.department_on(tenant, users[contract["ownerId"]], day)
        assert placed[contract["id"]] == expected


def test_department_periods_cover_each_contract_day_in_its_department(warehouse):
    tenant, connection, _ = warehouse

    periods: dict[int, list[tuple]] = {}
    for contract_id, department, starts, ends, title in rows(
        connection,
        "SELECT contract_id, department_id, starts_on, ends_on, job_title "
        "FROM dev_analytics.contract_department_periods ORDER BY starts_on",
    ):
        periods.setdefault(contract_id, []).append((department, starts, ends, title))
    users = {user["id"]: user for user in tenant.users}
    assert set(periods) == {c["id"] for c in tenant.contracts}
    for contract in tenant.contracts:
        user = users[contract["ownerId"]]
        parts = periods[contract["id"]]
        assert parts[0][1] == datetime.date.fromisoformat(contract["startsOn"])
        assert parts[-1][2] == (
            contract["endsOn"] and datetime.date.fromisoformat(contract["endsOn"])
        )
        for (_, _, ends, _), (_, starts, _, _) in itertools.pairwise(parts):
            assert starts == ends + datetime.timedelta(days=1)
        for department, starts, _, title in parts:
            assert department == hr_truth.department_on(tenant, user, starts)
            assert title == user["jobTitle"]


def headcount_at(connection, month_end: datetime.date) -> dict[int, tuple]:
    return {
        row[0]: row[1:]
        for row in rows(
            connection,
            "SELECT department_id, headcount, people_headcount, fte_headcount "
            "FROM dev_analytics.headcount_by_department_month "
            f"WHERE month_end = DATE '{month_end}' AND headcount > 0",
        )
    }


def test_headcount_of_last_month_counts_each_department_on_its_last_day(warehouse):
    tenant, connection, _ = warehouse

    month_end = hr_truth.last_complete_month_end(tenant.today)
    users = {user["id"]: user for user in tenant.users}
    expected: dict[int, int] = {}
    for owner in hr_truth.employed_on(tenant, month_end):
        department = hr_truth.department_on(tenant, users[owner], month_end)
        expected[department] = expected.get(department, 0) + 1
    counted = {d: figures[0] for d, figures in headcount_at(connection, month_end).items()}
    assert counted == expected


def test_fte_headcount_of_last_month_sums_each_persons_working_time(warehouse):
    tenant, connection, _ = warehouse

    month_end = hr_truth.last_complete_month_end(tenant.today)
    users = {user["id"]: user for user in tenant.users}
    expected: dict[int, float] = {}
    for owner in hr_truth.employed_on(tenant, month_end):
        department = hr_truth.department_on(tenant, users[owner], month_end)
        expected[department] = expected.get(department, 0.0) + hr_truth.fte(users[owner])
    counted = {d: float(figures[2]) for d, figures in headcount_at(connection, month_end).items()}
    assert counted.keys() == expected.keys()
    assert sum(expected.values()) < len(hr_truth.employed_on(tenant, month_end))  # part-timers
    for department, fte in expected.items():
        assert counted[department] == pytest.approx(fte, abs=1e-3)


def test_people_headcount_counts_two_accounts_sharing_a_mail_once(warehouse):
    tenant, connection, _ = warehouse

    month_end = hr_truth.last_complete_month_end(tenant.today)
    users = {user["id"]: user for user in tenant.users}
    people: dict[int, set[str]] = {}
    for owner in hr_truth.employed_on(tenant, month_end):
        department = hr_truth.department_on(tenant, users[owner], month_end)
        people.setdefault(department, set()).add(users[owner]["mail"].lower())
    counted = headcount_at(connection, month_end)
    assert {d: figures[1] for d, figures in counted.items()} == {
        d: len(mails) for d, mails in people.items()
    }
    # The tenant has a person with two accounts: the figures differ by them.
    assert sum(f[0] for f in counted.values()) > sum(f[1] for f in counted.values())


def test_current_month_counts_no_future_hire(warehouse):
    tenant, connection, _ = warehouse

    month_end = (tenant.today.replace(day=28) + datetime.timedelta(days=4)).replace(
        day=1
    ) - datetime.timedelta(days=1)
    [(headcount,)] = rows(
        connection,
        "SELECT sum(headcount) FROM dev_analytics.headcount_by_department_month "
        f"WHERE month_end = DATE '{month_end}'",
    )
    assert tenant.future_user_ids()
    assert headcount == len(hr_truth.employed_on(tenant, tenant.today))


def test_hires_and_leavers_add_up_to_the_users_start_and_end_dates(warehouse):
    tenant, connection, _ = warehouse

    [(hires, leavers)] = rows(
        connection,
        "SELECT sum(hires), sum(leavers) FROM dev_analytics.headcount_by_department_month",
    )
    this_month = tenant.today.isoformat()[:7]
    # The months run from the first contract to this one: later dates are not counted.
    assert hires == sum(1 for u in tenant.users if (u["dtContractStart"] or "9")[:7] <= this_month)
    assert leavers == sum(1 for u in tenant.users if (u["dtContractEnd"] or "9")[:7] <= this_month)


def test_docs_describe_every_mart_column(warehouse):
    _, _, target = warehouse

    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    marts = {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "dev_analytics"
    }
    assert len(marts) >= 6
    for name, node in marts.items():
        built = catalog["nodes"][node["unique_id"]]["columns"]
        described = {column for column, spec in node["columns"].items() if spec["description"]}
        assert set(built) == described, name
