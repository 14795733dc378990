"""The contracts stream: every work contract, archived ones included."""

from __future__ import annotations

from tests.conftest import run_tap
from tests.truth import emitted, padded, without_tenant


def test_contracts_are_every_contract_archived_ones_included(tenant, emulator, config):
    sync = run_tap(config, streams=["contracts"])

    assert sorted(sync.ids("contracts")) == sorted(c["id"] for c in tenant.contracts)
    assert any(c["isArchived"] for c in sync.records["contracts"])


def test_contracts_are_asked_for_archived_or_not_a_full_page_at_a_time(emulator, config):
    run_tap(config, streams=["contracts"])

    first = next(r for r in emulator.requests if r.path.endswith("/work-contracts")).params
    assert first["isArchived"] == ["true,false"]
    assert first["limit"] == ["1000"]
    assert first["page"] == ["1"]


def test_contract_records_hold_every_field_of_lucca_with_its_value(tenant, emulator, config):
    sync = run_tap(config, streams=["contracts"])

    stored = {c["id"]: c for c in tenant.contracts}
    for record in sync.records["contracts"]:
        expected = emitted("contracts", stored[record["id"]])
        assert without_tenant(record) == padded(expected, record)
