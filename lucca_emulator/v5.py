"""The new Lucca API (v5, `/lucca-api/...`) and its OAuth token endpoint.

- `POST /connect/token` (form: grant_type=client_credentials, client_id, client_secret,
  scope) -> {"access_token", "token_type": "Bearer", "expires_in"}; a wrong client
  gets 401 {"error": "invalid_client"}. Tokens expire after `token_seconds`.
- Every `/lucca-api/` request needs `Authorization: Bearer <token>` (401 when unknown or
  expired), `Api-Version: 2024-11-01` (400 otherwise) and the resource's scope
  `<resource>.readonly` (403). Errors are `application/problem+json`.
- `GET /lucca-api/<resource>`: items in id order, `limit` 0..100 (default 25), cursor
  `page`. The envelope is the reference's: `type`, `url`, `items`, and only when
  `include` asks for them `totalCount`, `links` (`prev`/`next`, each `{"href"}` or null;
  `next.href` carries only the cursor: a client keeps its own `limit`, `include` and
  filters) and `embedded` (the related resources, by id). Items carry their own
  `links` with `include=links`. Employees: `status=active,upcoming,deactivated`
  (default active,upcoming).
- `GET /lucca-api/<resource>/<id>`: one item, `embedded` and `links` as above; 404
  when there is no such item.
- Every answer, errors included, carries the `Api-Version` header.
- Change tracking: the resources are derived again whenever the tenant changed; a
  record whose content changed gets `lastUpdatedAt` = that moment. Lucca documents no
  change filter: when `honours_updated_filter` is on, `lastUpdatedAt=<from>--<to>`
  (either side `..`) keeps the records updated in that range, as a tenant that
  honours an undocumented filter might; when off, the filter is ignored. A deleted
  record is simply gone: the reference has no tombstones.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import threading
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from . import v5_extensions
from .errors import ProblemError
from .v5_data import EMBEDDED, RESOURCES, derive, links, utc_text

if TYPE_CHECKING:
    from .tenant import Tenant

TOKEN_PATH = "/connect/token"
PREFIX = "/lucca-api/"
API_VERSION = "2024-11-01"
DEFAULT_LIMIT, MAX_LIMIT = 25, 100
STATUSES = ("active", "upcoming", "deactivated")


def _order(ident: str) -> tuple[int, int | str]:
    """Where an id sorts: numeric ids by number, others (custom fields' `e_…`) after."""
    return (0, int(ident)) if ident.isdigit() else (1, ident)


def _cursor(after: str) -> str:
    return base64.urlsafe_b64encode(f"after:{after}".encode()).decode()


def _after(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode()).decode().removeprefix("after:")
    except ValueError:
        raise ProblemError(400, "page is not a cursor this API gave") from None


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[-1] if values else None


def _range(text: str) -> tuple[str, str]:
    """`<from>--<to>` as comparable UTC texts; `..` leaves a side open."""
    low, sep, high = text.partition("--")
    if not sep:
        raise ProblemError(400, "a range looks like <from>--<to>")

    def side(value: str, open_end: str) -> str:
        if value in ("", ".."):
            return open_end
        try:
            return utc_text(dt.datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            raise ProblemError(400, f"{value!r} is not a date-time") from None

    return side(low, ""), side(high, "9999")


class V5Api:
    """The tenant as the new API serves it. All attributes are settable at run time."""

    def __init__(self, tenant: Tenant, client_id: str, client_secret: str) -> None:
        self.tenant = tenant
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_seconds = 1800
        self.honours_updated_filter = False
        self._tokens: dict[str, tuple[float, set[str]]] = {}
        self._lock = threading.Lock()
        self._fingerprint: object = None
        self._current: dict[str, dict[str, dict[str, Any]]] = {}

    # ----- tokens -------------------------------------------------------------------------
    def token(self, form: bytes) -> tuple[int, dict[str, Any]]:
        fields = {k: v[-1] for k, v in parse_qs(form.decode("utf-8")).items()}
        if fields.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        if (fields.get("client_id"), fields.get("client_secret")) != (
            self.client_id,
            self.client_secret,
        ):
            return 401, {"error": "invalid_client"}
        token = secrets.token_urlsafe(24)
        scopes = set(fields.get("scope", "").split())
        with self._lock:
            self._tokens[token] = (time.monotonic() + self.token_seconds, scopes)
        body = {"access_token": token, "token_type": "Bearer", "expires_in": self.token_seconds}
        return 200, body

    def revoke_tokens(self) -> None:
        """Forget every token, as a key rotation would: the next request gets 401."""
        with self._lock:
            self._tokens.clear()

    def authorize(self, headers: Any, path: str) -> None:
        scheme, _, token = (headers.get("Authorization") or "").partition(" ")
        with self._lock:
            known = self._tokens.get(token) if scheme == "Bearer" else None
        if known is None:
            raise ProblemError(401, "Unauthorized: unknown access token")
        expires, scopes = known
        if time.monotonic() >= expires:
            raise ProblemError(401, "Unauthorized: the access token expired")
        if headers.get("Api-Version") != API_VERSION:
            raise ProblemError(400, f"Api-Version must be {API_VERSION}")
        resource = path.removeprefix(PREFIX).strip("/").split("/")[0]
        scope = v5_extensions.SCOPES.get(resource, f"{resource}.readonly")
        if (resource in RESOURCES or resource in v5_extensions.SCOPES) and scope not in scopes:
            raise ProblemError(403, f"the token lacks the scope {scope}")

    # ----- resources ----------------------------------------------------------------------
    def _refresh(self) -> None:
        """Derive the resources again if the tenant changed, dating what changed."""
        tenant = self.tenant
        fingerprint = (
            len(tenant.users),
            len(tenant.contracts),
            len(tenant.userlogs),
            len(tenant.departments),
            hash(tuple(u["modifiedAt"] for u in tenant.users)),
            hash(tuple(c["lastModifiedAt"] for c in tenant.contracts)),
        )
        if fingerprint == self._fingerprint:
            return
        first = self._fingerprint is None
        self._fingerprint = fingerprint
        now = utc_text(dt.datetime.now(dt.UTC))
        fresh = {name: {r["id"]: r for r in rows} for name, rows in derive(tenant).items()}
        if not first:
            for name, rows in fresh.items():
                before = self._current[name]
                for ident, row in rows.items():
                    if "lastUpdatedAt" not in row:
                        continue  # departments: the reference dates none
                    old = before.get(ident)
                    if old is None or _content(old) != _content(row):
                        row["lastUpdatedAt"] = now
                    else:
                        row["lastUpdatedAt"] = old["lastUpdatedAt"]
        self._current = fresh

    def records(self, resource: str) -> list[dict[str, Any]]:
        """The resource's current records in id order (the truth for tests)."""
        with self.tenant.lock:
            self._refresh()
            return list(self._current[resource].values())

    def answer(self, path: str, params: dict[str, list[str]], url: str) -> dict[str, Any]:
        """The body for `GET <path>`; `url` is the path's own address."""
        resource, _, ident = path.removeprefix(PREFIX).strip("/").partition("/")
        if resource in v5_extensions.SCOPES and not ident:
            include = set((_one(params, "include") or "").split(","))
            return self._collection(resource, params, url, include)
        if resource not in RESOURCES or "/" in ident:
            raise ProblemError(404, f"No resource {path.removeprefix(PREFIX)}")
        include = set((_one(params, "include") or "").split(","))
        if ident:
            return self._item(resource, ident, include)
        return self._collection(resource, params, url, include)

    def _item(self, resource: str, ident: str, include: set[str]) -> dict[str, Any]:
        with self.tenant.lock:
            self._refresh()
            record = self._current[resource].get(ident)
        if record is None:
            raise ProblemError(404, f"No {resource} {ident}")
        body = self._served(resource, record, include)
        if "embedded" in include:
            body["embedded"] = self._embedded(resource, [record])
        return body

    def _collection(
        self, resource: str, params: dict[str, list[str]], url: str, include: set[str]
    ) -> dict[str, Any]:
        limit_text = _one(params, "limit") or str(DEFAULT_LIMIT)
        if not limit_text.isdigit() or int(limit_text) > MAX_LIMIT:
            raise ProblemError(400, f"limit must be between 0 and {MAX_LIMIT}")
        limit = int(limit_text)
        if resource in v5_extensions.SCOPES:
            rows = sorted(
                v5_extensions.rows(self.tenant, resource, params), key=lambda r: _order(r["id"])
            )
        else:
            rows = self.records(resource)
        if resource == "employees":
            wanted = (_one(params, "status") or "active,upcoming").split(",")
            if not set(wanted) <= set(STATUSES):
                raise ProblemError(400, f"status takes {','.join(STATUSES)}")
            rows = [r for r in rows if r["status"] in wanted]
        updated = _one(params, "lastUpdatedAt")
        # Resources the reference dates none of (departments...) ignore the filter.
        dated = bool(rows) and "lastUpdatedAt" in rows[0]
        if updated is not None and self.honours_updated_filter and dated:
            low, high = _range(updated)
            rows = [r for r in rows if low <= r["lastUpdatedAt"] <= high]
        # A cursor holds the id the page starts after; an empty one, the first page.
        after = _after(page) if (page := _one(params, "page")) else ""
        start = sum(1 for r in rows if _order(r["id"]) <= _order(after)) if after else 0
        items = rows[start : start + limit]
        body: dict[str, Any] = {
            "type": resource,
            "url": url,
            "items": [self._served(resource, r, include) for r in items],
        }
        if "totalCount" in include:
            body["totalCount"] = len(rows)
        if "links" in include and resource not in v5_extensions.UNLINKED:
            more = bool(items) and start + limit < len(rows)
            back = rows[start - limit - 1]["id"] if start > limit else ""
            body["links"] = {
                "prev": {"href": f"{url}?page={_cursor(back)}"} if start else None,
                "next": {"href": f"{url}?page={_cursor(items[-1]['id'])}"} if more else None,
            }
        if "embedded" in include:
            body["embedded"] = self._embedded(resource, items)
        return body

    @staticmethod
    def _served(resource: str, record: dict[str, Any], include: set[str]) -> dict[str, Any]:
        """A record as served: with its `links` when asked for (the custom fields'
        schemas have none)."""
        if "links" not in include or resource not in RESOURCES:
            return record
        return {**record, "links": links(resource, record)}

    def _embedded(self, resource: str, items: list[dict[str, Any]]) -> dict[str, Any]:
        """The resources the items refer to, by key then id (none for some resources)."""
        if resource in v5_extensions.SCOPES:
            return v5_extensions.embedded(self.tenant, resource, items)
        embedded: dict[str, Any] = {}
        for key, (related, prop) in EMBEDDED.get(resource, {}).items():
            wanted = {r[prop]["id"] for r in items if r.get(prop)}
            rows = self._current[related]
            embedded[key] = {i: rows[i] for i in sorted(wanted, key=int) if i in rows}
        return embedded


def _content(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ("lastUpdatedAt", "createdAt")}
