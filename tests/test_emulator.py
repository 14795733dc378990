"""The Lucca emulator itself: the data it generates and how it answers."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import time
import typing as t
import urllib.error
import urllib.request
from collections import defaultdict

import pytest
import requests

from lucca_emulator import Churn, Faults, LuccaEmulator, RequestRecord, Tenant
from lucca_emulator.__main__ import faults_of, parse_args
from lucca_emulator.sample import user_keys

KEY = "emulator-test-key"
TODAY = dt.date(2026, 11, 21)
SENSITIVE = {"iban", "bic", "insuranceNumber", "personalEmail", "address", "bankName"}


@pytest.fixture(scope="module")
def tenant() -> Tenant:
    return Tenant.generate(users=3000, seed=7, today=TODAY)


@pytest.fixture(scope="module")
def emulator(tenant: Tenant) -> t.Iterator[LuccaEmulator]:
    with LuccaEmulator(tenant, api_key=KEY) as emulator:
        yield emulator


def get(emulator: LuccaEmulator, path: str, key: str = KEY) -> tuple[int, dict, t.Any]:
    request = urllib.request.Request(
        emulator.url + path, headers={"Authorization": f"lucca application={key}"}
    )
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


def items(emulator: LuccaEmulator, path: str) -> list[dict]:
    status, _, body = get(emulator, path)
    assert status == 200, body
    return body["data"]["items"]


# ----- v3 users -------------------------------------------------------------------------


def test_fields_are_case_insensitive_and_keep_the_stored_casing_and_order(emulator):
    found = items(emulator, "/api/v3/users?fields=DEPARTMENTID,department[Name],ID&paging=0,2")

    assert [list(item) for item in found] == [["id", "departmentID", "department"]] * 2
    assert set(found[0]["department"]) == {"name"}


def test_dotted_and_nested_selections_reach_inside_lists(emulator):
    found = items(
        emulator,
        "/api/v3/users?fields=id,manager.id,authorizedOperations[id,scopes[id,code]]&paging=0,1",
    )[0]

    assert set(found["manager"]) == {"id"}
    assert set(found["authorizedOperations"][0]["scopes"][0]) == {"id", "code"}


def test_docs_casing_serves_the_documented_id_spelling(tenant):
    with LuccaEmulator(tenant, api_key=KEY, id_casing="docs") as docs:
        found = items(docs, "/api/v3/users?fields=id,departmentID,managerId,cspid&paging=0,1")[0]

    assert list(found) == ["id", "cspId", "departmentId", "managerId"]


def test_items_hold_only_id_name_and_url_without_fields(emulator, tenant):
    found = items(emulator, "/api/v3/users?paging=0,3")

    assert [list(item) for item in found] == [["id", "name", "url"]] * 3
    assert found[0]["url"].endswith(f"/api/v3/users/{tenant.users[0]['id']}")


def test_a_user_by_id_is_the_full_recorded_shape_with_each_axis_after_the_first(emulator, tenant):
    stored = next(u for u in tenant.users if "userAxisValues_1" in u and "userAxisValues_4" in u)
    status, _, body = get(emulator, f"/api/v3/users/{stored['id']}")

    recorded = list(user_keys())
    after_first_axis = recorded.index("userAxisValues_1") + 1
    recorded.insert(after_first_axis, "userAxisValues_4")
    assert status == 200
    assert list(body) == ["header", "data", "metadata"]
    assert list(body["data"]) == recorded


def test_former_employees_are_left_out_unless_asked_for(emulator, tenant):
    default = {u["id"] for u in items(emulator, "/api/v3/users?paging=0,1000")}
    default |= {u["id"] for u in items(emulator, "/api/v3/users?paging=1000,1000")}
    default |= {u["id"] for u in items(emulator, "/api/v3/users?paging=2000,1000")}
    everyone = set()
    for offset in (0, 1000, 2000):
        everyone |= {
            u["id"]
            for u in items(emulator, f"/api/v3/users?formerEmployees=true&paging={offset},1000")
        }

    assert not default & tenant.former_user_ids()
    assert tenant.future_user_ids() <= default
    assert everyone == {u["id"] for u in tenant.users}


def test_an_end_date_filter_lists_former_employees_and_the_2050_leaver(emulator):
    found = items(emulator, "/api/v3/users?fields=id,dtContractEnd&dtContractEnd=notequal,null")
    ends = [u["dtContractEnd"] for u in found]

    assert all(ends)
    assert min(ends) < TODAY.isoformat()
    assert max(ends).startswith("2050-")


def test_collection_count_counts_every_match_whatever_the_page(emulator, tenant):
    _, _, body = get(
        emulator, "/api/v3/users?fields=collection.count&formerEmployees=true&paging=0,5"
    )

    assert body["data"]["count"] == len(tenant.users)
    assert [list(item) for item in body["data"]["items"]] == [["id", "name", "url"]] * 5


def test_id_keyset_paging_in_id_order(emulator, tenant):
    ids = sorted(u["id"] for u in tenant.users)
    path = (
        f"/api/v3/users?formerEmployees=true&orderBy=id,asc&paging=0,1000&id=greaterthan,{ids[999]}"
    )

    assert [u["id"] for u in items(emulator, path)] == ids[1000:2000]


def test_order_by_modified_at_descending(emulator):
    found = items(
        emulator, "/api/v3/users?fields=id,modifiedAt&orderBy=modifiedAt,desc&paging=0,50"
    )
    stamps = [dt.datetime.fromisoformat(u["modifiedAt"]) for u in found]

    assert stamps == sorted(stamps, reverse=True)


def test_paging_limit_over_1000_is_a_bad_request(emulator):
    status, _, body = get(emulator, "/api/v3/users?paging=0,1001")

    assert status == 400
    assert body["status"] == 400


@pytest.mark.parametrize("query", ["fields=id,salary", "bogusFilter=1", "fields=department[oops]"])
def test_unknown_fields_and_filters_are_bad_requests(emulator, query):
    assert get(emulator, f"/api/v3/users?{query}")[0] == 400


def test_modified_since_returns_updated_users_with_lucca_timestamps(tenant):
    changing = Tenant.generate(users=300, seed=3, today=TODAY)
    at = dt.datetime(2026, 11, 21, 9, 30, 15, 120_999)
    changed = [u["id"] for u in changing.users[5:9]]
    changing.update_users(changed, at=at)
    with LuccaEmulator(changing, api_key=KEY) as emulator:
        found = items(
            emulator,
            "/api/v3/users?fields=id,modifiedAt,modifiedOn&formerEmployees=true"
            "&modifiedAt=since,2026-11-21T09:30:15.12%2B01:00",
        )

    assert [u["id"] for u in found] == changed
    assert {u["modifiedAt"] for u in found} == {"2026-11-21T09:30:15.12"}
    assert all(u["modifiedOn"] == u["modifiedAt"] for u in found)


# ----- v3 userlogs ----------------------------------------------------------------------

LOG_FIELDS = "fields=id,name,ownerId,value,modifiedAt"


def test_userlogs_items_hold_only_id_and_name_without_fields(emulator):
    found = items(emulator, "/api/v3/userlogs?paging=0,3")

    assert [list(item) for item in found] == [["id", "name"]] * 3


def test_userlogs_keyset_paging_by_attribute_reads_each_entry_once(emulator, tenant):
    expected = [log["id"] for log in tenant.userlogs if log["name"] == "manager"]
    seen: list[int] = []
    after = 0
    while True:
        page = items(
            emulator,
            f"/api/v3/userlogs?{LOG_FIELDS}&name=manager&orderBy=id,asc&paging=0,1000"
            f"&id=greaterthan,{after}",
        )
        seen += [log["id"] for log in page]
        if len(page) < 1000:
            break
        after = page[-1]["id"]

    assert len(expected) > 2000  # several pages
    assert seen == expected


def test_userlogs_modified_since_returns_only_later_changes(emulator, tenant):
    since = "2026-06-01T00:00:00"
    found = items(
        emulator,
        f"/api/v3/userlogs?{LOG_FIELDS},collection.count&name=departmentid"
        f"&modifiedAt=since,{since}&orderBy=id,asc",
    )
    expected = [
        log["id"]
        for log in tenant.userlogs
        if log["name"] == "departmentid" and log["modifiedAt"] >= since
    ]

    assert [log["id"] for log in found] == expected
    assert expected and all(log["modifiedAt"] >= since for log in found)


def test_userlogs_paging_limit_over_1000_is_a_bad_request(emulator):
    assert get(emulator, "/api/v3/userlogs?paging=0,1001")[0] == 400


# ----- auth, rate limit, request log ----------------------------------------------------


def test_a_wrong_key_is_unauthorized_and_recorded(emulator):
    emulator.clear_requests()
    status, _, _ = get(emulator, "/api/v3/users", key="not-the-key")

    assert status == 401
    (record,) = emulator.requests
    assert record == RequestRecord("GET", "/api/v3/users", {}, 401, record.at)


def test_a_tight_rate_limit_answers_429_with_retry_after(tenant):
    with LuccaEmulator(tenant, api_key=KEY, rpm=3) as limited:
        statuses = [get(limited, "/api/v3/users?paging=0,1")[0] for _ in range(3)]
        status, headers, _ = get(limited, "/api/v3/users?paging=0,1")
        limited.rpm = None
        after = get(limited, "/api/v3/users?paging=0,1")[0]

    assert statuses == [200, 200, 200]
    assert status == 429
    assert 1 <= int(headers["Retry-After"]) <= 60
    assert after == 200


def test_requests_are_recorded_with_their_query(emulator):
    emulator.clear_requests()
    get(emulator, "/api/v3/users?fields=id,name&paging=0,10&x=")
    get(emulator, "/nowhere")

    first, second = emulator.requests
    assert first.params == {"fields": ["id,name"], "paging": ["0,10"], "x": [""]}
    assert (second.path, second.status) == ("/nowhere", 404)
    assert first.at <= second.at <= time.monotonic()


# ----- v4 -------------------------------------------------------------------------------


def test_work_contracts_count_only_when_asked_and_hide_archived_by_default(emulator, tenant):
    _, _, plain = get(emulator, "/directory/api/4.0/work-contracts")
    _, _, counted = get(
        emulator,
        "/directory/api/4.0/work-contracts?isArchived=true,false&fields.root=count&limit=1000",
    )
    _, _, active = get(emulator, "/directory/api/4.0/work-contracts?fields.root=count&limit=1")

    assert list(plain) == ["items"]
    assert len(plain["items"]) == 10
    assert counted["count"] == len(tenant.contracts)
    assert active["count"] == sum(not c["isArchived"] for c in tenant.contracts)
    assert get(emulator, "/directory/api/4.0/work-contracts?limit=1001")[0] == 400


def test_departments_pages_link_to_their_neighbours(emulator, tenant):
    _, _, first = get(emulator, "/organization/structure/api/departments?limit=100")
    _, _, last = get(emulator, "/organization/structure/api/departments?limit=100&page=2")

    assert first["count"] == len(tenant.departments) == 200
    assert first["prev"] is None
    assert (
        first["next"] == f"{emulator.url}/organization/structure/api/departments?limit=100&page=2"
    )
    assert last["next"] is None
    assert [d["id"] for d in first["items"] + last["items"]] == [
        d["id"] for d in tenant.departments
    ]


STRUCTURE_PATHS = {
    "/organization/structure/api/establishments": "establishments",
    "/organization/structure/api/legal-units": "legal_units",
}
LOOKUP_PATHS = {
    "/directory/api/work-contract-types": "contract_types",
    "/directory/api/work-contract-hiring-types": "contract_hiring_types",
    "/directory/api/work-contract-termination-reasons": "contract_termination_reasons",
    "/organization/structure/api/occupation-categories": "occupation_categories",
}


@pytest.mark.parametrize("path", STRUCTURE_PATHS)
def test_structure_lists_refuse_100_records_a_page(emulator, path):
    assert get(emulator, f"{path}?limit=99")[0] == 200
    assert get(emulator, f"{path}?limit=100")[0] == 400


@pytest.mark.parametrize(("path", "attribute"), STRUCTURE_PATHS.items())
def test_structure_lists_show_archived_rows_only_when_asked(emulator, tenant, path, attribute):
    _, _, plain = get(emulator, f"{path}?limit=99")
    _, _, everything = get(emulator, f"{path}?limit=99&isArchived=true,false")
    _, _, archived = get(emulator, f"{path}?limit=99&isArchived=true")
    rows = getattr(tenant, attribute)

    assert plain["items"] == [row for row in rows if not row["isArchived"]]
    assert everything["items"] == rows
    assert archived["items"] == [row for row in rows if row["isArchived"]] != []


@pytest.mark.parametrize(("path", "attribute"), STRUCTURE_PATHS.items())
def test_structure_lists_add_root_fields_only_when_asked(emulator, tenant, path, attribute):
    _, _, plain = get(emulator, path)
    _, _, counted = get(emulator, f"{path}?isArchived=true,false&fields.root=count")
    _, _, linked = get(emulator, f"{path}?isArchived=true,false&limit=2&fields.root=prev,next")

    assert list(plain) == ["items"]
    assert list(counted) == ["items", "count"]
    assert counted["count"] == len(getattr(tenant, attribute))
    assert list(linked) == ["items", "prev", "next"]
    assert linked["prev"] is None
    assert linked["next"] == f"{emulator.url}{path}?isArchived=true%2Cfalse&limit=2" + (
        "&fields.root=prev%2Cnext&page=2"
    )


@pytest.mark.parametrize(("path", "attribute"), LOOKUP_PATHS.items())
def test_lookups_list_every_row_with_a_count(emulator, tenant, path, attribute):
    _, _, body = get(emulator, path)
    rows = getattr(tenant, attribute)

    assert body == {"items": rows, "count": len(rows)}
    assert all(list(row) == ["id", "name", "code", "isArchived"] for row in rows)
    assert sum(row["isArchived"] for row in rows) == 1
    assert [row["id"] for row in rows] != list(range(1, len(rows) + 1))


# ----- generated data -------------------------------------------------------------------


def test_department_tree_positions_are_not_ids_and_keep_gaps(tenant):
    departments = tenant.departments
    by_path = {d["hierarchy"]: d for d in departments}
    siblings = defaultdict(list)
    for d in departments:
        assert d["parentId"] == "/" or d["parentId"] in by_path
        siblings[d["parentId"]].append(int(d["hierarchy"].strip("/").split("/")[-1]))

    assert any(d["id"] != d["sortOrderInSiblings"] for d in departments)
    assert [d["id"] for d in departments] == sorted(d["id"] for d in departments)
    assert any(max(p) > len(p) for p in siblings.values())  # a deleted sibling left a hole
    assert any(d["isActive"] is False for d in departments)
    assert max(d["hierarchy"].count("/") - 1 for d in departments) <= 5
    assert list(departments[0]) == [
        "id", "name", "code", "parentId", "hierarchy", "isActive", "headId",
        "createdAt", "lastModifiedAt", "sortOrderInSiblings",
    ]  # fmt: skip


def test_contracts_never_overlap_and_exactly_one_is_applicable(tenant):
    by_owner = defaultdict(list)
    for contract in tenant.contracts:
        by_owner[contract["ownerId"]].append(contract)
    users = {u["id"]: u for u in tenant.users}

    assert set(by_owner) == set(users)
    for owner, contracts in by_owner.items():
        contracts.sort(key=lambda c: c["startsOn"])
        for before, after in itertools.pairwise(contracts):
            assert before["endsOn"] is not None and before["endsOn"] < after["startsOn"]
        assert sum(c["isApplicable"] for c in contracts) == 1
        assert contracts[0]["startsOn"] == users[owner]["dtContractStart"][:10]
        end = users[owner]["dtContractEnd"]
        assert contracts[-1]["endsOn"] == (end[:10] if end else None)
    assert 1.3 < len(tenant.contracts) / len(tenant.users) < 1.7
    assert 0.05 < sum(c["isArchived"] for c in tenant.contracts) / len(tenant.contracts) < 0.15


def test_users_have_the_recorded_quirks(tenant):
    users = {u["id"]: u for u in tenant.users}
    names: dict[str, int] = defaultdict(int)
    for user in users.values():
        names[user["name"]] += 1
        assert user["createdOn"] == user["createdAt"] and user["modifiedOn"] == user["modifiedAt"]
        assert user["managerID"] in users and user["manager"]["id"] == user["managerID"]
        assert user["department"]["id"] == user["departmentID"]

    assert sum(u["managerID"] == u["id"] for u in users.values()) >= 2
    assert any(u["dtContractEnd"] and u["dtContractEnd"].startswith("2050") for u in users.values())
    assert any(all(u[key] for key in SENSITIVE) for u in users.values())
    assert max(names.values()) >= 2  # one person, two accounts
    assert 0.15 < len(tenant.former_user_ids()) / len(users) < 0.25
    assert 0.2 < sum("userAxisValues_1" in u for u in users.values()) / len(users) < 0.45
    assert list(users) != list(range(min(users), min(users) + len(users)))  # ids have gaps


def test_generation_is_reproducible_and_hires_come_after(tenant):
    again = Tenant.generate(users=3000, seed=7, today=TODAY)
    hired = again.hire(2, at=dt.datetime(2026, 11, 21, 10, 0, 0, 5000))

    assert again.users[:3000] == tenant.users
    assert min(u["id"] for u in hired) > tenant.users[-1]["id"]
    assert {u["createdAt"] for u in hired} == {"2026-11-21T10:00:00.005"}
    assert [c["ownerId"] for c in again.contracts[-2:]] == [u["id"] for u in hired]


def test_establishments_are_the_users_legal_entities_plus_archived_ones(tenant):
    attached = {(u["legalEntityID"], u["legalEntity"]["name"]) for u in tenant.users}
    units = {unit["id"] for unit in tenant.legal_units}
    establishments = tenant.establishments

    assert {(e["id"], e["name"]) for e in establishments if not e["isArchived"]} == attached
    assert {e["id"] for e in establishments if e["isArchived"]}
    assert not {e["id"] for e in establishments if e["isArchived"]} & {a[0] for a in attached}
    assert all(e["legalUnitId"] in units for e in establishments)
    assert 2 <= len(tenant.legal_units) <= 5
    assert any(unit["isArchived"] for unit in tenant.legal_units)
    assert list(establishments[0]) == [
        "id", "name", "code", "legalUnitId", "siret", "timeZoneId", "isArchived",
        "createdAt", "lastModifiedAt",
    ]  # fmt: skip
    assert list(tenant.legal_units[0]) == [
        "id", "name", "code", "siren", "countryCode", "currencyCode", "isArchived",
        "createdAt", "lastModifiedAt",
    ]  # fmt: skip


def history_of(tenant: Tenant) -> dict[tuple[int, str], list[dict]]:
    """Each (owner, attribute)'s entries, in id order."""
    chains: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for log in tenant.userlogs:
        chains[log["ownerId"], log["name"]].append(log)
    return chains


