"""`GET /api/v3/leaves` and `GET /api/v3/leaveaccounts`: Lucca Absences in the v3 envelope.

Leaves (lucca-api.md, "Absences"): every request must filter on the date (`date=<day>`,
`since,<day>`, `until,<day>` or `between,<a>,<b>`) and on the owners
(`leavePeriod.ownerId`, `leavePeriod.owner.departmentId` or
`leavePeriod.owner.legalEntityId`, comma lists; the last two match the owner's
*current* department or establishment), else 400. `paging=<offset>,<limit>` up to
10,000 (default 0,1000). Lucca does not publish the change filter's name: here it is
`modifiedOn=since,<UTC time>`, and `change_filter` says whether the tenant honours it,
ignores it, or answers 400 to it as to any unknown filter. Everything else is
v3_query's: `fields` (without it, only `id`), `collection.count`, filters on any field.
Cancelled leaves stay listed, with their `cancellationDate`.

Leave accounts (`/api/v3/leaveaccounts`, a guessed route): `{id, name, unit, isActive}`.

A tenant without Lucca Absences (`subscribed` false) answers 404 on both.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from .errors import ApiError, bad_request
from .timefmt import PARIS
from .v3_query import Catalog, Predicate, list_data, parse_query

if TYPE_CHECKING:
    from .tenant import Tenant

LEAVES_PATH = "/api/v3/leaves"
LEAVE_ACCOUNTS_PATH = "/api/v3/leaveaccounts"
ABSENCES_PATHS = (LEAVES_PATH, LEAVE_ACCOUNTS_PATH)
HONOURED, IGNORED, REJECTED = "honoured", "ignored", "rejected"
CHANGE_FILTER = "modifiedon"
DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000
# Owner filter -> the user key it matches (None: the leave period's own ownerId).
OWNER_FILTERS = {
    "leaveperiod.ownerid": None,
    "leaveperiod.owner.departmentid": "departmentID",
    "leaveperiod.owner.legalentityid": "legalEntityID",
}
_LEAVE_TEMPLATE: dict[str, Any] = {
    "id": "",
    "date": "",
    "isAm": True,
    "leaveAccountId": 0,
    "leaveAccount": {"id": 0, "name": ""},
    "leavePeriodId": 0,
    "leavePeriod": {
        "id": 0,
        "ownerId": 0,
        "isConfirmed": True,
        "confirmationDate": "",
        "attachmentId": 0,
    },
    "value": "",
    "creationDate": "",
    "isActive": True,
    "cancellationDate": "",
    "cancellationUserId": 0,
    "comment": "",
}
_ACCOUNT_TEMPLATE: dict[str, Any] = {"id": 0, "name": "", "unit": "", "isActive": True}


class AbsencesApi:
    """The two endpoints of one tenant, and how that tenant treats the change filter."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        #: HONOURED, IGNORED (answers as if it were not there) or REJECTED (400).
        self.change_filter = HONOURED
        #: False: the tenant has not subscribed to Lucca Absences (404).
        self.subscribed = True
        keys = tuple(_LEAVE_TEMPLATE)
        dates = ("date", "creationDate", "cancellationDate")
        self._leaves = Catalog(keys, [_LEAVE_TEMPLATE], dates, ("id",))
        self._accounts = Catalog(tuple(_ACCOUNT_TEMPLATE), [_ACCOUNT_TEMPLATE], (), ("id", "name"))

    def answer(self, route: str, params: dict[str, list[str]]) -> dict[str, Any]:
        """The `data` object of a list (caller holds the tenant lock)."""
        if not self.subscribed:
            raise ApiError(404, "Lucca Absences is not enabled on this tenant")
        absences = self.tenant.absences
        if route == LEAVE_ACCOUNTS_PATH:
            query, _ = parse_query(params, self._accounts)
            return list_data(absences.accounts, query)
        return self._leaves_data(params)

    def _leaves_data(self, params: dict[str, list[str]]) -> dict[str, Any]:
        paging = [v for k, vs in params.items() if k.lower() == "paging" for v in vs]
        rest = {k: v for k, v in params.items() if k.lower() != "paging"}
        extras = (*OWNER_FILTERS, *((CHANGE_FILTER,) if self.change_filter != REJECTED else ()))
        query, own = parse_query(rest, self._leaves, extras)
        if not any(name.lower() == "date" for name in rest):
            raise bad_request("A date filter is required: date=since,<day>, until or between")
        owners = [self._owners(name, own[name]) for name in OWNER_FILTERS if name in own]
        if not owners:
            raise bad_request(
                "An owner filter is required: leavePeriod.ownerId, "
                "leavePeriod.owner.departmentId or leavePeriod.owner.legalEntityId"
            )
        query.predicates += owners
        if CHANGE_FILTER in own and self.change_filter == HONOURED:
            query.predicates.append(self._changed_since(own[CHANGE_FILTER][-1]))
        if paging:
            query.offset, query.limit = _paging(paging[-1])
        else:
            query.offset, query.limit = 0, DEFAULT_LIMIT
        return list_data(self.tenant.absences.leaves, query)

    def _owners(self, name: str, values: list[str]) -> Predicate:
        try:
            wanted = {int(token) for value in values for token in value.split(",")}
        except ValueError:
            raise bad_request(f"{name} takes ids separated by commas") from None
        key = OWNER_FILTERS[name]
        if key is None:
            return lambda leave: leave["leavePeriod"]["ownerId"] in wanted
        user = self.tenant.user

        def current(leave: dict[str, Any]) -> bool:
            owner = user(leave["leavePeriod"]["ownerId"])
            return owner is not None and owner[key] in wanted

        return current

    def _changed_since(self, value: str) -> Predicate:
        verb, _, moment = value.partition(",")
        if verb.strip().lower() != "since":
            raise bad_request("modifiedOn takes since,<UTC time>")
        try:
            since = dt.datetime.fromisoformat(moment.strip())
        except ValueError:
            raise bad_request(f"Invalid value {moment!r} for modifiedOn") from None
        if since.tzinfo is None:  # the sync guide's times are UTC
            since = since.replace(tzinfo=dt.UTC)
        local = since.astimezone(PARIS).replace(tzinfo=None)
        changed = self.tenant.absences.changed
        return lambda leave: changed[leave["id"]] >= local


def _paging(text: str) -> tuple[int, int]:
    try:
        offset, limit = (int(part) for part in text.split(","))
    except ValueError:
        raise bad_request("paging must be '<offset>,<limit>'") from None
    if offset < 0 or not 1 <= limit <= MAX_LIMIT:
        raise bad_request(f"paging limit must be between 1 and {MAX_LIMIT}, offset >= 0")
    return offset, limit
