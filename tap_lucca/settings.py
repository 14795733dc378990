"""What the settings must mean beyond their JSON Schema: checked before any request,
each wrong one named in one line."""

from __future__ import annotations

import datetime as dt
import ipaddress
import typing as t
import zoneinfo
from urllib.parse import urlsplit

from singer_sdk.exceptions import ConfigValidationError

from tap_lucca import auth

if t.TYPE_CHECKING:
    from collections.abc import Mapping

#: What each URL setting looks like, for its error message.
URL_EXAMPLES = {"api_url": "https://<tenant>.ilucca.net", "oauth_token_url": auth.LUCCA_TOKEN_URL}


def setting_errors(config: Mapping[str, t.Any], schema: Mapping[str, t.Any]) -> list[str]:
    """Settings missing, and what JSON Schema cannot check: credentials of both API
    generations or of neither, plain http off loopback, a start_date that is not an
    ISO 8601 date, or is in the future."""
    errors = [
        f"{name} is missing: {schema['properties'][name]['description']}"
        for name in schema.get("required", [])
        if not config.get(name)
    ]
    try:
        auth.generation(config)
    except ConfigValidationError as error:
        errors.append(str(error))
    for name in URL_EXAMPLES:
        if config.get(name):
            try:
                validated_url(name, config[name])
            except ConfigValidationError as error:
                errors.append(str(error))
    if start_date := config.get("start_date"):
        errors += start_date_errors(str(start_date), config.get("timezone"))
    return errors


def validated_url(setting: str, url: str) -> str:
    """The URL without a trailing slash; plain HTTP is only for loopback, so that no
    credential leaves the machine unencrypted."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        msg = f"{setting} must look like {URL_EXAMPLES[setting]}, got {url!r}"
        raise ConfigValidationError(msg)
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        msg = f"{setting} must use https:// (plain http:// is only allowed for loopback)"
        raise ConfigValidationError(msg)
    return url.rstrip("/")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def default_tenant(api_url: str) -> str:
    """The tenant label when none is set: the URL's host, and its port if it has one,
    so that two tenants on one host never share a label."""
    parts = urlsplit(api_url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


def start_date_errors(start_date: str, timezone: str | None) -> list[str]:
    """An ISO 8601 date or date-time, not in the future. Anything else (`01/02/2025`,
    which is 1 February in France and 2 January elsewhere; `next year`) is refused
    rather than guessed at. A time without an offset is the tenant's."""
    try:
        start = dt.datetime.fromisoformat(start_date)
    except ValueError:
        return [
            f"start_date must be an ISO 8601 date or date-time such as 2025-01-31 or "
            f"2025-01-31T08:00:00, got {start_date!r}"
        ]
    if start.tzinfo is None:
        try:
            start = start.replace(tzinfo=zoneinfo.ZoneInfo(timezone or "UTC"))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            start = start.replace(tzinfo=dt.UTC)  # a wrong timezone is named on its own
    if start > dt.datetime.now(dt.UTC):
        return [
            f"start_date {start_date!r} is in the future: the first sync would read "
            "nothing. Give a past date, or none to read everything."
        ]
    return []