def test_contracts_establishment_is_the_legal_entity_in_force_at_their_start(tenant):
    chains = history_of(tenant)
    users = {u["id"]: u for u in tenant.users}
    last_contract = {}
    for contract in sorted(tenant.contracts, key=lambda c: c["startsOn"]):
        in_force = [
            log["value"]
            for log in chains[contract["ownerId"], "legalentityid"]
            if log["startsOn"][:10] <= contract["startsOn"]
        ]
        assert in_force[-1] == str(contract["establishmentId"])
        last_contract[contract["ownerId"]] = contract

    assert all(c["establishmentId"] == users[o]["legalEntityID"] for o, c in last_contract.items())
    archived = {e["id"] for e in tenant.establishments if e["isArchived"]}
    assert any(c["establishmentId"] in archived for c in tenant.contracts)  # before they closed


def test_last_userlog_value_per_user_and_attribute_is_the_current_value(tenant):
    chains = history_of(tenant)
    current = {"departmentid": "departmentID", "manager": "managerID"}
    current["legalentityid"] = "legalEntityID"

    assert {owner for owner, _ in chains} == {u["id"] for u in tenant.users}
    for user in tenant.users:
        for attribute, key in current.items():
            chain = chains[user["id"], attribute]
            assert chain[-1]["value"] == str(user[key])
            assert chain[0]["entryType"] == "Creation" and chain[0]["oldValue"] is None
            assert chain[0]["startsOn"] == user["dtContractStart"]
            for before, after in itertools.pairwise(chain):
                assert after["oldValue"] == before["value"] != after["value"]
                assert after["entryType"] == "Update"
    assert max(len(chain) for chain in chains.values()) == 4  # up to three changes


