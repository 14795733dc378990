"""Legal units (companies) and establishments: the v4 organisation structure.

Naming trap: what v3 calls a user's *legal entity* (`legalEntityID`) is a v4
*establishment*; a v4 *legal unit* is the company above it (SIREN level). So the
establishments are exactly the recorded legal entities (same ids, same names), each
under its country's company, plus closed (archived) ones that only old history and
old contracts still point to. French units carry a SIREN, French establishments a
SIRET (SIREN + 5 digits, both with a valid Luhn key); elsewhere both are null.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from . import sample
from .timefmt import v4_timestamp


@dataclass(frozen=True)
class _Unit:
    id: int
    name: str
    code: str
    country: str  # ISO 3166 alpha-2
    currency: str
    archived: bool = False


@dataclass(frozen=True)
class _Site:
    id: int
    code: str
    unit: int
    country: str  # the sample's country key (FR, UK, ES, CH), as on departments
    time_zone: str
    name: str | None = None  # None: the recorded legal entity's name
    closed_days_ago: int | None = None  # archived that many days before today


# Ids keep holes on purpose (a deleted unit, sites created between others).
_UNITS = (
    _Unit(1, "Lucca SAS", "LUCCA-FR", "FR", "EUR"),
    _Unit(2, "Ilucca SARL", "ILUCCA", "FR", "EUR", archived=True),  # merged into Lucca SAS
    _Unit(3, "Lucca UK Ltd", "LUCCA-UK", "GB", "GBP"),
    _Unit(5, "Lucca Software España S.L.", "LUCCA-ES", "ES", "EUR"),
    _Unit(6, "Lucca Suisse SA", "LUCCA-CH", "CH", "CHF"),
)
_SITES = (
    _Site(1, "FR-PARIS", 1, "FR", "Europe/Paris"),
    _Site(2, "UK-LONDON", 3, "UK", "Europe/London"),
    _Site(3, "ES-MADRID", 5, "ES", "Europe/Madrid"),
    _Site(4, "FR-NANTES", 2, "FR", "Europe/Paris", "Lucca Nantes", closed_days_ago=1742),
    _Site(6, "CH-GENEVE", 6, "CH", "Europe/Zurich"),
    _Site(7, "ES-BARCELONA", 5, "ES", "Europe/Madrid", "Lucca Barcelona", closed_days_ago=611),
    _Site(8, "CH-ZURICH", 6, "CH", "Europe/Zurich"),
)


@dataclass(frozen=True)
class Establishment:
    """What the user history needs to know of an establishment."""

    id: int
    country: str
    closed_on: dt.date | None  # people must have moved out by then


@dataclass
class Structure:
    legal_units: list[dict[str, Any]]
    establishments: list[dict[str, Any]]
    by_country: dict[str, list[Establishment]]


def _luhn_complete(digits: str) -> str:
    """`digits` plus the check digit that makes the whole number pass the Luhn test."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return digits + str((10 - total % 10) % 10)


def build_structure(seed: int, today: dt.date, founded: dt.datetime) -> Structure:
    """`founded` is when the tenant was set up (its first import): every unit and
    establishment was created around then."""
    # Its own stream: adding this data leaves every other generated record unchanged.
    rng = random.Random(f"lucca-structure-{seed}")
    rnd = rng.random
    horizon = dt.datetime.combine(today, dt.time()) - dt.timedelta(minutes=3)
    names = {e["id"]: e["name"] for e in sample.lookups()["legal_entities"]}

    def stamps(index: int, closed: dt.datetime | None) -> tuple[str, str]:
        created = founded + dt.timedelta(minutes=2 + index, milliseconds=int(rnd() * 1000))
        if closed is not None:
            modified = closed
        elif rnd() < 0.3:
            modified = created
        else:
            span = (horizon - created).total_seconds()
            modified = created + dt.timedelta(
                seconds=int(rnd() * span), milliseconds=int(rnd() * 1000)
            )
            modified = min(modified, horizon)
        return v4_timestamp(created), v4_timestamp(modified)

    sirens = {
        u.id: _luhn_complete(f"{int(rnd() * 10**8):08d}") for u in _UNITS if u.country == "FR"
    }
    closing = {
        s.id: dt.datetime.combine(today - dt.timedelta(days=s.closed_days_ago), dt.time(18, 5))
        for s in _SITES
        if s.closed_days_ago is not None
    }
    legal_units = []
    for index, unit in enumerate(_UNITS):
        # An archived unit closed with its last establishment.
        closed = max(
            (closing[s.id] for s in _SITES if s.unit == unit.id and s.id in closing), default=None
        )
        created, modified = stamps(index, closed if unit.archived else None)
        legal_units.append(
            {
                "id": unit.id,
                "name": unit.name,
                "code": unit.code,
                "siren": sirens.get(unit.id),
                "countryCode": unit.country,
                "currencyCode": unit.currency,
                "isArchived": unit.archived,
                "createdAt": created,
                "lastModifiedAt": modified,
            }
        )
    establishments = []
    by_country: dict[str, list[Establishment]] = {}
    for index, site in enumerate(_SITES):
        siren = sirens.get(site.unit)
        nic = f"{int(rnd() * 10**4):04d}"
        created, modified = stamps(len(_UNITS) + index, closing.get(site.id))
        establishments.append(
            {
                "id": site.id,
                "name": site.name or names[site.id],
                "code": site.code,
                "legalUnitId": site.unit,
                "siret": None if siren is None else _luhn_complete(siren + nic),
                "timeZoneId": site.time_zone,
                "isArchived": site.id in closing,
                "createdAt": created,
                "lastModifiedAt": modified,
            }
        )
        closed_on = closing[site.id].date() if site.id in closing else None
        by_country.setdefault(site.country, []).append(
            Establishment(site.id, site.country, closed_on)
        )
    return Structure(legal_units, establishments, by_country)
