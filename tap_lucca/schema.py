"""The streams' JSON schemas, as the catalog gives them: `schemas/<stream>.json`, with
the `tenant` label and integers a loader can store."""

from __future__ import annotations

from importlib import resources

from singer_sdk.schema.source import SchemaDirectory

SCHEMAS = SchemaDirectory(resources.files(__package__) / "schemas")


def stream_schema(name: str) -> dict:
    """The schema of stream `name`, with the `tenant` every record carries."""
    schema = SCHEMAS.get_schema(name)
    properties = {key: with_int64_bound(prop) for key, prop in schema["properties"].items()}
    return {**schema, "properties": {"tenant": {"type": "string"}, **properties}}


def with_int64_bound(prop: dict) -> dict:
    """An integer property bounded to 64 bits, so that loaders create BIGINT columns
    (target-duckdb makes an unbounded integer a 128-bit HUGEINT)."""
    if "integer" in prop.get("type", ()) and "maximum" not in prop:
        return {**prop, "minimum": -(2**63), "maximum": 2**63 - 1}
    return prop
