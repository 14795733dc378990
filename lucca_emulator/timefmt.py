"""Date and timestamp formats of the Lucca APIs.

v3 writes naive local times with 0-3 decimals ("2023-08-30T15:48:22.677", "…:10.73",
"…:10") and dates as midnight timestamps ("2001-09-23T00:00:00"). v4 writes ISO 8601
with the tenant's UTC offset ("2023-07-25T12:00:54.41+02:00"); the emulator's tenant
lives in Europe/Paris, so the offset is +01:00 in winter and +02:00 in summer.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
_DATE_CACHE: dict[int, str] = {}


def v3_date(day: dt.date) -> str:
    """A v3 date: midnight, no zone. Cached because 100k users share few dates."""
    ordinal = day.toordinal()
    text = _DATE_CACHE.get(ordinal)
    if text is None:
        text = _DATE_CACHE[ordinal] = f"{day.isoformat()}T00:00:00"
    return text


def v3_timestamp(moment: dt.datetime) -> str:
    """A v3 timestamp: seconds plus milliseconds with trailing zeros trimmed (.NET style)."""
    text = moment.isoformat(timespec="seconds")
    millis = moment.microsecond // 1000
    if millis:
        text += "." + f"{millis:03d}".rstrip("0")
    return text


def _last_sunday(year: int, month: int) -> dt.date:
    last = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() + 1) % 7)


_OFFSET_CACHE: dict[int, str] = {}


def paris_offset(day: dt.date) -> str:
    """Central European (Summer) Time offset of a day, "+01:00" or "+02:00" (cached per day)."""
    ordinal = day.toordinal()
    text = _OFFSET_CACHE.get(ordinal)
    if text is None:
        summer = _last_sunday(day.year, 3) <= day < _last_sunday(day.year, 10)
        text = _OFFSET_CACHE[ordinal] = "+02:00" if summer else "+01:00"
    return text


def v4_timestamp(moment: dt.datetime) -> str:
    """A v4 timestamp: the v3 text plus the Paris offset, e.g. "2023-07-25T12:00:54.41+02:00"."""
    return v3_timestamp(moment) + paris_offset(moment.date())


def v4_date(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def paris_now() -> dt.datetime:
    """The tenant's clock now: naive Paris time, whatever the machine's zone."""
    return dt.datetime.now(PARIS).replace(tzinfo=None)


def parse_naive(text: str) -> dt.datetime:
    """Parse an ISO date or timestamp, dropping any zone suffix (the API compares naive times)."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1]
    parsed = dt.datetime.fromisoformat(value)
    return parsed.replace(tzinfo=None)


def truncate_to_millis(moment: dt.datetime) -> dt.datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000, tzinfo=None)
