"""The core question in new-API mode: every contract with the job title, department
and manager in force over each stretch of it, loaded by Meltano and built by dbt."""

from __future__ import annotations

import datetime as dt
import os

import duckdb
import pytest

from lucca_emulator import LuccaEmulator, Tenant
from lucca_emulator.v5 import TOKEN_PATH
from tests.conftest import run_meltano

CLIENT_ID, CLIENT_SECRET = "dbt-client", "dbt&secret+=%"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A tenant loaded by `meltano run tap-lucca target-duckdb` in new-API mode, then
    the model and what it depends on built and tested by `dbt build`."""
    tmp = tmp_path_factory.mktemp("lucca_api")
    tenant = Tenant.generate(users=300, seed=17)
    database = tmp / "warehouse.duckdb"
    with LuccaEmulator(tenant, client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as emulator:
        env = {
            **os.environ,
            "TAP_LUCCA_API_URL": emulator.url,
            "TAP_LUCCA_CLIENT_ID": CLIENT_ID,
            "TAP_LUCCA_CLIENT_SECRET": CLIENT_SECRET,
            "TAP_LUCCA_OAUTH_TOKEN_URL": emulator.url + TOKEN_PATH,
            "TAP_LUCCA_MAX_REQUESTS_PER_MINUTE": "100000",
            "TARGET_DUCKDB_FILEPATH": str(database),
            "DBT_DUCKDB_PATH": str(database),
            "MELTANO_STATE_BACKEND_URI": f"file://{tmp}/state",
        }
        env.pop("TAP_LUCCA_API_KEY", None)
        loaded = run_meltano(env, "--environment=dev", "run", "tap-lucca", "target-duckdb")
        assert loaded.returncode == 0, loaded.stderr[-3000:]
        # The legacy models need the legacy streams: only this model and its parents.
        dbt = run_meltano(env, "--environment=dev", "invoke", "dbt-duckdb:build-new-api")
        assert dbt.returncode == 0, dbt.stdout[-3000:] + dbt.stderr[-3000:]
        positions = emulator.v5.records("job-positions")
        employments = {e["id"]: e for e in emulator.v5.records("employments")}
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(
            "select employment_id, employee_id, job_position_id, job_title, department_id,"
            " department_name, manager_id, valid_from, valid_to"
            " from dev_analytics.employment_job_positions"
        ).fetchall()
    return tenant, positions, employments, rows


def day(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def test_each_employment_has_one_row_per_job_position_in_force_during_it(built):
    tenant, positions, employments, rows = built
    names = {d["id"]: d["name"] for d in tenant.departments}
    expected = []
    for position in positions:
        employment = employments[position["employment"]["id"]]
        ends = [d for d in (day(position["endsOn"]), day(employment["endsOn"])) if d]
        expected.append(
            (
                int(employment["id"]),
                int(employment["employee"]["id"]),
                int(position["id"]),
                position["jobTitle"],
                int(position["department"]["id"]),
                names[int(position["department"]["id"])],
                int(position["manager"]["id"]) if position["manager"] else None,
                max(day(position["startsOn"]), day(employment["startsOn"])),
                min(ends) if ends else None,
            )
        )

    assert sorted(rows, key=str) == sorted(expected, key=str)


def test_every_contract_of_the_legacy_api_is_covered_from_its_first_day(built):
    tenant, _, _, rows = built
    first_day = {}
    for row in rows:
        first_day[row[0]] = min(first_day.get(row[0], row[7]), row[7])

    assert first_day == {c["id"]: day(c["startsOn"]) for c in tenant.contracts}


def test_job_titles_change_over_time_and_end_on_the_users_current_title(built):
    tenant, _, _, rows = built
    latest = {}
    for row in sorted(rows, key=lambda r: r[7]):
        latest[row[1]] = row[3]

    assert len({(r[1], r[3]) for r in rows}) > len(latest)
    assert latest == {u["id"]: u["jobTitle"] for u in tenant.users if u["id"] in latest}