def test_userlogs_follow_time_and_never_apply_in_the_future(tenant):
    logs = tenant.userlogs
    stamps = [dt.datetime.fromisoformat(log["modifiedAt"]) for log in logs]
    users = {u["id"]: u for u in tenant.users}
    admins = {log["authorId"] for log in logs}

    assert [log["id"] for log in logs] == sorted({log["id"] for log in logs})
    assert stamps == sorted(stamps)
    for log, stamp in zip(logs, stamps, strict=True):
        starts = dt.datetime.fromisoformat(log["startsOn"])
        assert list(log) == [
            "id", "name", "ownerId", "owner", "authorId", "author", "oldValue", "value",
            "startsOn", "modifiedAt", "modificationSource", "entryType",
        ]  # fmt: skip
        assert log["owner"]["id"] == log["ownerId"] and log["author"]["id"] == log["authorId"]
        assert stamp < dt.datetime.combine(TODAY, dt.time())
        assert stamp <= dt.datetime.fromisoformat(users[log["ownerId"]]["modifiedAt"])
        if starts.date() <= TODAY:  # else a future hire's creation, entered beforehand
            assert stamp >= starts - dt.timedelta(days=3)
        if log["entryType"] == "Update":
            assert starts.date() <= TODAY
    assert {log["modificationSource"] for log in logs} == {"Manual", "Import", "Api"}
    assert all(users[a]["rolePrincipalId"] in (2, 22, 47) for a in admins)


