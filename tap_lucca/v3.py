"""Lucca's legacy v3 API (`/api/v3/...`): its envelope, field selection and paging."""

from __future__ import annotations

import re
import typing as t
from functools import cached_property

from tap_lucca.client import LuccaPaginator, LuccaStream, Page, PageSize, payload

if t.TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context

_ZONE = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")


def items(response: requests.Response) -> list[dict]:
    """Records of a v3 list: `{"header": {...}, "data": {"items": [...]}}`."""
    return payload(response)["data"]["items"]


def tenant_clock(body: dict) -> str | None:
    """When the tenant generated a response, in its own naive local time."""
    return body.get("header", {}).get("generated")


def lucca_timestamp(value: str) -> str:
    """A timestamp as v3 filters take it: naive, as Lucca writes its own.

    Bookmarks are Lucca's strings and pass unchanged; a `start_date` keeps its
    wall-clock time and loses its zone, so nothing drifts by an offset.
    """
    return _ZONE.sub("", value) if "T" in value else value


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
        return len(items(response)) >= self.current_value.size

    def page_after(self, response: requests.Response) -> Page:
        return Page(items(response)[-1]["id"], self.page_size.current)


class V3Stream(LuccaStream):
    """A `/api/v3` collection, read in id order, `page_size` records at a time."""

    primary_keys: t.ClassVar[list[str]] = ["id"]

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        # v3 answers with mixed ID casing (`departmentID` next to `calendarId`):
        # each key spelled unlike the schema is learnt once and renamed.
        self._schema_spelling = {name.lower(): name for name in self.schema["properties"]}
        self._known_keys: set[str] = set()
        self._renames: dict[str, str] = {}

    def get_new_paginator(self) -> KeysetPaginator:
        return KeysetPaginator(self.page_size)

    @cached_property
    def fields(self) -> str:
        """The `fields` value for the properties the catalog selects."""
        return fields_parameter(
            {
                name: schema
                for name, schema in self.schema["properties"].items()
                if self.mask.get(("properties", name), True)
            }
        )

    def get_url_params(
        self,
        context: Context | None,  # noqa: ARG002
        next_page_token: Page,
    ) -> dict[str, t.Any]:
        params = {
            "fields": self.fields,
            "orderBy": "id,asc",
            "paging": f"0,{next_page_token.size}",
        }
        if next_page_token.start is not None:
            params["id"] = f"greaterthan,{next_page_token.start}"
        return params

    def records_in(self, body: dict) -> t.Iterable[dict]:
        for record in body["data"]["items"]:
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
