"""The emulator's new Lucca API answers as Lucca documents it."""

from __future__ import annotations

import time

import pytest
import requests

from lucca_emulator import LuccaEmulator, Tenant
from lucca_emulator.v5 import TOKEN_PATH

SCOPES = "employees.readonly employments.readonly job-positions.readonly"


@pytest.fixture(scope="module")
def emulator():
    with LuccaEmulator(Tenant.generate(users=250, seed=5)) as emulator:
        yield emulator


def token(emulator: LuccaEmulator, scope: str = SCOPES) -> str:
    form = {
        "grant_type": "client_credentials",
        "client_id": "emulator-client",
        "client_secret": "emulator-secret",
        "scope": scope,
    }
    answer = requests.post(emulator.url + TOKEN_PATH, data=form, timeout=10)
    assert answer.status_code == 200
    return answer.json()["access_token"]


def get(emulator: LuccaEmulator, path: str, access: str, version: str = "2024-11-01", **params):
    headers = {"Authorization": f"Bearer {access}", "Api-Version": version}
    return requests.get(emulator.url + path, headers=headers, params=params, timeout=10)


def test_a_wrong_secret_gets_no_token(emulator):
    form = {"grant_type": "client_credentials", "client_id": "emulator-client"}
    answer = requests.post(
        emulator.url + TOKEN_PATH, data={**form, "client_secret": "x"}, timeout=10
    )

    assert answer.status_code == 401
    assert answer.json() == {"error": "invalid_client"}


def test_an_expired_token_gets_a_401_problem(emulator):
    emulator.v5.token_seconds = 1
    try:
        access = token(emulator)
        time.sleep(1.2)
        answer = get(emulator, "/lucca-api/employees", access)
    finally:
        emulator.v5.token_seconds = 1800

    assert answer.status_code == 401
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert answer.json()["status"] == 401


def test_a_missing_api_version_or_scope_or_a_page_over_100_is_refused(emulator):
    access = token(emulator)

    assert get(emulator, "/lucca-api/employees", access, version="").status_code == 400
    assert get(emulator, "/lucca-api/departments", access).status_code == 403
    assert get(emulator, "/lucca-api/employees", access, limit=101).status_code == 400


def test_pages_follow_next_href_to_every_employee_once(emulator):
    access = token(emulator)
    params = {"limit": 100, "include": "totalCount,links", "status": "active,upcoming,deactivated"}
    seen, body = [], get(emulator, "/lucca-api/employees", access, **params).json()
    seen += [e["id"] for e in body["items"]]
    while body["links"]["next"]:
        page = body["links"]["next"]["href"].split("page=")[1]
        body = get(emulator, "/lucca-api/employees", access, **params, page=page).json()
        seen += [e["id"] for e in body["items"]]

    assert seen == [str(u["id"]) for u in emulator.tenant.users]
    assert body["totalCount"] == len(emulator.tenant.users)


def test_the_updated_filter_is_ignored_unless_the_tenant_honours_it(emulator):
    access = token(emulator)
    since = {"lastUpdatedAt": "2999-01-01T00:00:00Z--..", "limit": 100}

    ignored = get(emulator, "/lucca-api/employments", access, **since).json()["items"]
    emulator.v5.honours_updated_filter = True
    try:
        honoured = get(emulator, "/lucca-api/employments", access, **since).json()["items"]
    finally:
        emulator.v5.honours_updated_filter = False

    assert len(ignored) == 100
    assert honoured == []


ALL_SCOPES = (
    SCOPES + " departments.readonly legal-entities.readonly business-establishments.readonly"
)


def test_an_item_path_serves_the_collections_record_and_404s_an_unknown_id(emulator):
    access = token(emulator, ALL_SCOPES)
    truth = emulator.v5.records("job-positions")[7]

    one = get(emulator, f"/lucca-api/job-positions/{truth['id']}", access)
    unknown = get(emulator, "/lucca-api/job-positions/999999999", access)

    assert one.status_code == 200
    assert one.json() == truth
    assert unknown.status_code == 404
    assert unknown.headers["Content-Type"].startswith("application/problem+json")


def test_the_envelope_holds_what_include_asks_for_and_nothing_else(emulator):
    access = token(emulator, ALL_SCOPES)

    plain = get(emulator, "/lucca-api/employments", access).json()
    full = get(emulator, "/lucca-api/employments", access, include="totalCount,links,embedded")

    assert plain.keys() == {"type", "url", "items"}
    assert full.json().keys() == {"type", "url", "items", "totalCount", "links", "embedded"}
    assert all("links" not in item for item in plain["items"])
    assert all("links" in item for item in full.json()["items"])
    employees = {i["employee"]["id"] for i in full.json()["items"]}
    assert full.json()["embedded"]["employee"].keys() == employees


def test_prev_leads_back_to_the_page_before(emulator):
    access = token(emulator)
    params = {"limit": 40, "include": "links", "status": "active,upcoming,deactivated"}

    def page(href: str | None = None) -> dict:
        cursor = {"page": href.split("page=")[1]} if href else {}
        return get(emulator, "/lucca-api/employees", access, **params, **cursor).json()

    first = page()
    second = page(first["links"]["next"]["href"])
    third = page(second["links"]["next"]["href"])

    assert first["links"]["prev"] is None
    assert page(third["links"]["prev"]["href"])["items"] == second["items"]
    assert page(second["links"]["prev"]["href"])["items"] == first["items"]


def test_every_answer_and_error_names_the_api_version(emulator):
    access = token(emulator)

    answers = [
        get(emulator, "/lucca-api/employees", access),
        get(emulator, "/lucca-api/departments", access),  # 403: no scope
        get(emulator, "/lucca-api/employees", "unknown-token"),  # 401
    ]

    assert [a.status_code for a in answers] == [200, 403, 401]
    assert {a.headers.get("Api-Version") for a in answers} == {"2024-11-01"}
    assert answers[2].json()["errors"] == {}


def test_employments_and_job_positions_describe_the_legacy_contracts(emulator):
    tenant = emulator.tenant
    units = {e["id"]: e["legalUnitId"] for e in tenant.establishments}
    employments = {e["id"]: e for e in emulator.v5.records("employments")}

    for contract in tenant.contracts:
        employment = employments[str(contract["id"])]
        assert employment["start"] == {"date": contract["startsOn"]}
        assert employment["end"] == (contract["endsOn"] and {"date": contract["endsOn"]})
        assert employment["template"]["id"] == str(contract["typeId"])
        assert employment["legalEntity"]["id"] == str(units[contract["establishmentId"]])
    for position in emulator.v5.records("job-positions"):
        contract = next(c for c in tenant.contracts if str(c["id"]) == position["employment"]["id"])
        assert position["businessEstablishment"]["id"] == str(contract["establishmentId"])
        assert contract["startsOn"] <= position["startsOn"]
        assert position["endsOn"] is None or position["endsOn"] <= (contract["endsOn"] or "9999")


def test_each_legal_entity_has_one_headquarters_among_its_establishments(emulator):
    establishments = emulator.v5.records("business-establishments")
    entities = {e["id"] for e in emulator.v5.records("legal-entities")}

    headquarters = [e["legalEntity"]["id"] for e in establishments if e["isHeadquarters"]]
    assert sorted(headquarters) == sorted(entities)