def test_lookups_cover_every_id_contracts_use(tenant):
    used = {
        "contract_types": {c["typeId"] for c in tenant.contracts},
        "contract_hiring_types": {c["hiringTypeId"] for c in tenant.contracts} - {None},
        "contract_termination_reasons": {c["terminationReasonId"] for c in tenant.contracts}
        - {None},
        "occupation_categories": {c["spcId"] for c in tenant.contracts} - {None},
    }

    for attribute, ids in used.items():
        assert ids and ids <= {row["id"] for row in getattr(tenant, attribute)}, attribute
    today = TODAY.isoformat()
    ended = [c for c in tenant.contracts if c["terminationReasonId"] is not None]
    assert all(c["endsOn"] is not None and c["endsOn"] < today for c in ended)


def test_change_department_appends_a_log_entry():
    changing = Tenant.generate(users=300, seed=3, today=TODAY)
    user = changing.users[10]
    old = user["departmentID"]
    target = next(d for d in changing.departments if d["id"] != old)
    at = dt.datetime(2026, 11, 21, 9, 45, 1, 250_000)
    last_id = changing.userlogs[-1]["id"]

    entry = changing.change_department(user["id"], target["id"], at=at)

    assert changing.userlogs[-1] is entry
    assert entry["id"] > last_id
    assert (entry["name"], entry["ownerId"], entry["entryType"]) == (
        "departmentid",
        user["id"],
        "Update",
    )
    assert (entry["oldValue"], entry["value"]) == (str(old), str(target["id"]))
    assert (entry["startsOn"], entry["modifiedAt"]) == (
        "2026-11-21T00:00:00",
        "2026-11-21T09:45:01.25",
    )
    assert user["departmentID"] == user["department"]["id"] == target["id"]
    assert user["department"]["name"] == target["name"]
    assert user["modifiedAt"] == user["modifiedOn"] == "2026-11-21T09:45:01.25"


