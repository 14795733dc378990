"""Credentials: which API generation they open, and the authenticator for each."""

from __future__ import annotations

import datetime as dt
import typing as t

from singer_sdk.authenticators import APIKeyAuthenticator, OAuthAuthenticator
from singer_sdk.exceptions import ConfigValidationError, FatalAPIError

from tap_lucca.connection import SettingError

if t.TYPE_CHECKING:
    from collections.abc import Mapping

LEGACY, NEW_API = "legacy", "new_api"
LUCCA_TOKEN_URL = "https://accounts.world.luccasoftware.com/connect/token"
#: Read-only scopes for every new-API stream.
DEFAULT_SCOPES = (
    "employees.readonly employments.readonly job-positions.readonly departments.readonly "
    "legal-entities.readonly business-establishments.readonly "
    "employee-extension-definitions.readonly employee-extensions.readonly taxonomies.readonly"
)


def generation(config: Mapping[str, t.Any]) -> str:
    """The API generation the credentials open: an API key for the legacy API
    (v3/v4), a client id and secret for the new Lucca API."""
    has_key = bool(config.get("api_key"))
    has_client = bool(config.get("client_id")) or bool(config.get("client_secret"))
    if has_key == has_client:
        msg = "Give either api_key (legacy API) or client_id and client_secret (new Lucca API)" + (
            ", not both." if has_key else "."
        )
        raise ConfigValidationError(msg, errors=[msg])
    if has_client and not (config.get("client_id") and config.get("client_secret")):
        msg = "The new Lucca API needs both client_id and client_secret."
        raise ConfigValidationError(msg, errors=[msg])
    return LEGACY if has_key else NEW_API


class ClientCredentials(OAuthAuthenticator):
    """OAuth client credentials: one token, reused until shortly before it expires."""

    def __init__(self, config: Mapping[str, t.Any]) -> None:
        super().__init__(
            auth_endpoint=config.get("oauth_token_url") or LUCCA_TOKEN_URL,
            oauth_scopes=config.get("scopes") or DEFAULT_SCOPES,
            client_id=config["client_id"],
            client_secret=config["client_secret"],
        )
        self._refreshed_after_refusal = False

    @property
    def oauth_request_body(self) -> dict:
        # requests form-encodes this dict, so `&`, `+`, `=` and `%` in a secret survive.
        return {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "scope": self.oauth_scopes,
        }

    def is_token_valid(self) -> bool:
        if self.last_refreshed is None or self.access_token is None:
            return False
        if not self.expires_in:
            return True
        # Renew a little early, so that no request leaves with a dying token.
        margin = min(60.0, self.expires_in / 10)
        age = (dt.datetime.now(dt.UTC) - self.last_refreshed).total_seconds()
        return age < self.expires_in - margin

    def handle_error(self, *, content: str, status_code: int | None) -> None:  # noqa: ARG002
        # The body may echo the request: it is left out. One line, no traceback.
        if status_code in (400, 401, 403):
            msg = (
                f"Lucca refused the client credentials ({status_code}) at {self.auth_endpoint}: "
                "check the client_id, client_secret and scopes settings."
            )
            raise SettingError(msg)
        msg = f"Lucca's token endpoint answered {status_code} at {self.auth_endpoint}."
        raise FatalAPIError(msg)

    def refresh_after_refusal(self) -> bool:
        """Drop a token the API refused (401), once: True if a new one is worth a try."""
        if self._refreshed_after_refusal:
            return False
        self._refreshed_after_refusal = True
        self.access_token = None
        self.last_refreshed = None
        return True

    def accepted(self) -> None:
        """The API took the token: a later refusal deserves a refresh again."""
        self._refreshed_after_refusal = False


def authenticator_for(config: Mapping[str, t.Any]) -> APIKeyAuthenticator | ClientCredentials:
    """One authenticator for the whole run, shared by every stream."""
    if generation(config) == NEW_API:
        return ClientCredentials(config)
    return APIKeyAuthenticator(
        key="Authorization", value=f"lucca application={config['api_key']}", location="header"
    )
