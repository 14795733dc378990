"""The departments stream: the tree rebuilt from Lucca's position paths."""

from __future__ import annotations

from tap_lucca.hierarchy import with_tree
from tests.conftest import run_tap
from tests.truth import emitted, padded, without_tenant


def department(id_: int, hierarchy: str, parent: str) -> dict:
    return {"id": id_, "name": f"D{id_}", "hierarchy": hierarchy, "parentId": parent}


# Positions are not ids, and position 3 under /1/ was deleted.
TREE = [
    department(17, "/1/", "/"),
    department(18, "/2/", "/"),
    department(14, "/1/1/", "/1/"),
    department(13, "/1/2/", "/1/"),
    department(6, "/1/4/", "/1/"),
    department(8, "/1/1/1/", "/1/1/"),
    department(11, "/1/1/2/", "/1/1/"),
    department(9, "/2/2/", "/2/"),
]


def test_parent_is_the_department_whose_hierarchy_is_the_parent_path():
    parents = {d["id"]: d["parentDepartmentId"] for d in with_tree(TREE)}

    assert parents == {17: None, 18: None, 14: 17, 13: 17, 6: 17, 8: 14, 11: 14, 9: 18}


def test_level_counts_from_one_at_the_top():
    levels = {d["id"]: d["level"] for d in with_tree(TREE)}

    assert levels == {17: 1, 18: 1, 14: 2, 13: 2, 6: 2, 8: 3, 11: 3, 9: 2}


def test_ancestor_path_lists_ids_from_the_top_down():
    ancestors = {d["id"]: d["ancestorDepartmentIds"] for d in with_tree(TREE)}

    assert ancestors[8] == [17, 14]
    assert ancestors[17] == []


def test_tree_is_rebuilt_whatever_order_the_pages_come_in():
    forward = with_tree([dict(d) for d in TREE])
    backward = with_tree([dict(d) for d in reversed(TREE)])

    assert sorted(forward, key=lambda d: d["id"]) == sorted(backward, key=lambda d: d["id"])


def test_departments_are_every_department_inactive_ones_included(tenant, emulator, config):
    sync = run_tap(config, streams=["departments"])

    assert sorted(sync.ids("departments")) == sorted(d["id"] for d in tenant.departments)
    assert any(d["isActive"] is False for d in sync.records["departments"])


def test_department_records_hold_every_field_of_lucca_with_its_value(tenant, emulator, config):
    sync = run_tap(config, streams=["departments"])

    stored = {d["id"]: d for d in tenant.departments}
    derived = {"parentDepartmentId", "level", "ancestorDepartmentIds"}
    for record in sync.records["departments"]:
        lucca = {k: v for k, v in without_tenant(record).items() if k not in derived}
        assert lucca == padded(emitted("departments", stored[record["id"]]), lucca)


def test_emulated_tree_parents_match_their_paths(tenant, emulator, config):
    sync = run_tap(config, streams=["departments"])

    by_id = {d["id"]: d for d in sync.records["departments"]}
    for record in by_id.values():
        if record["parentId"] == "/":
            assert record["parentDepartmentId"] is None
            assert record["level"] == 1
        else:
            parent = by_id[record["parentDepartmentId"]]
            assert parent["hierarchy"] == record["parentId"]
            assert record["level"] == parent["level"] + 1
    assert any(d["id"] != int(d["hierarchy"].strip("/").split("/")[-1]) for d in by_id.values())