def test_hires_start_their_history():
    again = Tenant.generate(users=300, seed=3, today=TODAY)
    (hired,) = again.hire(1, at=dt.datetime(2026, 11, 21, 10, 0, 0))
    logs = [log for log in again.userlogs if log["ownerId"] == hired["id"]]

    assert [(log["name"], log["entryType"]) for log in logs] == [
        ("departmentid", "Creation"),
        ("manager", "Creation"),
        ("legalentityid", "Creation"),
    ]
    assert [log["value"] for log in logs] == [
        str(hired[key]) for key in ("departmentID", "managerID", "legalEntityID")
    ]
    assert {log["modifiedAt"] for log in logs} == {"2026-11-21T10:00:00"}


def test_a_large_tenant_keeps_its_shape():
    """How fast 100k users generate is measured in benchmarks/sync.py, not here."""
    big = Tenant.generate(users=20_000, seed=1, today=TODAY)

    assert len(big.users) == 20_000
    assert len(big.departments) == 20_000 // 15
    assert 4 < len(big.userlogs) / len(big.users) < 6  # creation entries plus changes


# ----- fault injection ------------------------------------------------------------------

USERS_PAGE = "/api/v3/users?paging=0,2"


@pytest.fixture(scope="module")
def small_tenant() -> Tenant:
    """A read-only tenant for fault tests that do not change data."""
    return Tenant.generate(users=300, seed=3, today=TODAY)


