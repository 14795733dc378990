"""Field selection: what a catalog deselects is left out of the records, at any depth,
and stream maps still apply after it."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from lucca_emulator import LuccaEmulator, Tenant
from tap_lucca.tap import TapLucca
from tests.conftest import API_KEY, fast_config

DESELECTED = {
    "users": [("birthDate",), ("manager", "url")],
    "contracts": [("externalId",), ("type", "name")],
}
STREAM_MAPS = {"contracts": {"ownerLabel": "'owner ' + str(ownerId)"}}


def catalog_deselecting(config: dict, deselected: dict[str, list[tuple[str, ...]]]) -> dict:
    """The discovered catalog with only these streams, less these properties."""
    catalog = TapLucca(config=config).catalog_dict
    catalog["streams"] = [s for s in catalog["streams"] if s["tap_stream_id"] in deselected]
    for stream in catalog["streams"]:
        for path in deselected[stream["tap_stream_id"]]:
            breadcrumb = [part for name in path for part in ("properties", name)]
            stream["metadata"].append({"breadcrumb": breadcrumb, "metadata": {"selected": False}})
    return catalog


@pytest.fixture(scope="module")
def records() -> dict[str, list[dict]]:
    """One sync of users and contracts under that catalog, with that stream map."""
    with LuccaEmulator(Tenant.generate(users=300, seed=11), api_key=API_KEY) as emulator:
        config = fast_config(emulator, stream_maps=STREAM_MAPS)
        tap = TapLucca(config=config, catalog=catalog_deselecting(config, DESELECTED))
        stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        with contextlib.redirect_stdout(stdout):
            tap.sync_all()
    stdout.seek(0)
    found: dict[str, list[dict]] = {}
    for line in stdout.read().splitlines():
        message = json.loads(line)
        if message["type"] == "RECORD":
            found.setdefault(message["stream"], []).append(message["record"])
    return found


@pytest.mark.parametrize(("stream", "name"), [("users", "birthDate"), ("contracts", "externalId")])
def test_a_deselected_property_is_left_out_and_the_others_kept(records, stream, name):
    assert records[stream]
    assert [record for record in records[stream] if name in record] == []
    assert all("createdAt" in record for record in records[stream])


@pytest.mark.parametrize(
    ("stream", "parent", "child"), [("users", "manager", "url"), ("contracts", "type", "name")]
)
def test_a_deselected_nested_property_is_left_out_and_its_siblings_kept(
    records, stream, parent, child
):
    objects = [record[parent] for record in records[stream] if record.get(parent)]

    assert objects
    assert [o for o in objects if child in o] == []
    assert all("id" in o for o in objects)


def test_a_stream_map_still_applies(records):
    assert records["contracts"]
    assert [r for r in records["contracts"] if r["ownerLabel"] != f"owner {r['ownerId']}"] == []
