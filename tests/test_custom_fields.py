"""Custom fields and analytical axes in the legacy API: every user's values, typed
from the tenant's definitions, and every user's section on every axis, read with the
users pages; the definitions, axes and sections as streams of their own."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from lucca_emulator import LuccaEmulator, Tenant
from lucca_emulator.custom_fields import COST_CENTERS, Entry
from tests.conftest import API_KEY, fast_config, run_tap

STREAMS = ["users", "custom_fields", "axes", "axis_sections"]
USERS_PATH = "/api/v3/users"


@pytest.fixture(scope="module")
def legacy():
    """One sync of the custom-field streams and users, and the requests it made."""
    tenant = Tenant.generate(users=400, seed=23)
    with LuccaEmulator(tenant, api_key=API_KEY) as emulator:
        sync = run_tap(fast_config(emulator), streams=STREAMS)
        yield tenant, sync, emulator.requests


def expected_columns(value) -> dict:
    """The typed columns the truth's value must land in."""
    typed = value.value
    return {
        "textValue": typed if isinstance(typed, str) else None,
        "numberValue": float(typed)
        if isinstance(typed, int | float) and not isinstance(typed, bool)
        else None,
        "dateValue": typed.isoformat() if isinstance(typed, dt.date) else None,
        "booleanValue": typed if isinstance(typed, bool) else None,
        "listEntryId": str(typed.id) if isinstance(typed, Entry) else None,
        "listEntryLabel": typed.name if isinstance(typed, Entry) else None,
    }


def landed_values(sync) -> dict[tuple, dict]:
    return {
        (user["id"], item["fieldId"], item["position"]): item
        for user in sync.records["users"]
        for item in user["customFields"]
    }


def test_every_value_of_every_user_lands_typed_from_its_definition(legacy):
    tenant, sync, _ = legacy
    truth = [v for values in tenant.custom_fields.values.values() for v in values]
    landed = landed_values(sync)

    assert len(landed) == len(truth)
    for value in truth:
        item = landed[value.user_id, value.field_id, value.position]
        typed = {k: v for k, v in item.items() if k in expected_columns(value)}
        assert typed == expected_columns(value), value
        assert item["id"] == str(value.value_id)


def test_about_seven_users_in_ten_have_custom_values(legacy):
    tenant, sync, _ = legacy
    with_values = sum(bool(user["customFields"]) for user in sync.records["users"])

    assert with_values == len(tenant.custom_fields.values)
    assert 0.6 < with_values / len(tenant.users) < 0.8


def test_a_list_value_lands_with_its_entry_label_and_lucca_raw_entry_id(legacy):
    _, sync, _ = legacy
    levels = [i for i in landed_values(sync).values() if i["fieldId"] == "e_contractLevel"]

    assert {(i["listEntryId"], i["listEntryLabel"]) for i in levels} == {
        ("101", "Cadre"),
        ("102", "ETAM"),
        ("103", "Ouvrier"),
    }
    assert {i["rawValue"] for i in levels} == {"101", "102", "103"}


def test_a_date_value_is_the_day_and_the_raw_value_keeps_lucca_midnight(legacy):
    _, sync, _ = legacy
    visit = next(i for i in landed_values(sync).values() if i["fieldId"] == "e_medicalVisit")

    assert visit["rawValue"] == f'"{visit["dateValue"]}T00:00:00"'


def test_a_multi_valued_field_lands_as_one_row_per_value_in_order(legacy):
    tenant, sync, _ = legacy
    skills = {
        user_id: [v.value.name for v in values if v.field_id == "e_skills"]
        for user_id, values in tenant.custom_fields.values.items()
    }
    landed = {
        user["id"]: [
            i["listEntryLabel"] for i in user["customFields"] if i["fieldId"] == "e_skills"
        ]
        for user in sync.records["users"]
    }

    assert {u: s for u, s in landed.items() if s} == {u: s for u, s in skills.items() if s}
    assert max(len(s) for s in skills.values()) > 1


def test_definitions_give_every_field_with_its_type_multiplicity_and_list_entries(legacy):
    tenant, sync, _ = legacy
    landed = {d["id"]: d for d in sync.records["custom_fields"]}

    assert landed.keys() == {d.id for d in tenant.custom_fields.definitions}
    for definition in tenant.custom_fields.definitions:
        got = landed[definition.id]
        assert (got["name"], got["type"], got["isMultivalue"]) == (
            definition.name,
            definition.kind,
            definition.multi,
        )
        entries = [(e["id"], e["name"]) for e in got["entries"] or ()]
        assert entries == [(str(e.id), e.name) for e in definition.entries]


def test_each_user_has_a_section_on_each_axis_whatever_its_id(legacy):
    tenant, sync, _ = legacy
    names = {axis.id: axis.name for axis in tenant.custom_fields.axes}
    expected = {
        user["id"]: sorted(
            (int(key.rsplit("_", 1)[1]), value["id"])
            for key, value in user.items()
            if key.startswith("userAxisValues_")
        )
        for user in tenant.users
    }
    landed = {
        user["id"]: [(s["axisId"], s["sectionId"]) for s in user["axisSections"]]
        for user in sync.records["users"]
    }

    assert landed == expected
    assert any(axis == COST_CENTERS.id for sections in landed.values() for axis, _ in sections)
    for user in sync.records["users"]:
        assert all(s["axisName"] == names[s["axisId"]] for s in user["axisSections"])
        assert set(user) >= {"userAxisValues_1"}
        assert not [k for k in user if k.startswith("userAxisValues_") and k != "userAxisValues_1"]


