"""Establishments, legal units and the contract look-ups, joined to the contracts."""

from __future__ import annotations

import math

import pytest

from tests.conftest import run_tap
from tests.truth import emitted, padded, without_tenant

LOOKUPS = {
    "contract_types": ("/directory/api/work-contract-types", "typeId"),
    "contract_hiring_types": ("/directory/api/work-contract-hiring-types", "hiringTypeId"),
    "contract_termination_reasons": (
        "/directory/api/work-contract-termination-reasons",
        "terminationReasonId",
    ),
    "occupation_categories": ("/organization/structure/api/occupation-categories", "spcId"),
}


def requests_to(emulator, path: str) -> list:
    return [r for r in emulator.requests if r.path == path]


@pytest.mark.parametrize(
    ("stream", "path"),
    [
        ("establishments", "/organization/structure/api/establishments"),
        ("legal_units", "/organization/structure/api/legal-units"),
    ],
)
def test_structure_comes_archived_rows_included_under_luccas_page_cap(
    tenant, emulator, config, stream, path
):
    sync = run_tap(config, streams=[stream])

    expected = getattr(tenant, stream)
    assert sorted(sync.ids(stream)) == sorted(row["id"] for row in expected)
    assert any(record["isArchived"] for record in sync.records[stream])
    sent = requests_to(emulator, path)
    assert {r.params["isArchived"][0] for r in sent} == {"true,false"}
    assert {r.params["limit"][0] for r in sent} == {"99"}
    assert len(sent) == math.ceil(len(expected) / 99)


@pytest.mark.parametrize(
    "stream",
    ["establishments", "legal_units", *sorted(LOOKUPS)],
)
def test_records_hold_every_field_of_lucca_with_its_value(tenant, emulator, config, stream):
    sync = run_tap(config, streams=[stream])

    stored = {row["id"]: row for row in getattr(tenant, stream)}
    for record in sync.records[stream]:
        assert without_tenant(record) == padded(emitted(stream, stored[record["id"]]), record)


def test_establishments_are_the_legal_entities_users_belong_to(tenant, emulator, config):
    sync = run_tap(config, streams=["establishments", "users"])

    establishments = set(sync.ids("establishments"))
    assert {user["legalEntityId"] for user in sync.records["users"]} <= establishments


def test_every_establishment_belongs_to_a_legal_unit(tenant, emulator, config):
    sync = run_tap(config, streams=["establishments", "legal_units"])

    units = set(sync.ids("legal_units"))
    assert {e["legalUnitId"] for e in sync.records["establishments"]} <= units


@pytest.mark.parametrize("stream", sorted(LOOKUPS))
def test_lookups_label_every_id_the_contracts_use(tenant, emulator, config, stream):
    sync = run_tap(config, streams=[stream, "contracts"])

    path, key = LOOKUPS[stream]
    labelled = {row["id"]: row["name"] for row in sync.records[stream]}
    used = {c[key] for c in sync.records["contracts"] if c[key] is not None}
    assert used
    assert used <= labelled.keys()
    assert all(labelled.values())
    assert len(requests_to(emulator, path)) == 1
