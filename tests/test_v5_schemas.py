"""The new-API streams' catalog is Lucca's reference: each stream's schema is what
`scripts/v5_schemas.py` derives from it, and every property the reference documents
for a department lands in the `departments` stream with its meaning."""

from __future__ import annotations

import json

import pytest

from scripts.v5_schemas import SCHEMAS, STREAMS, load, schema_text, stream_schema
from tap_lucca.hierarchy import legacy_department
from tests.reference import OPENAPI

DOCUMENT = load(OPENAPI)
# Navigation only, or what the stream's name already says.
NOT_DATA = {"type", "url", "links"}


@pytest.mark.parametrize("stream", STREAMS)
def test_committed_schema_is_what_the_reference_gives(stream):
    committed = (SCHEMAS / f"{stream}.json").read_text(encoding="utf-8")

    assert committed == schema_text(DOCUMENT, STREAMS[stream])


@pytest.mark.parametrize("stream", STREAMS)
def test_every_documented_property_but_links_is_in_the_catalog(stream):
    documented = DOCUMENT["components"]["schemas"][STREAMS[stream]]["properties"]
    catalog = json.loads((SCHEMAS / f"{stream}.json").read_text(encoding="utf-8"))

    assert set(catalog["properties"]) == set(documented) - {"links"}


def test_loaders_get_nullable_types_and_only_the_formats_they_know():
    def nodes(schema: dict):
        yield schema
        for child in schema.get("properties", {}).values():
            yield from nodes(child)
        if "items" in schema:
            yield from nodes(schema["items"])

    for resource in STREAMS.values():
        properties = stream_schema(DOCUMENT, resource)["properties"]
        for name, prop in properties.items():
            for node in nodes(prop):
                assert set(node) <= {"type", "format", "properties", "items"}, (resource, name)
                assert node.get("format") in {None, "date", "date-time"}
                assert name == "id" or node["type"][1] == "null", (resource, name)


def test_a_nested_shape_and_a_nullable_reference_keep_their_properties():
    employment = stream_schema(DOCUMENT, "employment")["properties"]
    position = stream_schema(DOCUMENT, "job-position")["properties"]

    assert employment["start"] == {
        "type": ["object", "null"],
        "properties": {"date": {"type": ["string", "null"], "format": "date"}},
    }
    assert set(position["manager"]["properties"]) == {"id", "type", "url"}
    assert position["manager"]["type"] == ["object", "null"]


#: A department of the new API -> the legacy-shape field it lands in.
DEPARTMENT_FIELDS = {
    "id": "id",
    "name": "name",
    "remoteId": "code",
    "isArchived": "isActive",  # negated
    "description": "description",
    "parent": "parentDepartmentId",
    "level": "level",
    "manager": "headId",
    "sortOrder": "sortOrderInSiblings",
}


def test_every_department_property_of_the_reference_has_a_field():
    documented = set(DOCUMENT["components"]["schemas"]["department"]["properties"])

    assert documented - NOT_DATA == set(DEPARTMENT_FIELDS)


@pytest.mark.parametrize("archived", [False, True])
def test_a_department_lands_with_every_property_and_its_meaning(archived):
    example = DOCUMENT["components"]["schemas"]["department"]["example"]
    parent = {"id": "7", "type": "department", "url": "https://example.ilucca.net/x/7"}
    department = {**example, "isArchived": archived, "parent": parent, "description": "Money"}

    landed = legacy_department(department)

    assert landed["id"] == int(example["id"])
    assert landed["name"] == example["name"]
    assert landed["code"] == example["remoteId"]
    assert landed["isActive"] is not archived
    assert landed["description"] == "Money"
    assert landed["parentDepartmentId"] == 7
    assert landed["level"] == example["level"]
    assert landed["headId"] == int(example["manager"]["id"])
    assert landed["sortOrderInSiblings"] == example["sortOrder"]
    departments = json.loads((SCHEMAS / "departments.json").read_text(encoding="utf-8"))
    assert set(DEPARTMENT_FIELDS.values()) <= set(departments["properties"])
