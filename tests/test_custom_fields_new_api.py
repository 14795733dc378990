"""Custom fields in the new Lucca API: the emulator's employee extensions follow Lucca's
reference, and the tap lands every value typed, as in the legacy API."""

from __future__ import annotations

import datetime as dt
import logging

import duckdb
import pytest

from lucca_emulator import LuccaEmulator, Tenant
from tests import hr_truth
from tests.conftest import Sync, run_tap
from tests.test_custom_fields import expected_columns
from tests.test_new_api import CLIENT_ID, CLIENT_SECRET, new_api_config

STREAMS = ["custom_fields", "custom_field_values"]
SCOPES = "employee-extension-definitions.readonly employee-extensions.readonly taxonomies.readonly"


def run(emulator: LuccaEmulator, **settings) -> Sync:
    return run_tap(new_api_config(emulator, **settings), streams=STREAMS)


@pytest.fixture(scope="module")
def served():
    """One new-API sync of the custom-field streams, and the emulator it read."""
    tenant = Tenant.generate(users=250, seed=29)
    with LuccaEmulator(tenant, client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as emulator:
        yield tenant, emulator, run(emulator)


def test_every_value_of_every_employee_lands_typed_from_its_definition(served):
    tenant, _, sync = served
    truth = [v for values in tenant.custom_fields.values.values() for v in values]
    landed = {r["id"]: r for r in sync.records["custom_field_values"]}

    assert len(landed) == len(truth)
    for value in truth:
        row = landed[str(value.value_id)]
        assert (row["employeeId"], row["fieldId"]) == (str(value.user_id), value.field_id)
        assert {k: row[k] for k in expected_columns(value)} == expected_columns(value), value


def test_list_values_land_with_their_label_and_multi_values_as_one_row_each(served):
    tenant, _, sync = served
    skills = {
        (str(v.user_id), str(v.value.id), v.value.name)
        for values in tenant.custom_fields.values.values()
        for v in values
        if v.field_id == "e_skills"
    }
    landed = {
        (r["employeeId"], r["listEntryId"], r["listEntryLabel"])
        for r in sync.records["custom_field_values"]
        if r["fieldId"] == "e_skills"
    }

    assert landed == skills
    assert len(skills) > len({user for user, _, _ in skills})  # someone has several


def test_definitions_land_in_the_legacy_shape_with_their_taxonomy_labels(served):
    tenant, _, sync = served
    landed = {d["id"]: d for d in sync.records["custom_fields"]}

    for definition in tenant.custom_fields.definitions:
        got = landed[definition.id]
        assert (got["name"], got["type"], got["isMultivalue"], got["isArchived"]) == (
            definition.name,
            definition.kind,
            definition.multi,
            definition.archived,
        )
        assert [(e["id"], e["name"]) for e in got["entries"] or ()] == [
            (str(e.id), e.name) for e in definition.entries
        ]
    assert landed["e_skills"]["multipleValueSorting"] == "ascending"


def test_dates_land_as_days(served):
    tenant, _, sync = served
    visits = {
        str(v.value_id): v.value
        for values in tenant.custom_fields.values.values()
        for v in values
        if isinstance(v.value, dt.date)
    }
    landed = {
        r["id"]: r["dateValue"] for r in sync.records["custom_field_values"] if r["dateValue"]
    }

    assert landed == {k: v.isoformat() for k, v in visits.items()}


def test_excluded_fields_are_filtered_out_of_the_request_and_of_the_output(small_tenant):
    with LuccaEmulator(small_tenant, client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as emulator:
        sync = run(emulator, excluded_custom_fields=["*t-shirt*", "e_companyCar"])
        asked = [r.params for r in emulator.requests if r.path.endswith("/employee-extensions")]

    excluded = {"e_tShirtSize", "e_companyCar"}
    others = {d.id for d in small_tenant.custom_fields.definitions} - excluded
    assert asked
    assert all(set(p["extensionDefinition.id"][0].split(",")) == others for p in asked)
    assert {r["fieldId"] for r in sync.records["custom_field_values"]} == others
    assert excluded <= {d["id"] for d in sync.records["custom_fields"]}


def test_values_are_typed_from_the_definitions_embedded_in_their_pages_when_the_list_is_unreadable(
    small_tenant,
):
    with LuccaEmulator(small_tenant, client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as emulator:
        emulator.failing_paths["/lucca-api/employee-extension-definitions"] = 403
        sync = run(emulator)

    truth = [v for values in small_tenant.custom_fields.values.values() for v in values]
    landed = {r["id"]: r for r in sync.records["custom_field_values"]}
    assert "custom_fields" not in sync.records
    assert len(landed) == len(truth)
    for value in truth:
        row = landed[str(value.value_id)]
        assert {k: row[k] for k in expected_columns(value)} == expected_columns(value), value


def test_a_tenant_without_the_extension_paths_skips_both_streams_with_one_warning_each(
    small_tenant, caplog
):
    with LuccaEmulator(small_tenant, client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as emulator:
        emulator.failing_paths["/lucca-api/employee-extension-definitions"] = 404
        emulator.failing_paths["/lucca-api/employee-extensions"] = 404
        with caplog.at_level(logging.WARNING):
            sync = run(emulator)

    skipped = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Skipping")]
    assert len(skipped) == 2
    assert all("answered 404" in message for message in skipped)
    assert sync.records == {}


def test_the_long_model_holds_every_value_of_a_new_api_load_in_order(new_api_warehouse):
    """`meltano run tap-lucca target-duckdb` in new-API mode, then `dbt-duckdb:build-new-api`."""
    tenant, database = new_api_warehouse.tenant, new_api_warehouse.database

    with duckdb.connect(str(database), read_only=True) as connection:
        landed = connection.execute(
            "SELECT employee_id, field_id, field_name, field_type, position, text_value,"
            " number_value, date_value, boolean_value, list_entry_id, list_entry_label"
            " FROM dev_analytics.custom_field_values"
        ).fetchall()
    assert len(landed) == len(set(landed))
    assert set(landed) == hr_truth.custom_field_rows(tenant)
