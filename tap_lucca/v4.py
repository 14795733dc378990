"""Lucca's v4 API (`/directory/api/4.0/...`, `/organization/structure/api/...`):
its envelope and paging."""

from __future__ import annotations

import typing as t

from singer_sdk.pagination import PageNumberPaginator

from tap_lucca.client import LuccaStream, payload

if t.TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context


def items(response: requests.Response) -> list[dict]:
    """Records of a v4 list: `{"items": [...], "count": n, ...}`."""
    return payload(response)["items"]


class PagePaginator(PageNumberPaginator):
    """1-based `page` of `limit` records. Stops on a short page, or as soon as
    `count` says nothing is left, which spares the empty page at the end."""

    def __init__(self, page_size: int) -> None:
        super().__init__(1)
        self.page_size = page_size

    def has_more(self, response: requests.Response) -> bool:
        body = payload(response)
        if len(body["items"]) < self.page_size:
            return False
        count = body.get("count")
        return count is None or self.current_value * self.page_size < count


class V4Stream(LuccaStream):
    """A v4 collection, read `page_size` records at a time."""

    primary_keys: t.ClassVar[list[str]] = ["id"]

    #: Filters the endpoint needs on every page.
    filters: t.ClassVar[dict[str, str]] = {}

    def get_new_paginator(self) -> PagePaginator:
        return PagePaginator(self.page_size)

    def get_url_params(
        self,
        context: Context | None,  # noqa: ARG002
        next_page_token: int | None,
    ) -> dict[str, t.Any]:
        return {
            **self.filters,
            "fields.root": "count",
            "limit": self.page_size,
            "page": next_page_token,
        }

    def parse_response(self, response: requests.Response) -> t.Iterable[dict]:
        yield from items(response)
