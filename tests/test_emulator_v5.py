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
