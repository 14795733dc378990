"""Paging shared by every Lucca API generation: the page to ask for next, and a
page size that lightens when Lucca times out."""

from __future__ import annotations

import typing as t
from abc import abstractmethod
from dataclasses import dataclass
from http import HTTPStatus

from singer_sdk.pagination import BaseAPIPaginator

from tap_lucca.payload import release

if t.TYPE_CHECKING:
    import requests


@dataclass(frozen=True)
class Page:
    """Where the next page starts, and how many records to ask for."""

    start: int | None
    size: int


class PageSize:
    """The page size to ask for. Lucca aborts requests that take over 5 s with a 408
    and asks for a lighter one: the size halves on each 408, down to a floor, and
    doubles back after a few pages in a row come through. An endpoint that serves
    fewer records a page than asked caps it for good."""

    pages_before_growing = 3

    def __init__(self, largest: int, smallest: int = 50) -> None:
        self.largest = largest
        self.smallest = min(smallest, largest)
        self.current = largest
        self._good_pages = 0

    def shrink(self, timed_out: int) -> bool:
        """Ask for half of the `timed_out` page from now on; False if that page
        was already at the floor. The next page is then always lighter than it."""
        self._good_pages = 0
        if timed_out <= self.smallest:
            return False
        self.current = max(min(self.current, timed_out) // 2, self.smallest)
        return True

    def cap(self, served: int) -> None:
        """Never ask for more than the `served` records an endpoint gives a page."""
        self.largest = min(self.largest, served)
        self.smallest = min(self.smallest, served)
        self.current = min(self.current, served)

    def grow(self) -> None:
        """Count a page that came through; enough in a row double the size."""
        self._good_pages += 1
        if self._good_pages >= self.pages_before_growing:
            self._good_pages = 0
            self.current = min(self.current * 2, self.largest)


class LuccaPaginator(BaseAPIPaginator[Page]):
    """Reads page after page; after a 408, asks for the same page, lighter."""

    def __init__(self, page_size: PageSize, start: int | None) -> None:
        super().__init__(Page(start, page_size.current))
        self.page_size = page_size

    def lighten(self) -> bool:
        """After a 408 on the current page: whether a lighter one can be asked for."""
        return self.page_size.shrink(self.current_value.size)

    def continue_if_empty(self, response: requests.Response) -> bool:
        return response.status_code == HTTPStatus.REQUEST_TIMEOUT

    def advance(self, response: requests.Response) -> None:
        super().advance(response)
        # The SDK still holds this response while it sends the next request: let
        # its decoded page go now, so that one page at a time is in memory.
        release(response)

    def has_more(self, response: requests.Response) -> bool:
        if response.status_code == HTTPStatus.REQUEST_TIMEOUT:
            return True
        return self.more_after(response)

    def get_next(self, response: requests.Response) -> Page:
        if response.status_code == HTTPStatus.REQUEST_TIMEOUT:
            return Page(self.current_value.start, self.page_size.current)
        self.page_size.grow()
        return self.page_after(response)

    @abstractmethod
    def more_after(self, response: requests.Response) -> bool:
        """Whether records remain after this page."""

    @abstractmethod
    def page_after(self, response: requests.Response) -> Page:
        """The page that follows this one."""
