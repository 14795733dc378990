"""Lucca Absences (legacy API): leaves, read the way Lucca's "syncing leaves" guide says.

- Lucca refuses a leaves request without a date filter and an owner filter. The date
  filter is `date=since,<window start>`: planned leaves ahead come too. The owner
  filter names every department at once (`leavePeriod.owner.departmentId=3,4,5…`, a
  list Lucca documents): every person is in one, so one query covers the tenant, and
  requests stay at the floor, one per 10,000 leaves. The departments come from the
  core departments endpoint, which a key that runs the tap reads anyway.
- The first sync reads `leaves_window_days` back. That first day is kept in the
  stream's state (`windowStart`): every later read, and any full read, covers the same
  days, so a table version never retires rows it did not read.
- Later syncs ask only for the leaves created, modified or cancelled since the bookmark
  (`modifiedOn=since,<UTC>`: the name is a guess, one public client's). The answer is
  checked: a 400, or a leave whose creation, confirmation and cancellation all predate
  the bookmark, means the tenant did not honour the filter, and the stream reads every
  leave of the window instead, with one warning.
- A leave with a `cancellationDate` is emitted with `_sdc_deleted_at` (Lucca: delete
  when it is set). Every record carries the run's table version; a full read ends with
  `ACTIVATE_VERSION`, so a loader that honours it also retires leaves that vanished.

The new Lucca API has `leave`, `leave-account` and `leave-request` schemas but no paths
(2024-11-01). When Lucca publishes them, each becomes a `V5Stream` in the new-API list
of `TapLucca.discover_streams`; nothing here changes.
"""

from __future__ import annotations

import datetime as dt
import re
import typing as t
from functools import cached_property
from http import HTTPStatus

from tap_lucca.client import LuccaStream
from tap_lucca.clock import lucca_utc
from tap_lucca.paging import PageSize
from tap_lucca.v3 import OffsetPaginator, V3Stream

if t.TYPE_CHECKING:
    from collections.abc import Iterable

    import requests
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

    from tap_lucca.paging import Page

#: The change filter's name: not in Lucca's public docs; one client uses it.
CHANGE_FILTER = "modifiedOn"
OWNER_FILTER = "leavePeriod.owner.departmentId"
#: Characters of department ids a request carries, far below Lucca's 8 KB of headers.
OWNER_IDS_BUDGET = 1500

_TIME_SPAN = re.compile(r"^(?:(\d+)\.)?(\d+):(\d{2})(?::(\d{2}(?:\.\d+)?))?$")
_ISO_DURATION = re.compile(r"^PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?$")


class ChangeFilterNotHonoured(Exception):
    """The tenant refused the change filter, or answered as if it were not there."""


