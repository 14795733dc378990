"""Lucca's times: instants to UTC, dates left alone, bookmarks back to Lucca's clock.

v3 writes instants as naive times of the tenant's zone ("2023-08-30T15:48:22.677");
v4 adds the offset. A warehouse reads a naive time as UTC, so every instant is emitted
in UTC, in one fixed-width form whose string order is its time order: the SDK
compares bookmarks as strings. Dates (a birth date, the day a contract starts) are
days, whatever Lucca's midnight suffix: only their day is kept, never shifted.
"""

from __future__ import annotations

import datetime as dt
import functools
import typing as t
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from singer_sdk.exceptions import ConfigValidationError

if t.TYPE_CHECKING:
    import logging
    from collections.abc import Callable


def _kinds(schema: dict) -> dict[str, t.Any]:
    """Each property that holds a time: its format, or the kinds nested in it."""
    kinds: dict[str, t.Any] = {}
    for name, prop in schema.get("properties", {}).items():
        if prop.get("format") in {"date", "date-time"}:
            kinds[name] = prop["format"]
        elif nested := _kinds(prop):
            kinds[name] = nested
    return kinds


class TenantClock:
    """The tenant's time zone, and the conversions between its clock and UTC."""

    def __init__(self, zone_name: str) -> None:
        try:
            self.zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            msg = f"timezone must be an IANA time zone such as Europe/Paris, got {zone_name!r}"
            raise ConfigValidationError(msg) from None
        # A few thousand days cover years of records, in little memory.
        self._offset_on = functools.lru_cache(maxsize=4096)(self._day_offset)

    def utc(self, value: str) -> str:
        """An instant as UTC; a naive one is a time of the tenant's clock."""
        moment = dt.datetime.fromisoformat(value)
        if moment.tzinfo is not None:
            utc = moment.replace(tzinfo=None) - moment.utcoffset()  # type: ignore[operator]
        else:
            offset = self._offset_on(moment.date())
            utc = moment - (self._offset_at(moment) if offset is None else offset)
        return utc.isoformat(timespec="microseconds") + "Z"

    def _offset_at(self, moment: dt.datetime) -> dt.timedelta:
        # In the hour repeated when clocks go back, the earlier of the two.
        return moment.replace(tzinfo=self.zone).utcoffset()  # type: ignore[return-value]

    def _day_offset(self, day: dt.date) -> dt.timedelta | None:
        """The zone's offset all day long; None on a day the clocks change. No zone of
        the tz database changes its clocks twice within 26 hours, so a day that ends
        on the offset it began with kept it throughout."""
        midnight = dt.datetime.combine(day, dt.time())
        offset = self._offset_at(midnight)
        last = self._offset_at(midnight + dt.timedelta(days=1, microseconds=-1))
        return offset if offset == last else None

    def lucca_since(self, value: str) -> str:
        """A bookmark or start date as a v3 `since` filter takes it: a naive time of
        the tenant's clock. In the hour that repeats when clocks go back, the filter
        starts one shift earlier: what changed in the second pass of that hour has
        earlier clock times than the first pass, and would be missed."""
        moment = dt.datetime.fromisoformat(value)
        if moment.tzinfo is not None:
            moment = moment.astimezone(self.zone)
        local = moment.replace(tzinfo=self.zone)
        shift = local.utcoffset() - local.replace(fold=1).utcoffset()  # type: ignore[operator]
        if shift > dt.timedelta(0) and local.fold == 0:
            moment -= shift
        return _lucca_form(moment.replace(tzinfo=None))


def lucca_utc(value: str) -> str:
    """A UTC bookmark as Lucca's leaves sync takes it, `2021-01-01T08:25:45Z`: to the
    millisecond, cut rather than rounded, so that the `since` it starts misses nothing."""
    moment = dt.datetime.fromisoformat(value).astimezone(dt.UTC).replace(tzinfo=None)
    return _lucca_form(moment.replace(microsecond=moment.microsecond // 1000 * 1000)) + "Z"


def _lucca_form(moment: dt.datetime) -> str:
    """As Lucca writes its own times: seconds, then milliseconds when there are any."""
    return moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds")


class TimeFields:
    """Converts a stream's time fields in place, as its schema declares them. A value
    that is no time is logged with its record and field, and nulled."""

    def __init__(
        self, stream: str, schema: dict, clock: TenantClock, logger: logging.Logger
    ) -> None:
        self.stream = stream
        self.clock = clock
        self.logger = logger
        self.plan = self._plan(_kinds(schema))

    def _plan(self, kinds: dict[str, t.Any], path: str = "") -> _Plan:
        """Each time field with its conversion, each object holding some with its own."""
        convert = {"date-time": self.clock.utc, "date": _day}
        formats = {name: kind for name, kind in kinds.items() if isinstance(kind, str)}
        return _Plan(
            path,
            tuple((name, kind, convert[kind]) for name, kind in formats.items()),
            tuple(
                (name, self._plan(kind, f"{path}{name}."))
                for name, kind in kinds.items()
                if name not in formats
            ),
        )

    def convert(self, record: dict) -> dict:
        self._convert(record, self.plan, record.get("id"))
        return record

    def _convert(self, obj: dict, plan: _Plan, record_id: t.Any) -> None:
        get = obj.get
        for name, kind, convert in plan.fields:
            if value := get(name):
                try:
                    obj[name] = convert(value)
                except (TypeError, ValueError):
                    self.logger.error(
                        "Stream '%s', record id %s: field '%s' should be a %s but Lucca sent "
                        "%r; emitted as None",
                        self.stream,
                        record_id,
                        plan.path + name,
                        kind,
                        value,
                    )
                    obj[name] = None
        for name, nested in plan.nested:
            if type(value := get(name)) is dict:
                self._convert(value, nested, record_id)


@dataclass(frozen=True)
class _Plan:
    """An object's time fields (name, format, conversion) and the objects in it that hold some."""

    #: Where the object is in the record, as logged: "" or "review.".
    path: str
    fields: tuple[tuple[str, str, Callable[[str], str]], ...]
    nested: tuple[tuple[str, _Plan], ...]


def _day(value: str) -> str:
    """The day of a date, with or without Lucca's midnight suffix."""
    return dt.date.fromisoformat(value[:10]).isoformat()
