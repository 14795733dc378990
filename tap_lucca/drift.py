"""Records that drift from the schema: keys it lacks, values of another type."""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

if t.TYPE_CHECKING:
    import logging

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "integer": (int,),
    "number": (int, float),
    "string": (str,),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
}


def _accepted(schema: dict) -> tuple[type, ...]:
    types = schema.get("type", [])
    names = [types] if isinstance(types, str) else types
    return tuple(python for name in names for python in _PYTHON_TYPES.get(name, ()))


@dataclass(frozen=True)
class _Object:
    """The checks of one object's properties, compiled from its schema."""

    #: Where the object is in the record, as logged: "" or "department.".
    path: str
    #: Each property's name, the exact types that pass (decoded JSON holds no
    #: subclasses, and a bool is no integer; a null always passes), and the types
    #: a drifted value is converted to, in the schema's order.
    checks: tuple[tuple[str, frozenset[type], tuple[type, ...]], ...]
    nested: tuple[tuple[str, _Object], ...]

    @classmethod
    def of(cls, schema: dict, path: str = "") -> _Object:
        checks, nested = [], []
        for name, property_schema in schema.get("properties", {}).items():
            if accepted := _accepted(property_schema):
                checks.append((name, frozenset({*accepted, type(None)}), accepted))
                if "properties" in property_schema:
                    nested.append((name, cls.of(property_schema, f"{path}{name}.")))
        return cls(path, tuple(checks), tuple(nested))


class SchemaGuard:
    """Makes each record fit its stream's schema, compiled once.

    Keys that Lucca adds are dropped, with a warning once per stream, so that they
    do not pass silently. One wrong value (a string where Lucca sent numbers so far)
    must not stop a daily run, nor reach a typed warehouse column: it is logged with
    the stream, record id and field, then converted where that loses nothing, else
    nulled.
    """

    def __init__(self, stream: str, schema: dict, logger: logging.Logger) -> None:
        self.stream = stream
        self.logger = logger
        self.root = _Object.of(schema)
        self.known_keys = frozenset(schema["properties"])
        self._reported_keys: set[str] = set()

    def check(self, record: dict) -> dict:
        if not record.keys() <= self.known_keys:
            self._drop(record, record.keys() - self.known_keys)
        self._fit(record, self.root, record.get("id"))
        return record

    def _drop(self, record: dict, unknown: set[str]) -> None:
        for key in unknown:
            del record[key]
        if new := unknown - self._reported_keys:
            self._reported_keys |= new
            self.logger.warning(
                "Stream '%s': Lucca sent keys the schema does not know, left out: %s",
                self.stream,
                ", ".join(sorted(new)),
            )

    def _fit(self, obj: dict, schema: _Object, record_id: t.Any) -> None:
        get = obj.get
        for name, passing, accepted in schema.checks:
            if type(get(name)) not in passing:
                obj[name] = self._convert(obj[name], accepted, record_id, schema.path + name)
        for name, nested in schema.nested:
            if type(value := get(name)) is dict:
                self._fit(value, nested, record_id)

    def _convert(
        self, value: t.Any, accepted: tuple[type, ...], record_id: t.Any, field: str
    ) -> t.Any:
        converted = None
        for python in accepted:
            if python in {int, float} and isinstance(value, str):
                try:
                    converted = python(value)
                    break
                except ValueError:
                    continue
            if python is str and isinstance(value, (int, float)) and not isinstance(value, bool):
                converted = str(value)
                break
        self.logger.error(
            "Stream '%s', record id %s: field '%s' should be %s but Lucca sent %r; emitted as %r",
            self.stream,
            record_id,
            field,
            "/".join(p.__name__ for p in accepted),
            value,
            converted,
        )
        return converted
