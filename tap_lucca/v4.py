"""Lucca's v4 API (`/directory/api/4.0/...`, `/organization/structure/api/...`):
its envelope and paging."""

from __future__ import annotations

import typing as t

from tap_lucca.client import LuccaStream
from tap_lucca.paging import LuccaPaginator, Page, PageSize
from tap_lucca.payload import payload

if t.TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context


def items(body: dict | list) -> list[dict]:
    """Records of a v4 list: `{"items": [...], "count": n, ...}`. Some look-up
    endpoints are not documented, so a bare list is taken too."""
    return body if isinstance(body, list) else body["items"]


def count(body: dict | list) -> int | None:
    """The total, when the endpoint gives one."""
    return None if isinstance(body, list) else body.get("count")


def aligned(start: int, size: int) -> int:
    """The largest page size up to `size` whose pages have a boundary at `start`."""
    return next(d for d in range(size, 0, -1) if start % d == 0)


class PagePaginator(LuccaPaginator):
    """1-based `page` of `limit` records; a page's start is the number of records
    read before it. Stops when `count` says nothing is left, which spares the empty
    page at the end; without a count, on a short page."""

    def __init__(self, page_size: PageSize) -> None:
        super().__init__(page_size, start=0)

    def get_next(self, response: requests.Response) -> Page:
        page = super().get_next(response)
        return Page(page.start, aligned(page.start, page.size))

    def more_after(self, response: requests.Response) -> bool:
        body = payload(response)
        read = len(items(body))
        total = count(body)
        if total is None:
            return read >= self.current_value.size
        return self.current_value.start + read < total

    def page_after(self, response: requests.Response) -> Page:
        read = len(items(payload(response)))
        if read < self.current_value.size:
            # A short page that is not the last: the endpoint serves no more a page,
            # and the next pages must be of that size to line up with its own.
            self.page_size.cap(read)
        return Page(self.current_value.start + read, self.page_size.current)


class V4Stream(LuccaStream):
    """A v4 collection, read `page_size` records at a time."""

    paginator_class = PagePaginator

    #: Filters the endpoint needs on every page.
    filters: t.ClassVar[dict[str, str]] = {}

    def get_url_params(
        self,
        context: Context | None,  # noqa: ARG002
        next_page_token: Page,
    ) -> dict[str, t.Any]:
        start, size = next_page_token.start, next_page_token.size
        return {**self.filters, "fields.root": "count", "limit": size, "page": start // size + 1}

    def records_in(self, body: dict | list) -> list[dict]:
        if (total := count(body)) is not None:
            self.report.count(total)
        return items(body)
