"""A tenant's custom fields (extended data) and analytical axes: the truth both API
generations serve.

- Definitions of every kind: text, integer, number, date, boolean and list, two of them
  multi-valued, one archived (the new API says so; the legacy one has no such flag).
- Values on about 70 % of users, each with its own value id.
- Two axes: axis 1, the activities the recorded users point at (`userAxisValues_1`),
  and axis 4, the cost centers, on about 90 % of users (`userAxisValues_4`).

Everything is drawn after the tenant is generated, from streams of its own, so that the
rest of the tenant stays as it was. Legacy shapes follow `lucca-api.md`: a value is
`{"id", "value"}`, an array of them for a multi-valued field; a list value is the id of
the entry; a date is `"2016-09-01T00:00:00"`. User properties are
`{id, name, isMultivalue, isNullable, isReadOnly, category, type, format{key, entries}}`.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import sample
from .builder import ascii_fold
from .timefmt import v3_date

if TYPE_CHECKING:
    from collections.abc import Iterator

TEXT, INTEGER, NUMBER, DATE, BOOLEAN, LIST = "text", "integer", "number", "date", "boolean", "list"
#: Legacy user-property `type` codes and format keys, by kind (lucca-api.md).
LEGACY_TYPES = {BOOLEAN: 0, INTEGER: 1, LIST: 1, NUMBER: 2, DATE: 3, TEXT: 4}
LEGACY_FORMATS = {BOOLEAN: "boolean", INTEGER: "integer", LIST: "select", NUMBER: "decimal"}
EXTENSION, AXIS, NATIVE = 3, 4, 0  # user-property categories
HAS_VALUES = 0.7  # the share of users with custom data
HAS_COST_CENTER = 0.9
AXIS_KEY = "userAxisValues_{}"


@dataclass(frozen=True)
class Entry:
    """An entry of a list field: its id (what a legacy value holds) and its label."""

    id: int
    name: str


@dataclass(frozen=True)
class Definition:
    id: str
    name: str
    kind: str
    odds: float  # of a value, for a user with custom data
    multi: bool = False
    entries: tuple[Entry, ...] = ()
    archived: bool = False
    taxonomy: str | None = None  # the new API's list of labels


@dataclass(frozen=True)
class Value:
    """One value of one person's field, typed: a str, int, float, bool, date, or the
    Entry of a list."""

    user_id: int
    field_id: str
    position: int
    value_id: int
    value: Any


@dataclass(frozen=True)
class Axis:
    id: int
    name: str


@dataclass(frozen=True)
class Section:
    id: int
    code: str
    name: str
    axis_id: int
    active: bool = True


DEFINITIONS: tuple[Definition, ...] = (
    Definition("e_githubLogin", "Identifiant GitHub", TEXT, 0.5),
    Definition(
        "e_contractLevel",
        "Niveau de classification",
        LIST,
        0.9,
        entries=(Entry(101, "Cadre"), Entry(102, "ETAM"), Entry(103, "Ouvrier")),
        taxonomy="11",
    ),
    Definition("e_medicalVisit", "Date de la visite médicale", DATE, 0.6),
    Definition("e_remoteDays", "Jours de télétravail par semaine", NUMBER, 0.7),
    Definition("e_badgeNumber", "Numéro de badge", INTEGER, 0.8),
    Definition("e_companyCar", "Voiture de fonction", BOOLEAN, 0.6),
    Definition("e_languages", "Langues parlées", TEXT, 0.5, multi=True),
    Definition(
        "e_skills",
        "Compétences",
        LIST,
        0.6,
        multi=True,
        entries=(
            Entry(201, "Python"),
            Entry(202, "SQL"),
            Entry(203, "Paie"),
            Entry(204, "Droit social"),
            Entry(205, "Management"),
        ),
        taxonomy="12",
    ),
    Definition(
        "e_tShirtSize",
        "Taille de t-shirt",
        LIST,
        0.3,
        entries=(Entry(301, "S"), Entry(302, "M"), Entry(303, "L"), Entry(304, "XL")),
        archived=True,
        taxonomy="13",
    ),
)
ACTIVITIES, COST_CENTERS = Axis(1, "Activités"), Axis(4, "Centres de coûts")
_COST_CENTERS = (
    Section(61, "CC-1000", "Direction générale", 4),
    Section(62, "CC-2100", "Ventes France", 4),
    Section(63, "CC-2200", "Ventes export", 4),
    Section(64, "CC-3100", "Production Lyon", 4),
    Section(65, "CC-4100", "Recherche et développement", 4),
    Section(66, "CC-9000", "Ancien site de Lille", 4, active=False),
)
_LANGUAGES = ("Français", "Anglais", "Espagnol", "Allemand", "Italien")
_REMOTE_DAYS = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
# A few native properties, which the user-properties API lists with the others.
_NATIVE_PROPERTIES = (
    ("firstName", "Prénom", 4, "text"),
    ("birthDate", "Date de naissance", 3, "date"),
    ("department", "Département", 5, "department"),
)


class CustomFields:
    """The definitions, axes, sections and values of one tenant."""

    def __init__(self) -> None:
        self.definitions: list[Definition] = []
        self.axes: list[Axis] = []
        self.sections: list[Section] = []
        self.values: dict[int, list[Value]] = {}  # user id -> values in field order

    @classmethod
    def generate(cls, users: list[dict[str, Any]], seed: int, today: dt.date) -> CustomFields:
        """Draw every user's values and cost center, and write them into the users:
        `extendedData` and `userAxisValues_4`."""
        fields = cls()
        fields.definitions = list(DEFINITIONS)
        fields.axes = [ACTIVITIES, COST_CENTERS]
        activities = [
            Section(s["id"], s["name"][:3].upper(), s["name"], ACTIVITIES.id)
            for s in sample.lookups()["axis_sections"]
        ]
        fields.sections = [*activities, *_COST_CENTERS]
        open_centers = [s for s in _COST_CENTERS if s.active]
        value_ids = iter(range(5001, 10**9))
        base = sample.base_url()
        for user in users:
            draw = random.Random(f"{seed}-custom-{user['id']}")
            if draw.random() < HAS_VALUES:
                values = fields._draw(user, draw, today, value_ids)
                fields.values[user["id"]] = values
                user["extendedData"] = legacy_extended_data(values, fields.definitions)
            if draw.random() < HAS_COST_CENTER:
                section = open_centers[int(draw.random() * len(open_centers))]
                reference = {
                    "id": section.id,
                    "name": section.name,
                    "url": f"{base}/api/v3/axissections/{section.id}",
                }
                _set_axis_value(user, COST_CENTERS.id, reference)
        return fields

    def _draw(
        self, user: dict[str, Any], draw: random.Random, today: dt.date, value_ids: Iterator[int]
    ) -> list[Value]:
        values = []
        for definition in self.definitions:
            if draw.random() >= definition.odds:
                continue
            drawn = _values_of(definition, user, draw, today)
            values += [
                Value(user["id"], definition.id, position, next(value_ids), value)
                for position, value in enumerate(drawn)
            ]
        return values

    def clear(self, users: list[dict[str, Any]]) -> None:
        """A tenant with no custom field and no axis."""
        self.definitions, self.axes, self.sections, self.values = [], [], [], {}
        for user in users:
            user["extendedData"] = {}
            for key in [k for k in user if k.startswith("userAxisValues_")]:
                del user[key]

    # ----- the legacy API ---------------------------------------------------------------
    def user_properties(self) -> list[dict[str, Any]]:
        """`/api/v3/userproperties`: native properties, extensions and axes."""
        base = sample.base_url()
        natives = [
            _property(ident, name, NATIVE, kind, {"key": key}, multi=False)
            for ident, name, kind, key in _NATIVE_PROPERTIES
        ]
        extensions = [
            _property(
                d.id,
                d.name,
                EXTENSION,
                LEGACY_TYPES[d.kind],
                _legacy_format(d),
                multi=d.multi,
            )
            for d in self.definitions
        ]
        axes = [
            _property(AXIS_KEY.format(a.id), a.name, AXIS, 5, {"key": "axisSection"}, multi=False)
            for a in self.axes
        ]
        rows = [*natives, *extensions, *axes]
        for row in rows:
            row["url"] = f"{base}/api/v3/userproperties/{row['id']}"
        return rows

    def legacy_axes(self) -> list[dict[str, Any]]:
        base = sample.base_url()
        return [
            {"id": a.id, "name": a.name, "url": f"{base}/api/v3/axes/{a.id}"} for a in self.axes
        ]

    def legacy_sections(self) -> list[dict[str, Any]]:
        base = sample.base_url()
        return [
            {
                "id": s.id,
                "code": s.code,
                "name": s.name,
                "axisId": s.axis_id,
                "active": s.active,
                "url": f"{base}/api/v3/axissections/{s.id}",
            }
            for s in sorted(self.sections, key=lambda s: s.id)
        ]

    def user_keys(self, keys: tuple[str, ...]) -> tuple[str, ...]:
        """The keys of a full user: the recorded ones, and one per axis of the tenant
        after `userAxisValues_1`, where the recording has it."""
        extra = [AXIS_KEY.format(a.id) for a in self.axes if AXIS_KEY.format(a.id) not in keys]
        at = keys.index(AXIS_KEY.format(1)) + 1
        return (*keys[:at], *extra, *keys[at:])

    def sample_user(self) -> dict[str, Any]:
        """A user holding every field and axis, for the `fields` validation of the
        users endpoint: Lucca accepts any field the tenant defines."""
        reference = {"id": 0, "name": "", "url": ""}
        extended = {d.id: None for d in self.definitions}
        return {"extendedData": extended} | {AXIS_KEY.format(a.id): reference for a in self.axes}


def legacy_value(value: Value) -> Any:
    """A value as the legacy API writes it."""
    if isinstance(value.value, Entry):
        return value.value.id
    if isinstance(value.value, dt.date):
        return v3_date(value.value)
    return value.value


def legacy_extended_data(values: list[Value], definitions: list[Definition]) -> dict[str, Any]:
    extended: dict[str, Any] = {}
    for definition in definitions:
        own = [
            {"id": v.value_id, "value": legacy_value(v)}
            for v in values
            if v.field_id == definition.id
        ]
        if own:
            extended[definition.id] = own if definition.multi else own[0]
    return extended


def _values_of(
    definition: Definition, user: dict[str, Any], draw: random.Random, today: dt.date
) -> list[Any]:
    """A user's values of one field: one, or one to three of a multi-valued field."""
    pool: tuple[Any, ...] = definition.entries if definition.kind == LIST else _LANGUAGES
    if definition.multi:  # in ascending order, the one the new API's definitions give
        drawn = draw.sample(pool, 1 + int(draw.random() * 3))
        return sorted(drawn, key=lambda v: v.id if isinstance(v, Entry) else v)
    pick = draw.random()
    single = {
        TEXT: lambda: (
            ascii_fold(user["firstName"] + user["lastName"]).lower()
            + ("" if pick < 0.7 else str(int(pick * 100)))
        ),
        LIST: lambda: pool[int(pick * len(pool))],
        DATE: lambda: today - dt.timedelta(days=int(pick * 700)),
        NUMBER: lambda: _REMOTE_DAYS[int(pick * len(_REMOTE_DAYS))],
        INTEGER: lambda: 10_000 + user["id"],
        BOOLEAN: lambda: pick < 0.2,
    }
    return [single[definition.kind]()]


def _legacy_format(definition: Definition) -> dict[str, Any]:
    key = LEGACY_FORMATS.get(definition.kind, definition.kind)
    if definition.kind != LIST:
        return {"key": key}
    return {"key": key, "entries": [{"id": e.id, "name": e.name} for e in definition.entries]}


def _property(
    ident: str, name: str, category: int, kind: int, fmt: dict[str, Any], *, multi: bool
) -> dict[str, Any]:
    return {
        "id": ident,
        "name": name,
        "isMultivalue": multi,
        "isNullable": True,
        "isReadOnly": False,
        "category": category,
        "type": kind,
        "format": fmt,
    }


def _set_axis_value(user: dict[str, Any], axis_id: int, reference: dict[str, Any]) -> None:
    """Put `userAxisValues_<axis>` where a full user has its axes: after
    `userAxisValues_1`, or where that key would be (after `habilitedRoles`)."""
    anchor = AXIS_KEY.format(1) if AXIS_KEY.format(1) in user else "habilitedRoles"
    items = list(user.items())
    at = next(i for i, (key, _) in enumerate(items) if key == anchor) + 1
    items.insert(at, (AXIS_KEY.format(axis_id), reference))
    user.clear()
    user.update(items)
