"""Custom fields in the new Lucca API: the emulator's employee extensions follow Lucca's
reference, and the tap lands every value typed, as in the legacy API."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import urllib.parse
import urllib.request

import duckdb
import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from lucca_emulator import LuccaEmulator, Tenant
from lucca_emulator.v5 import API_VERSION, TOKEN_PATH
from tests import hr_truth
from tests.conftest import Sync, run_tap
from tests.reference import OPENAPI
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


def get(emulator: LuccaEmulator, path: str) -> dict:
    form = urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scope": SCOPES,
        }
    )
    token_request = urllib.request.Request(emulator.url + TOKEN_PATH, data=form.encode())
    with urllib.request.urlopen(token_request) as response:
        token = json.loads(response.read())["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Api-Version": API_VERSION}
    with urllib.request.urlopen(urllib.request.Request(emulator.url + path, headers=headers)) as r:
        return json.loads(r.read())


def reference() -> dict:
    text = OPENAPI.read_text(encoding="utf-8")
    return json.loads(re.sub(r",(\s*[}\]])", r"\1", text))


def validator(spec: dict, schema: str) -> Draft202012Validator:
    registry = Registry().with_resource("urn:lucca", Resource.from_contents(spec, DRAFT202012))
    return Draft202012Validator(
        {"$ref": f"urn:lucca#/components/schemas/{schema}"},
        registry=registry,
        format_checker=FormatChecker(),
    )


def properties(spec: dict, schema: dict) -> set[str]:
    """Every property name a schema documents, through its allOf and $refs."""
    if "$ref" in schema:
        return properties(spec, spec["components"]["schemas"][schema["$ref"].split("/")[-1]])
    names = set(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        names |= properties(spec, part)
    return names


@pytest.mark.parametrize(
    ("path", "collection", "item"),
    [
        ("employee-extension-definitions", "employee-extension-definitions", None),
        ("employee-extensions", "employee-extensions", "employee-extension"),
        ("taxonomy-labels?taxonomy.id=12", "taxonomy-labels", "taxonomy-label"),
    ],
)
def test_the_emulator_serves_what_the_reference_documents_and_nothing_more(
    served, path, collection, item
):
    _, emulator, _ = served
    spec = reference()
    separator = "&" if "?" in path else "?"
    body = get(emulator, f"/lucca-api/{path}{separator}limit=100&include=totalCount,links,embedded")

    validator(spec, collection).validate(body)
    if item == "employee-extension":
        validator(spec, "employee-extension.embedded").validate(body)
        for embedded in body["embedded"]["employee-extension-definition"].values():
            validator(spec, "employee-extension-definition").validate(embedded)
    documented = properties(
        spec, spec["components"]["schemas"][item or "employee-extension-definition"]
    )
    assert body["items"]
    assert {key for i in body["items"] for key in i} <= documented


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
