"""`meltano run tap-lucca target-duckdb dbt-duckdb:build`: the tenant lands in DuckDB
and the dbt models (transform/) are built and tested, in one command."""

from __future__ import annotations

import datetime
import itertools
import json
import os
import re
from typing import TYPE_CHECKING

import duckdb
import pytest

from lucca_emulator import LuccaEmulator, Tenant
from tests import hr_truth
from tests.conftest import API_KEY, duckdb_warehouse, run_meltano
from tests.truth import LEGACY_STREAMS, hours

if TYPE_CHECKING:
    import subprocess

STREAMS = LEGACY_STREAMS


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """A tenant landed and modelled by one `meltano run`, and the dbt docs generated."""
    tmp = tmp_path_factory.mktemp("warehouse")
    tenant = Tenant.generate(users=700, seed=13)
    env = {**os.environ, "TAP_LUCCA_API_KEY": API_KEY, **duckdb_warehouse(tmp)}
    with LuccaEmulator(tenant, api_key=API_KEY) as emulator:
        env["TAP_LUCCA_API_URL"] = emulator.url
        run = run_meltano(
            env, "--environment=dev", "run", "tap-lucca", "target-duckdb", "dbt-duckdb:build"
        )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    docs = run_meltano(env, "--environment=dev", "invoke", "dbt-duckdb:docs-generate")
    assert docs.returncode == 0, docs.stdout[-3000:] + docs.stderr[-3000:]
    wide = wide_view(env, "dbt-duckdb", tenant_label(env["TAP_LUCCA_API_URL"]))
    assert wide.returncode == 0, wide.stdout[-3000:] + wide.stderr[-3000:]
    with duckdb.connect(env["TARGET_DUCKDB_FILEPATH"], read_only=True) as connection:
        yield tenant, connection, tmp / "dbt"


def tenant_label(api_url: str) -> str:
    """The `tenant` of the records when the setting is not given: host and port."""
    return api_url.removeprefix("http://")


def wide_view(env: dict, dbt: str, tenant: str) -> subprocess.CompletedProcess:
    """`dbt run-operation create_custom_fields_wide_view` for one tenant."""
    arguments = json.dumps({"tenant": tenant})
    command = ("invoke", dbt, "run-operation", "create_custom_fields_wide_view", "--args")
    return run_meltano(env, "--environment=dev", *command, arguments)


def wide_view_name(tenant: str) -> str:
    return "custom_fields_wide__" + re.sub("[^a-z0-9]+", "_", tenant.lower())


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


def test_custom_field_values_hold_every_value_typed_with_its_field_name(warehouse):
    tenant, connection, _ = warehouse

    landed = rows(
        connection,
        "SELECT employee_id, field_id, field_name, field_type, position, text_value,"
        " number_value, date_value, boolean_value, list_entry_id, list_entry_label"
        " FROM dev_analytics.custom_field_values",
    )
    assert len(landed) == len(set(landed))
    assert set(landed) == hr_truth.custom_field_rows(tenant)


def test_each_user_is_joined_to_the_cost_center_of_the_axis_that_holds_them(warehouse):
    tenant, connection, _ = warehouse

    landed = {
        user: (None if section is None else (section, code, name))
        for user, section, code, name in rows(
            connection,
            "SELECT user_id, cost_center_id, cost_center_code, cost_center_name"
            " FROM dev_staging.stg_user_cost_centers",
        )
    }
    assert landed == hr_truth.cost_centers(tenant)
    assert rows(
        connection,
        "SELECT DISTINCT cost_center_axis_id FROM dev_staging.stg_user_cost_centers"
        " WHERE cost_center_axis_id IS NOT NULL",
    ) == [(4,)]


def test_the_wide_view_has_one_column_per_field_name_and_one_row_per_person(warehouse):
    tenant, connection, _ = warehouse
    [(label,)] = rows(connection, "SELECT DISTINCT tenant FROM lucca.users")

    cursor = connection.execute(f"SELECT * FROM dev_analytics.{wide_view_name(label)}")
    columns = [d[0] for d in cursor.description]
    landed = {
        row[1]: {c: v for c, v in zip(columns[2:], row[2:], strict=True) if v is not None}
        for row in cursor.fetchall()
    }
    assert columns[:2] == ["tenant", "employee_id"]
    assert sorted(columns[2:]) == sorted(d.name for d in tenant.custom_fields.definitions)
    assert landed == hr_truth.custom_fields_wide(tenant)


def test_absences_by_person_day_hold_every_leave_not_cancelled_in_days_or_hours(warehouse):
    tenant, connection, _ = warehouse
    units = {account["id"]: account["unit"] for account in tenant.leave_accounts}
    expected: dict[tuple, list] = {}
    for leave in tenant.leaves:
        if leave["cancellationDate"]:
            continue
        key = (leave["leavePeriod"]["ownerId"], leave["date"][:10], leave["leaveAccountId"])
        row = expected.setdefault(key, [0, None, None])
        row[0] += 1
        if units[leave["leaveAccountId"]] == "hours":
            row[2] = (row[2] or 0) + hours(leave["value"])
        else:
            row[1] = row[0] / 2

    got = rows(
        connection,
        "SELECT user_id, CAST(absence_date AS VARCHAR), leave_account_id, half_days, days, hours "
        "FROM dev_analytics.absences_by_person_day",
    )
    assert {tuple(key): [half_days, days, away] for *key, half_days, days, away in got} == expected


#: The mart's rows from a month on ({first}: the driver's placeholder), where anyone
#: is in post or away.
ABSENTEEISM = (
    "SELECT month_end, department_id, headcount, working_days, absent_days, absent_hours, "
    "absence_rate FROM dev_analytics.absenteeism_by_department_month "
    "WHERE month_end >= {first} AND (headcount > 0 OR absent_days > 0 OR absent_hours > 0)"
)


def assert_absenteeism_is_the_truth(tenant, query) -> None:
    """The mart's rows (`query(sql, first month)`) against hr_truth's computation."""
    first = min(datetime.date.fromisoformat(leave["date"][:10]) for leave in tenant.leaves)
    expected = hr_truth.absenteeism(tenant, first.replace(day=1), datetime.date.today())

    mart = {(end, department): values for end, department, *values in query(first)}
    assert mart.keys() == expected.keys()
    for key, (headcount, working_days, days, hours_away, rate) in expected.items():
        assert mart[key][:2] == [headcount, working_days], key
        assert mart[key][2:4] == pytest.approx([days, hours_away]), key
        assert mart[key][4] == (None if rate is None else pytest.approx(rate)), key
    assert any(days > 0 for _, _, days, _, _ in expected.values())


def test_absenteeism_per_department_and_month_matches_the_emulator(warehouse):
    tenant, connection, _ = warehouse

    assert_absenteeism_is_the_truth(
        tenant,
        lambda first: connection.execute(ABSENTEEISM.format(first="?"), (first,)).fetchall(),
    )