def session() -> requests.Session:
    http = requests.Session()
    http.headers["Authorization"] = f"lucca application={KEY}"
    return http


def test_fault_shares_above_one_in_total_are_refused():
    with pytest.raises(ValueError, match="add up"):
        Faults(server_errors=0.5, drops=0.3, truncations=0.3)
    with pytest.raises(ValueError, match="between 0 and 1"):
        Faults(drops=-0.1)


def test_server_errors_are_html_5xx_at_the_configured_share_and_replay_from_the_seed(
    small_tenant,
):
    faults = Faults(seed=11, server_errors=0.2)
    with LuccaEmulator(small_tenant, api_key=KEY, faults=faults) as emulator:
        http = session()
        first = [http.get(emulator.url + USERS_PAGE) for _ in range(200)]
        emulator.faults = faults  # the same seed again: the same sequence
        second = [http.get(emulator.url + USERS_PAGE).status_code for _ in range(200)]
        records = emulator.requests[:200]

    errors = [r for r in first if r.status_code != 200]
    assert 20 <= len(errors) <= 60
    assert {r.status_code for r in errors} == {500, 502, 503}
    assert all(r.headers["Content-Type"] == "text/html" for r in errors)
    title = f"{errors[0].status_code} {errors[0].reason}"
    assert errors[0].text == f"<html><body><h1>{title}</h1></body></html>"
    assert [r.status_code for r in first] == second
    assert [rec.fault for rec in records] == [
        None if r.status_code == 200 else "server_error" for r in first
    ]


def test_a_dropped_connection_raises_a_connection_error_without_a_traceback(small_tenant, capfd):
    with LuccaEmulator(small_tenant, api_key=KEY, faults=Faults(drops=1.0)) as emulator:
        http = session()
        with pytest.raises(requests.ConnectionError):
            http.get(emulator.url + USERS_PAGE)
        emulator.faults = Faults()
        after = http.get(emulator.url + USERS_PAGE).status_code
        time.sleep(0.1)  # let the dropped handler thread finish before reading stderr
        (dropped, _) = emulator.requests

    assert (dropped.status, dropped.fault) == (0, "drop")
    assert after == 200
    assert capfd.readouterr().err == ""