def test_axes_are_discovered_and_their_sections_read_axis_by_axis(legacy):
    tenant, sync, requests = legacy
    sections = [r for r in requests if r.path == "/api/v3/axissections"]

    assert [r.params["axisId"] for r in sections] == [["1"], ["4"]]
    assert {(a["id"], a["name"]) for a in sync.records["axes"]} == {
        (a.id, a.name) for a in tenant.custom_fields.axes
    }
    assert {
        (s["id"], s["code"], s["name"], s["axisId"], s["axisName"], s["active"])
        for s in sync.records["axis_sections"]
    } == {
        (
            s.id,
            s.code,
            s.name,
            s.axis_id,
            COST_CENTERS.name if s.axis_id == 4 else "Activités",
            s.active,
        )
        for s in tenant.custom_fields.sections
    }


def test_values_come_with_the_users_pages_and_never_one_user_at_a_time(legacy):
    _, _, requests = legacy
    users = [r for r in requests if r.path.startswith(USERS_PATH)]

    assert [r.path for r in users] == [USERS_PATH]  # 400 users: one page
    fields = users[0].params["fields"][0]
    assert "extendedData" in fields.split(",")
    assert "userAxisValues_1[" in fields
    assert "userAxisValues_4" in fields.split(",")


def test_the_users_sync_makes_as_many_requests_with_custom_fields_as_without(small_tenant):
    def users_requests(tenant: Tenant) -> int:
        with LuccaEmulator(tenant, api_key=API_KEY) as emulator:
            run_tap(fast_config(emulator, page_size=100), streams=STREAMS)
            return sum(r.path.startswith(USERS_PATH) for r in emulator.requests)

    with_fields = users_requests(small_tenant)
    small_tenant.custom_fields.clear(small_tenant.users)
    without = users_requests(small_tenant)

    # 600 users, 100 a page: six full pages, then an empty one that says it is the end.
    assert with_fields == without == 7


def test_excluded_fields_are_neither_asked_for_nor_emitted_but_still_defined(small_tenant):
    excluded = {"e_medicalVisit", "e_skills"}  # the first by its name, the second by its id
    with LuccaEmulator(small_tenant, api_key=API_KEY) as emulator:
        config = fast_config(emulator, excluded_custom_fields=["*MEDICALE*", "e_sk?lls"])
        sync = run_tap(config, streams=STREAMS)
        requests = [r for r in emulator.requests if r.path == USERS_PATH]

    others = {d.id for d in small_tenant.custom_fields.definitions} - excluded
    for request in requests:
        fields = request.params["fields"][0]
        asked = fields.split("extendedData[")[1].split("]")[0].split(",")
        assert set(asked) == others
        assert not excluded & set(fields.replace("[", ",").replace("]", ",").split(","))
    landed = {i["fieldId"] for u in sync.records["users"] for i in u["customFields"]}
    sent = {k for u in sync.records["users"] for k in u["extendedData"]}
    assert landed == sent == others
    assert excluded <= {d["id"] for d in sync.records["custom_fields"]}


def test_with_exclusions_and_unreadable_definitions_no_value_is_asked_for(small_tenant, caplog):
    with LuccaEmulator(small_tenant, api_key=API_KEY) as emulator:
        emulator.failing_paths["/api/v3/userproperties"] = 404
        config = fast_config(emulator, excluded_custom_fields=["e_medical*"])
        with caplog.at_level(logging.WARNING):
            sync = run_tap(config, streams=STREAMS)
        requests = [r for r in emulator.requests if r.path == USERS_PATH]

    assert all("extendedData" not in r.params["fields"][0] for r in requests)
    assert all(user["customFields"] == [] for user in sync.records["users"])
    assert any("no custom field value is read" in r.getMessage() for r in caplog.records)


def test_a_tenant_without_custom_fields_or_axes_gives_empty_streams(small_tenant):
    small_tenant.custom_fields.clear(small_tenant.users)
    with LuccaEmulator(small_tenant, api_key=API_KEY) as emulator:
        sync = run_tap(fast_config(emulator), streams=STREAMS)

    assert {s: len(sync.records.get(s, [])) for s in STREAMS} == {
        "users": len(small_tenant.users),
        "custom_fields": 0,
        "axes": 0,
        "axis_sections": 0,
    }
    assert all(u["customFields"] == [] == u["axisSections"] for u in sync.records["users"])


def test_a_key_that_may_not_read_them_skips_each_stream_with_one_warning(small_tenant, caplog):
    paths = ["/api/v3/userproperties", "/api/v3/axes", "/api/v3/axissections"]
    with (
        LuccaEmulator(small_tenant, api_key=API_KEY, forbidden_paths=paths) as emulator,
        caplog.at_level(logging.WARNING),
    ):
        sync = run_tap(fast_config(emulator), streams=STREAMS)

    skipped = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Skipping")]
    assert sorted(skipped) == sorted(
        f"Skipping stream '{s}': {p} answered 403 (the API key's role may not read it)."
        for s, p in zip(["custom_fields", "axes", "axis_sections"], paths, strict=True)
    )
    # Users still come, with their values typed by their JSON type alone.
    assert len(sync.records["users"]) == len(small_tenant.users)
    visit = next(
        i
        for u in sync.records["users"]
        for i in u["customFields"]
        if i["fieldId"] == "e_badgeNumber"
    )
    assert visit["numberValue"] is not None