def hours_in(value: object) -> float | None:
    """A leave's `value` in hours. Lucca documents it as a duration string without
    saying which form: .NET's `03:30:00` (`1.02:00:00` past a day), ISO 8601's
    `PT3H30M`, or a number of hours, are all read; anything else is None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if match := _TIME_SPAN.match(text):
        days, hours, minutes, seconds = match.groups()
        return int(days or 0) * 24 + int(hours) + int(minutes) / 60 + float(seconds or 0) / 3600
    if (match := _ISO_DURATION.match(text)) and text != "PT":
        hours, minutes, seconds = (float(part or 0) for part in match.groups())
        return hours + minutes / 60 + seconds / 3600
    try:
        return float(text)
    except ValueError:
        return None


def id_groups(ids: list[int], budget: int) -> list[str]:
    """Ids as comma lists of at most `budget` characters each (at least one id each)."""
    groups: list[str] = []
    current = ""
    for ident in ids:
        text = str(ident)
        if current and len(current) + 1 + len(text) > budget:
            groups.append(current)
            current = ""
        current = f"{current},{text}" if current else text
    return [*groups, current] if current else groups


class AbsencesStream(V3Stream):
    """Leaves: incremental on their last change, with the guide's deletes."""

    replication_key = "changedAt"
    is_sorted = False
    paginator_class = OffsetPaginator
    max_page_size = 10_000  # Lucca's maximum for leaves; `page_size` caps the others
    added_properties = LuccaStream.added_properties | {
        "ownerId",
        "isConfirmed",
        "confirmationDate",
        "hours",
        "changedAt",
        "_sdc_deleted_at",
    }
    #: The stream that lists every department: whose people the owner filter names.
    owners: t.ClassVar[type[LuccaStream]]

    def __init__(self, tap: Tap) -> None:
        super().__init__(tap)
        self._departments = self.owners(tap)
        self._since: str | None = None
        self._window_start = ""
        self._owner_ids = ""

    @cached_property
    def page_size(self) -> PageSize:
        return PageSize(self.max_page_size)

    def get_url_params(
        self,
        context: Context | None,  # noqa: ARG002
        next_page_token: Page,
    ) -> dict[str, t.Any]:
        start = next_page_token.start or 0
        params = {
            # The first page also says how many will come, so the last is never empty.
            "fields": self.fields + ("" if start else ",collection.count"),
            "orderBy": "id,asc",
            "paging": f"{start},{next_page_token.size}",
            "date": f"since,{self._window_start}",
            OWNER_FILTER: self._owner_ids,
        }
        if self._since:
            params[CHANGE_FILTER] = f"since,{lucca_utc(self._since)}"
        return params

    def request_records(self, context: Context | None) -> Iterable[dict]:
        state = self.get_context_state(context)
        state.setdefault("windowStart", self._first_day().isoformat())
        self._window_start = state["windowStart"]
        self._since = self.get_starting_replication_key_value(context)
        self.stamp_table_version()  # every record of this run: one version
        groups = id_groups(self._department_ids(), OWNER_IDS_BUDGET)
        try:
            yield from self._read(groups, context)
        except ChangeFilterNotHonoured as reason:
            self.logger.warning(
                "Stream '%s': %s; reading every leave since %s instead.",
                self.name,
                reason,
                self._window_start,
            )
            self._since = None
            yield from self._read(groups, context)
        if groups and not self._since and self.table_version is not None:
            # A full read: leaves it did not meet are gone from Lucca.
            self.activate_version(self.table_version)

    def _read(self, groups: list[str], context: Context | None) -> Iterable[dict]:
        for group in groups:
            self._owner_ids = group
            yield from super().request_records(context)

    def _first_day(self) -> dt.date:
        today = dt.datetime.now(self.clock.zone).date()
        return today - dt.timedelta(days=self.config["leaves_window_days"])

    def _department_ids(self) -> list[int]:
        listing = self._departments
        listing.report = self.report  # its requests are this stream's
        return sorted({department["id"] for department in listing.request_records(None)})

    def validate_response(self, response: requests.Response) -> None:
        if response.status_code == HTTPStatus.BAD_REQUEST and self._since:
            msg = f"Lucca answered 400 to the {CHANGE_FILTER} change filter"
            raise ChangeFilterNotHonoured(msg)
        super().validate_response(response)

    def records_in(self, body: dict) -> list[dict]:
        records = list(super().records_in(body))
        since = self._since
        if since and any(self._last_change(record) < since for record in records):
            msg = f"Lucca ignored the {CHANGE_FILTER} change filter (a leave unchanged since "
            raise ChangeFilterNotHonoured(msg + "the bookmark came back)")
        return records

    def _last_change(self, record: dict) -> str:
        """The latest of a raw leave's creation, confirmation and cancellation, in UTC."""
        period = record.get("leavePeriod") or {}
        times = (record.get("creationDate"), period.get("confirmationDate"))
        utc = []
        for value in (*times, record.get("cancellationDate")):
            if value:
                try:
                    utc.append(self.clock.utc(value))
                except (TypeError, ValueError):
                    continue  # logged when the record is emitted
        return max(utc, default="")

    def post_process(self, row: dict, context: Context | None = None) -> dict:
        if "id" in row:  # Lucca documents it both as a string and as an integer
            row["id"] = str(row["id"])
        row = super().post_process(row, context)
        period = row.get("leavePeriod") or {}
        row["ownerId"] = period.get("ownerId")
        row["isConfirmed"] = period.get("isConfirmed")
        row["confirmationDate"] = period.get("confirmationDate")
        row["hours"] = hours_in(row.get("value"))
        times = (row.get("creationDate"), row["confirmationDate"], row.get("cancellationDate"))
        row["changedAt"] = max((time for time in times if time), default=None)
        row["_sdc_deleted_at"] = row.get("cancellationDate")
        return row
