"""How many records a list request asks for, to answer 408 to heavy pages.

Lucca aborts a request that runs longer than 5 s with 408 and asks for a lighter one
(a smaller page). The emulator stands in for "slow" with "asks for more than N
records": the page size the request would get, its default included (1000 for v3
lists, 10 for most v4 ones, 100 for v4 look-ups, 25 for the new API's collections). A
malformed size gives None: the endpoint answers 400 for it.
"""

from __future__ import annotations

from . import v3_query, v4, v5


def v3_page_size(params: dict[str, list[str]]) -> int | None:
    """The limit of `paging=<offset>,<limit>` (parameter names are case-insensitive)."""
    values = [v for key, vs in params.items() if key.lower() == "paging" for v in vs]
    if not values:
        return v3_query.DEFAULT_LIMIT
    parts = values[-1].split(",")
    if len(parts) != 2:
        return None
    try:
        return int(parts[1])
    except ValueError:
        return None


def v4_page_size(params: dict[str, list[str]], default: int = v4.DEFAULT_LIMIT) -> int | None:
    """The v4 `limit` parameter (`default` when absent: the endpoint's own default)."""
    values = [v.strip() for key, vs in params.items() if key.lower() == "limit" for v in vs]
    if not values:
        return default
    try:
        return int(values[-1])
    except ValueError:
        return None


def v5_page_size(params: dict[str, list[str]]) -> int | None:
    """The new API's `limit` parameter (25 when absent)."""
    return v4_page_size(params, v5.DEFAULT_LIMIT)
