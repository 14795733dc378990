"""Write the new-API streams' schemas (`tap_lucca/schemas/`) from Lucca's OpenAPI reference.

    .venv/bin/python scripts/v5_schemas.py

Each stream carries every property the reference documents for its resource, under
the same name, but `links` (navigation between resources), in a form every loader
can type: each type with null, nested objects with their properties, a `oneOf` of a
shape and null as that shape made nullable, formats `date` and `date-time` only
(the reference's `date-time-offset` is a date-time). `id` is the primary key: never
null. `departments` keeps the legacy shape (see `tap_lucca/hierarchy.py`).

Run it again for a new Api-Version: `tests/test_v5_schemas.py` checks that the
committed files are what it writes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
REFERENCE = ROOT / "reference" / "lucca-openapi" / "lucca-api@2024-11-01.json"
SCHEMAS = ROOT / "tap_lucca" / "schemas"

#: Stream -> the reference's item schema.
STREAMS = {
    "employees": "employee",
    "employments": "employment",
    "job_positions": "job-position",
    "legal_entities": "legal-entity",
    "business_establishments": "business-establishment",
}
LEFT_OUT = frozenset({"links"})
FORMATS = {"date": "date", "date-time": "date-time", "date-time-offset": "date-time"}


def load(path: Path = REFERENCE) -> dict:
    """The reference. Lucca's file has two trailing commas that strict JSON refuses."""
    return json.loads(re.sub(r",(\s*[}\]])", r"\1", path.read_text(encoding="utf-8")))


def _resolved(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        node = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _without_null(document: dict, schema: dict) -> dict:
    """The shape of a `oneOf`/`anyOf` of one shape and null."""
    branches = [_resolved(document, b) for b in schema.get("oneOf") or schema.get("anyOf")]
    shapes = [b for b in branches if b.get("type") != "null"]
    if len(shapes) != 1:
        msg = f"a union loaders cannot type: {schema}"
        raise ValueError(msg)
    return shapes[0]


def loader_property(document: dict, schema: dict) -> dict:
    """A reference property as a nullable, loader-friendly JSON Schema."""
    schema = _resolved(document, schema)
    if "oneOf" in schema or "anyOf" in schema:
        schema = _without_null(document, schema)
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    [kind] = [t for t in types if t != "null"]
    prop: dict = {"type": [kind, "null"]}
    if schema.get("format") in FORMATS:
        prop["format"] = FORMATS[schema["format"]]
    if kind == "object" and "properties" in schema:
        properties = schema["properties"].items()
        prop["properties"] = {k: loader_property(document, v) for k, v in properties}
    if kind == "array":
        prop["items"] = loader_property(document, schema["items"])
    return prop


def stream_schema(document: dict, resource: str) -> dict:
    properties = document["components"]["schemas"][resource]["properties"]
    derived = {
        name: loader_property(document, prop)
        for name, prop in properties.items()
        if name not in LEFT_OUT
    }
    derived["id"] = {"type": "string"}
    return {"type": "object", "properties": derived}


def schema_text(document: dict, resource: str) -> str:
    return json.dumps(stream_schema(document, resource), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    document = load()
    for stream, resource in STREAMS.items():
        (SCHEMAS / f"{stream}.json").write_text(schema_text(document, resource), encoding="utf-8")


if __name__ == "__main__":
    main()
