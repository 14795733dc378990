"""Lucca's legacy v3 API (`/api/v3/...`): its envelope, field selection and paging."""

from __future__ import annotations

import typing as t
from functools import cached_property

from tap_lucca.client import LuccaStream
from tap_lucca.paging import LuccaPaginator, Page, PageSize
from tap_lucca.payload import payload

if t.TYPE_CHECKING:
    import requests
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context


def items(body: dict) -> list[dict]:
    """Records of a v3 list: `{"header": {...}, "data": {"items": [...]}}`."""
    return body["data"]["items"]


def tenant_clock(body: dict) -> str | None:
    """When the tenant generated a response, in its own naive local time."""
    return body.get("header", {}).get("generated")


def fields_parameter(properties: dict[str, dict]) -> str:
    """The v3 `fields` value for a schema: nested objects as `name[a,b]`.

    Without `fields`, v3 returns only id, name and url.
    """
    selections = []
    for name, schema in properties.items():
        nested = schema.get("items", schema).get("properties")
        selections.append(f"{name}[{fields_parameter(nested)}]" if nested else name)
    return ",".join(selections)


class KeysetPaginator(LuccaPaginator):
    """Pages by `id` rather than by offset, so that records hired or removed
    while the sync runs cannot shift a page boundary and skip or repeat a record."""

    def __init__(self, page_size: PageSize) -> None:
        super().__init__(page_size, start=None)

    def more_after(self, response: requests.Response) -> bool:
        return len(items(payload(response))) >= self.current_value.size

    def page_after(self, response: requests.Response) -> Page:
        return Page(items(payload(response))[-1]["id"], self.page_size.current)


class OffsetPaginator(LuccaPaginator):
    """`paging=<offset>,<limit>`, for the collections that page only that way (leaves):
    the next page starts where this one ended. The first page's `collection.count` says
    when nothing is left, which spares the empty page at the end."""

    def __init__(self, page_size: PageSize) -> None:
        super().__init__(page_size, start=0)
        self.total: int | None = None

    def more_after(self, response: requests.Response) -> bool:
        data = payload(response)["data"]
        if self.total is None:
            self.total = data.get("count")
        read = len(data["items"])
        if self.total is None:
            return read >= self.current_value.size
        return self.current_value.start + read < self.total

    def page_after(self, response: requests.Response) -> Page:
        read = len(items(payload(response)))
        return Page(self.current_value.start + read, self.page_size.current)


class V3Stream(LuccaStream):
    """A `/api/v3` collection, read in id order, `page_size` records at a time."""

    paginator_class = KeysetPaginator

    #: Whether the `start_date` setting limits the first sync; its docs say users only.
    honours_start_date: t.ClassVar[bool] = False

    def __init__(self, tap: Tap) -> None:
        super().__init__(tap)
        # v3 answers with mixed ID casing (`departmentID` next to `calendarId`):
        # each key spelled unlike the schema is learnt once and renamed.
        self._schema_spelling = {name.lower(): name for name in self.schema["properties"]}
        self._known_keys: set[str] = set()
        self._renames: dict[str, str] = {}
        self._first_page_clock: str | None = None

    @cached_property
    def fields(self) -> str:
        """The `fields` value for the properties the catalog selects."""
        return fields_parameter(self.requested_properties())

    def requested_properties(self) -> dict[str, dict]:
        """The properties to ask Lucca for: those the catalog selects, but the tap's own."""
        return {
            name: schema
            for name, schema in self.schema["properties"].items()
            if self.mask.get(("properties", name), True) and name not in self.added_properties
        }

    def get_url_params(
        self,
        context: Context | None,
        next_page_token: Page,
    ) -> dict[str, t.Any]:
        params = {
            "fields": self.fields,
            "orderBy": "id,asc",
            "paging": f"0,{next_page_token.size}",
        }
        if next_page_token.start is None:  # the first page also says how many will come
            params["fields"] += ",collection.count"
        else:
            params["id"] = f"greaterthan,{next_page_token.start}"
        if self.replication_key and (since := self.get_starting_replication_key_value(context)):
            params[self.replication_key] = f"since,{self.clock.lucca_since(since)}"
        # A partition is a filter, e.g. one attribute's history.
        return {**params, **(context or {})}

    def get_starting_replication_key_value(self, context: Context | None) -> str | None:
        if self.honours_start_date:
            return super().get_starting_replication_key_value(context)
        return self.get_context_state(context).get("replication_key_value")

    def get_replication_key_signpost(self, context: Context | None) -> None:  # noqa: ARG002
        # The tenant's own clock is read from the first page instead of ours.
        return None

    def get_records(self, context: Context | None) -> t.Iterable[dict]:
        self._first_page_clock = None
        yield from super().get_records(context)
        # Cap the bookmark at the tenant's clock when the sync began: a record that
        # changes behind the pages already read is then picked up next time.
        if self.replication_key and self._first_page_clock:
            self.state_manager.write_replication_key_signpost(
                self.clock.utc(self._first_page_clock), context=context
            )

    def records_in(self, body: dict) -> t.Iterable[dict]:
        if self._first_page_clock is None:
            self._first_page_clock = tenant_clock(body)
            if (total := body["data"].get("count")) is not None:
                self.report.count(total)
        for record in items(body):
            if not record.keys() <= self._known_keys:
                for key in record.keys() - self._known_keys:
                    self._learn_spelling(key)
            for sent, ours in self._renames.items():
                if sent in record:
                    record[ours] = record.pop(sent)
            yield record

    def _learn_spelling(self, key: str) -> None:
        self._known_keys.add(key)
        ours = self._schema_spelling.get(key.lower(), key)
        if ours != key:
            self._renames[key] = ours
