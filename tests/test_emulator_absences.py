"""The emulator's Lucca Absences: leaves consistent with the people, and the endpoints'
rules from Lucca's docs (two required filters, owners by their current department or
establishment, pages up to 10,000) and the change filter's three behaviours."""

from __future__ import annotations

import datetime as dt
import typing as t
from collections import Counter

import pytest
import requests

from lucca_emulator import LuccaEmulator, Tenant
from lucca_emulator.__main__ import parse_args
from lucca_emulator.v3_leaves import IGNORED, LEAVE_ACCOUNTS_PATH, LEAVES_PATH, REJECTED
from tests.conftest import API_KEY
from tests.hr_truth import in_force

HEADERS = {"Authorization": f"lucca application={API_KEY}"}


@pytest.fixture(scope="module")
def served() -> t.Iterator[tuple[Tenant, LuccaEmulator]]:
    tenant = Tenant.generate(users=300, seed=41)
    with LuccaEmulator(tenant, api_key=API_KEY) as emulator:
        yield tenant, emulator


def get(emulator: LuccaEmulator, path: str = LEAVES_PATH, **params: str) -> requests.Response:
    return requests.get(emulator.url + path, params=params, headers=HEADERS, timeout=30)


def ids(response: requests.Response) -> set[str]:
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["data"]["items"]}


def every_department(tenant: Tenant) -> str:
    return ",".join(str(d["id"]) for d in tenant.departments)


def test_a_person_has_at_most_one_leave_per_half_day_on_working_days_while_under_contract(
    served,
):
    tenant, _ = served
    contracts: dict[int, list[dict]] = {}
    for contract in tenant.contracts:
        contracts.setdefault(contract["ownerId"], []).append(contract)
    live = [leave for leave in tenant.leaves if leave["cancellationDate"] is None]

    taken = Counter((x["leavePeriod"]["ownerId"], x["date"], x["isAm"]) for x in live)
    assert max(taken.values()) == 1
    for leave in tenant.leaves:
        day = dt.date.fromisoformat(leave["date"][:10])
        assert day.weekday() < 5
        owner = leave["leavePeriod"]["ownerId"]
        assert any(in_force(c, day) for c in contracts[owner])


def test_about_three_absences_a_person_a_year_over_two_years(served):
    tenant, _ = served
    today = tenant.today.isoformat()
    employed = {c["ownerId"] for c in tenant.contracts if in_force(c, tenant.today)}
    periods = {
        leave["leavePeriodId"]
        for leave in tenant.leaves
        if leave["leavePeriod"]["ownerId"] in employed and leave["date"][:10] <= today
    }
    first = min(leave["date"][:10] for leave in tenant.leaves)

    assert first >= (tenant.today - dt.timedelta(days=730)).isoformat()
    years = (tenant.today - dt.date.fromisoformat(first)).days / 365
    assert 2.0 <= len(periods) / len(employed) / years <= 4.0


def test_a_leaves_request_without_a_date_or_an_owner_filter_answers_400(served):
    tenant, emulator = served
    owners = {"leavePeriod.ownerId": str(tenant.users[0]["id"])}

    assert get(emulator, **owners).status_code == 400
    assert get(emulator, date="since,2020-01-01").status_code == 400
    assert get(emulator, date="since,2020-01-01", **owners).status_code == 200


def test_owner_filters_match_the_persons_current_department_and_establishment(served):
    tenant, emulator = served
    leave = next(leave for leave in tenant.leaves if leave["cancellationDate"] is None)
    owner = tenant.user(leave["leavePeriod"]["ownerId"])
    wanted = {
        other["id"]
        for other in tenant.leaves
        if tenant.user(other["leavePeriod"]["ownerId"])["departmentID"] == owner["departmentID"]
    }

    by_department = get(
        emulator,
        date="since,2000-01-01",
        paging="0,10000",
        **{"leavePeriod.owner.departmentId": str(owner["departmentID"])},
    )
    by_establishment = get(
        emulator,
        date="since,2000-01-01",
        paging="0,10000",
        **{"leavePeriod.owner.legalEntityId": str(owner["legalEntityID"])},
    )
    assert ids(by_department) == wanted
    assert leave["id"] in ids(by_establishment)


def test_pages_go_up_to_ten_thousand_leaves_and_no_further(served):
    tenant, emulator = served
    query = {"date": "since,2000-01-01", "leavePeriod.owner.departmentId": every_department(tenant)}

    assert len(ids(get(emulator, paging="0,10000", **query))) == min(len(tenant.leaves), 10_000)
    assert get(emulator, paging="0,10001", **query).status_code == 400


@pytest.fixture
def changing() -> t.Iterator[tuple[Tenant, LuccaEmulator]]:
    tenant = Tenant.generate(users=120, seed=43)
    with LuccaEmulator(tenant, api_key=API_KEY) as emulator:
        yield tenant, emulator


def test_the_change_filter_is_honoured_ignored_or_rejected_as_the_tenant_says(changing):
    tenant, emulator = changing
    since = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    changed = tenant.absences.simulate_activity(seed=3, requests=2, approvals=1, cancellations=1)
    query = {
        "date": "since,2000-01-01",
        "paging": "0,10000",
        "leavePeriod.owner.departmentId": every_department(tenant),
        "modifiedOn": f"since,{since}",
    }

    assert ids(get(emulator, **query)) == changed
    emulator.absences.change_filter = IGNORED
    assert ids(get(emulator, **query)) == {leave["id"] for leave in tenant.leaves}
    emulator.absences.change_filter = REJECTED
    assert get(emulator, **query).status_code == 400


def test_request_approve_and_cancel_change_the_leaves_and_their_change_time(changing):
    tenant, _ = changing
    owner = tenant.users[0]["id"]
    monday = tenant.today + dt.timedelta(days=400 - tenant.today.weekday())

    period = tenant.absences.request(owner, monday, 3, account_id=1)
    made = [leave for leave in tenant.leaves if leave["leavePeriodId"] == period["id"]]
    assert [(leave["date"][:10], leave["isAm"]) for leave in made] == [
        (monday.isoformat(), True),
        (monday.isoformat(), False),
        ((monday + dt.timedelta(days=1)).isoformat(), True),
    ]
    assert not period["isConfirmed"]
    with pytest.raises(ValueError, match="already away"):
        tenant.absences.request(owner, monday, 1, account_id=2)

    approved = tenant.absences.approve(period["id"])
    cancelled = tenant.absences.cancel(period["id"])

    assert approved == cancelled == [leave["id"] for leave in made]
    assert period["isConfirmed"]
    assert all(leave["cancellationDate"] and not leave["isActive"] for leave in made)
    changed = tenant.absences.changed
    assert all(changed[i] >= dt.datetime.fromisoformat(made[0]["creationDate"]) for i in cancelled)
    tenant.absences.request(owner, monday, 1, account_id=2)  # the half-day is free again


def test_a_tenant_without_absences_answers_404_on_both_paths(changing):
    _, emulator = changing
    emulator.absences.subscribed = False

    assert get(emulator, LEAVE_ACCOUNTS_PATH).status_code == 404
    assert get(emulator, date="since,2000-01-01", **{"leavePeriod.ownerId": "1"}).status_code == 404


def test_the_command_line_sets_the_change_filter_and_the_module():
    args = parse_args(["--leaves-change-filter", "ignored", "--without-absences"])

    assert args.leaves_change_filter == IGNORED
    assert args.without_absences
    assert parse_args([]).leaves_change_filter == "honoured"
