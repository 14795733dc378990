"""The core question in new-API mode: every contract with the job title, department
and manager in force over each stretch of it, loaded by Meltano and built by dbt."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

#: The new API's staging models and the resource each stages.
RESOURCES = {
    "stg_employees": "employees",
    "stg_employments": "employments",
    "stg_job_positions": "job-positions",
    "stg_legal_entities": "legal-entities",
    "stg_business_establishments": "business-establishments",
}


@pytest.fixture(scope="module")
def built(new_api_warehouse):
    """The new-API warehouse's model rows, staging counts and types, with the truth."""
    tenant, database, truth = (
        new_api_warehouse.tenant,
        new_api_warehouse.database,
        new_api_warehouse.truth,
    )
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(
            "select employment_id, employee_id, job_position_id, job_title, department_id,"
            " department_name, manager_id, valid_from, valid_to, business_establishment_id"
            " from dev_analytics.employment_job_positions"
        ).fetchall()
        staged = {
            model: connection.execute(f"select count(*) from dev_staging.{model}").fetchone()[0]
            for model in RESOURCES
        }
        staged_employments = connection.execute(
            "select employment_id, starts_on, ends_on from dev_staging.stg_employments"
        ).fetchall()
        types = dict(
            connection.execute(
                "select table_name || '.' || column_name, data_type"
                " from information_schema.columns where table_schema = 'dev_staging'"
            ).fetchall()
        )
    positions = truth["job-positions"]
    employments = {e["id"]: e for e in truth["employments"]}
    return tenant, positions, employments, rows, truth, staged, types, staged_employments


def day(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def job_positions_in_force(tenant, truth: dict[str, list[dict]]) -> list[tuple]:
    """The rows of `employment_job_positions`, computed from the emulator's truth: each
    job position, cut to the employment it belongs to."""
    names = {d["id"]: d["name"] for d in tenant.departments}
    employments = {e["id"]: e for e in truth["employments"]}
    expected = []
    for position in truth["job-positions"]:
        employment = employments[position["employment"]["id"]]
        employment_end = employment["end"] and employment["end"]["date"]
        ends = [d for d in (day(position["endsOn"]), day(employment_end)) if d]
        expected.append(
            (
                int(employment["id"]),
                int(employment["employee"]["id"]),
                int(position["id"]),
                position["jobTitle"],
                int(position["department"]["id"]),
                names[int(position["department"]["id"])],
                int(position["manager"]["id"]) if position["manager"] else None,
                max(day(position["startsOn"]), day(employment["start"]["date"])),
                min(ends) if ends else None,
                int(position["businessEstablishment"]["id"]),
            )
        )
    return expected


def test_each_employment_has_one_row_per_job_position_in_force_during_it(built):
    tenant, _, _, rows, truth, *_ = built
    expected = job_positions_in_force(tenant, truth)

    assert sorted(rows, key=str) == sorted(expected, key=str)


def test_every_contract_of_the_legacy_api_is_covered_from_its_first_day(built):
    tenant, _, _, rows, *_ = built
    first_day = {}
    for row in rows:
        first_day[row[0]] = min(first_day.get(row[0], row[7]), row[7])

    assert first_day == {c["id"]: day(c["startsOn"]) for c in tenant.contracts}


def test_job_titles_change_over_time_and_end_on_the_users_current_title(built):
    tenant, _, _, rows, *_ = built
    latest = {}
    for row in sorted(rows, key=lambda r: r[7]):
        latest[row[1]] = row[3]

    assert len({(r[1], r[3]) for r in rows}) > len(latest)
    assert latest == {u["id"]: u["jobTitle"] for u in tenant.users if u["id"] in latest}


def test_the_new_api_staging_holds_every_live_record_typed(built):
    *_, truth, staged, types, _ = built

    assert staged == {model: len(truth[resource]) for model, resource in RESOURCES.items()}
    assert types["stg_employments.starts_on"] == "DATE"
    assert types["stg_employments.ends_on"] == "DATE"
    assert types["stg_employments.employment_id"] == "BIGINT"
    assert types["stg_job_positions.business_establishment_id"] == "BIGINT"
    assert types["stg_legal_entities.last_archived_at"] == "TIMESTAMP"
    assert types["stg_employees.birth_month"] == "INTEGER"
    assert all(name == name.lower() for name in types)


def test_staged_employments_start_and_end_on_their_contracts_days(built):
    tenant, *_, staged_employments = built

    contracts = {(c["id"], day(c["startsOn"]), day(c["endsOn"])) for c in tenant.contracts}
    assert set(staged_employments) == contracts