def test_truncated_bodies_break_the_read_or_give_a_200_of_invalid_json(small_tenant):
    broken_reads, invalid_json = 0, 0
    with LuccaEmulator(small_tenant, api_key=KEY, faults=Faults(seed=1, truncations=1.0)) as emu:
        http = session()
        for _ in range(10):  # seed 1 mixes both flavours within 10 requests
            try:
                response = http.get(emu.url + USERS_PAGE)
            except (requests.exceptions.ChunkedEncodingError, requests.ConnectionError):
                broken_reads += 1
                continue
            assert response.status_code == 200
            assert response.headers["Content-Type"] == "application/json; charset=utf-8"
            assert int(response.headers["Content-Length"]) == len(response.content)
            with pytest.raises(ValueError):
                response.json()
            invalid_json += 1
        faults = {r.fault for r in emu.requests}

    assert broken_reads and invalid_json
    assert faults == {"truncated"}


def test_only_pages_over_the_heavy_page_limit_get_408(small_tenant):
    with LuccaEmulator(small_tenant, api_key=KEY, heavy_page_limit=100) as emulator:
        http = session()

        def status(path: str) -> int:
            return http.get(emulator.url + path).status_code

        allowed = [
            status("/api/v3/users?paging=0,100"),
            status("/directory/api/4.0/work-contracts?limit=100"),
            status("/organization/structure/api/departments"),  # default limit 10
            status(f"/api/v3/users/{small_tenant.users[0]['id']}"),
        ]
        heavy = [
            status("/api/v3/users?paging=100,101"),
            status("/api/v3/users"),  # the default page is 1000
            status("/directory/api/4.0/work-contracts?limit=1000"),
            status("/organization/structure/api/departments?limit=101"),
        ]
        response = http.get(emulator.url + "/api/v3/users?PAGING=0,500")
        faults = [r.fault for r in emulator.requests]

    assert allowed == [200] * 4
    assert heavy == [408] * 4
    assert (response.status_code, response.json()["status"]) == (408, 408)
    assert faults == [None] * 4 + ["timeout_408"] * 5


def test_timeouts_are_408_at_the_configured_share_whatever_the_page(small_tenant):
    with LuccaEmulator(small_tenant, api_key=KEY, faults=Faults(seed=4, timeouts=0.3)) as emu:
        http = session()
        statuses = [http.get(emu.url + "/api/v3/users?paging=0,10").status_code for _ in range(100)]
        faults = {r.fault for r in emu.requests if r.status == 408}

    assert 15 <= statuses.count(408) <= 45
    assert set(statuses) == {200, 408}
    assert faults == {"timeout_408"}


def test_v4_page_cap_clamps_the_limit_and_keeps_the_count(small_tenant):
    contracts = "/directory/api/4.0/work-contracts?isArchived=true,false&fields.root=count"
    with LuccaEmulator(small_tenant, api_key=KEY, v4_page_cap=99) as emulator:
        http = session()
        first = http.get(emulator.url + contracts + "&limit=1000&page=1").json()
        second = http.get(emulator.url + contracts + "&limit=1000&page=2").json()
        small = http.get(emulator.url + contracts + "&limit=10&page=2").json()

    ids = [c["id"] for c in small_tenant.contracts]
    assert [c["id"] for c in first["items"]] == ids[:99]
    assert [c["id"] for c in second["items"]] == ids[99:198]
    assert [c["id"] for c in small["items"]] == ids[10:20]
    assert first["count"] == len(ids)


def test_new_lists_get_408_over_the_heavy_page_limit(small_tenant):
    with LuccaEmulator(small_tenant, api_key=KEY, heavy_page_limit=50) as emulator:
        http = session()
        statuses = [
            http.get(emulator.url + path).status_code
            for path in (
                "/api/v3/userlogs?paging=0,50",
                "/api/v3/userlogs",  # the default page is 1000
                "/directory/api/work-contract-types?limit=50",
                "/directory/api/work-contract-types",  # the default page is 100
                "/organization/structure/api/establishments",  # default 10
            )
        ]

    assert statuses == [200, 408, 200, 408, 200]


def test_requests_ignoring_retry_after_are_counted_as_early(small_tenant):
    with LuccaEmulator(small_tenant, api_key=KEY, rpm=2) as emulator:
        http = session()
        statuses = [http.get(emulator.url + USERS_PAGE).status_code for _ in range(5)]
        early = emulator.early_requests
        marks = [r.early for r in emulator.requests]

    assert statuses == [200, 200, 429, 429, 429]
    assert early == 2
    assert marks == [False, False, False, True, True]


