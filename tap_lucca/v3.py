"""Lucca's legacy v3 API (`/api/v3/...`): its envelope, field selection and paging."""

from __future__ import annotations

import re
import typing as t
from functools import cached_property

from singer_sdk.pagination import BaseAPIPaginator

from tap_lucca.client import LuccaStream, payload

if t.TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context

_ZONE = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")


def items(response: requests.Response) -> list[dict]:
    """Records of a v3 list: `{"header": {...}, "data": {"items": [...]}}`."""
    return payload(response)["data"]["items"]


def tenant_clock(response: requests.Response) -> str | None:
    """When the tenant generated the response, in its own naive local time."""
    return payload(response).get("header", {}).get("generated")


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


class KeysetPaginator(BaseAPIPaginator[int | None]):
    """Pages by `id` rather than by offset, so that records hired or removed
    while the sync runs cannot shift a page boundary and skip or repeat a record."""

    def __init__(self, page_size: int) -> None:
        super().__init__(None)
        self.page_size = page_size

    def has_more(self, response: requests.Response) -> bool:
        return len(items(response)) >= self.page_size

    def get_next(self, response: requests.Response) -> int | None:
        return items(response)[-1]["id"]


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
        next_page_token: int | None,
    ) -> dict[str, t.Any]:
        params = {
            "fields": self.fields,
            "orderBy": "id,asc",
            "paging": f"0,{self.page_size}",
        }
        if next_page_token is not None:
            params["id"] = f"greaterthan,{next_page_token}"
        return params

    def parse_response(self, response: requests.Response) -> t.Iterable[dict]:
        for record in items(response):
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