def test_requests_waiting_for_retry_after_are_not_early(small_tenant):
    with LuccaEmulator(small_tenant, api_key=KEY) as emulator:
        emulator.fail_next(429, retry_after=1)
        http = session()
        told = http.get(emulator.url + USERS_PAGE)
        time.sleep(int(told.headers["Retry-After"]))
        after = http.get(emulator.url + USERS_PAGE).status_code
        early = emulator.early_requests

    assert (told.status_code, after, early) == (429, 200, 0)


def test_faults_come_after_the_key_and_the_rate_limit(small_tenant):
    with LuccaEmulator(small_tenant, api_key=KEY, rpm=1, faults=Faults(drops=1.0)) as emulator:
        wrong = requests.get(
            emulator.url + USERS_PAGE, headers={"Authorization": "lucca application=nope"}
        ).status_code
        http = session()
        with pytest.raises(requests.ConnectionError):
            http.get(emulator.url + USERS_PAGE)  # counted by the limit although dropped
        limited = http.get(emulator.url + USERS_PAGE).status_code

    assert (wrong, limited) == (401, 429)


def test_a_forbidden_path_gives_403(small_tenant):
    with LuccaEmulator(small_tenant, api_key=KEY) as emulator:
        emulator.forbidden_paths.add("/directory/api/4.0/work-contracts")
        http = session()
        denied = http.get(emulator.url + "/directory/api/4.0/work-contracts/?limit=5")
        users = http.get(emulator.url + USERS_PAGE).status_code
        fault = emulator.requests[0].fault

    assert (denied.status_code, denied.json()["status"], fault) == (403, 403, "forbidden")
    assert users == 200


def test_churn_hires_updates_and_lets_go_between_users_pages():
    changing = Tenant.generate(users=300, seed=3, today=TODAY)
    max_before = max(u["id"] for u in changing.users)
    modified_before = {u["id"]: u["modifiedAt"] for u in changing.users}
    churn = Churn(seed=5, hires=2, updates=3, leavers=2)
    path = "/api/v3/users?fields=id&orderBy=id,asc&paging="
    with LuccaEmulator(changing, api_key=KEY, churn=churn) as emulator:
        http = session()
        first = http.get(emulator.url + path + "0,150").json()["data"]["items"]
        step = emulator.churn_log[0]
        second = http.get(emulator.url + path + "150,150").json()["data"]["items"]
        http.get(emulator.url + "/api/v3/users?paging=0,1001")  # a 400: no churn
        http.get(emulator.url + "/directory/api/4.0/work-contracts")  # not users: no churn
        log = emulator.churn_log

    assert [{k: len(v) for k, v in s.items()} for s in log] == [
        {"hired": 2, "updated": 3, "left": 2}
    ] * 2
    assert min(step["hired"]) > max_before
    assert min(log[1]["hired"]) > max(step["hired"])
    assert all(changing.user(i)["modifiedAt"] != modified_before[i] for i in step["updated"])
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    for user_id in step["left"]:
        user = changing.user(user_id)
        assert user["dtContractEnd"] == f"{yesterday}T00:00:00"
        assert user["modifiedAt"] == user["modifiedOn"] != modified_before[user_id]
        last_contract = [c for c in changing.contracts if c["ownerId"] == user_id][-1]
        assert last_contract["endsOn"] == yesterday
    # Leavers past page one are gone by page two: offset paging now skips someone.
    later_leavers = set(step["left"]) - {u["id"] for u in first}
    assert later_leavers
    assert not later_leavers & {u["id"] for u in second}


def test_churn_replays_from_its_seed():
    logs = []
    for _ in range(2):
        changing = Tenant.generate(users=300, seed=3, today=TODAY)
        churn = Churn(seed=9, hires=1, updates=2, leavers=1)
        with LuccaEmulator(changing, api_key=KEY, churn=churn) as emulator:
            http = session()
            for offset in (0, 50, 100):
                http.get(f"{emulator.url}/api/v3/users?paging={offset},50")
            logs.append(emulator.churn_log)

    assert logs[0] == logs[1]
    assert len(logs[0]) == 3


def test_the_cli_splits_the_fault_rate_evenly():
    args = parse_args(["--fault-rate", "0.3", "--fault-seed", "4", "--heavy-page-limit", "250"])

    faults = faults_of(args)
    assert faults.seed == 4
    assert faults.server_errors == faults.drops == faults.truncations == pytest.approx(0.1)
    assert args.heavy_page_limit == 250
