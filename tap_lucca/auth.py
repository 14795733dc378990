"""Credentials: which API generation they open, the authenticator for each, and what
a refusal (401) means for each."""

from __future__ import annotations

import datetime as dt
import typing as t
from http import HTTPStatus

from singer_sdk.authenticators import APIKeyAuthenticator, OAuthAuthenticator
from singer_sdk.exceptions import ConfigValidationError, FatalAPIError, RetriableAPIError

from tap_lucca.connection import SettingError

if t.TYPE_CHECKING:
    from collections.abc import Mapping

    import requests

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


class ApiKey(APIKeyAuthenticator):
    """The legacy API's key, sent as `Authorization: lucca application=<key>`."""

    def __init__(self, key: str) -> None:
        super().__init__(key="Authorization", value=f"lucca application={key}", location="header")

    def refusal(self, response: requests.Response, where: str) -> Exception:  # noqa: ARG002
        """What a 401 on `where` means: a key no retry can mend."""
        return SettingError(
            f"Lucca rejected the API key (401) on {where}: check the api_key setting."
        )


class ClientCredentials(OAuthAuthenticator):
    """OAuth client credentials: one token, reused until shortly before it expires."""

    def __init__(self, config: Mapping[str, t.Any]) -> None:
        super().__init__(
            auth_endpoint=config.get("oauth_token_url") or LUCCA_TOKEN_URL,
            oauth_scopes=config.get("scopes") or DEFAULT_SCOPES,
            client_id=config["client_id"],
            client_secret=config["client_secret"],
        )
        self.refusals_in_a_row = 0

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

    def authenticate_request(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request = super().authenticate_request(request)
        # A retry sends the same request again: one hook is enough.
        if self.answered not in request.hooks["response"]:
            request.register_hook("response", self.answered)
        return request

    def answered(self, response: requests.Response, **kwargs: t.Any) -> None:  # noqa: ARG002
        """Lucca's answer to a request with the token: a refusal drops the token, so
        that the next request gets a new one."""
        if response.status_code == HTTPStatus.UNAUTHORIZED:
            self.refusals_in_a_row += 1
            self.access_token = None
            self.last_refreshed = None
        else:
            self.refusals_in_a_row = 0

    def refusal(self, response: requests.Response, where: str) -> Exception:
        """What a 401 on `where` means: a token that expired or was revoked is worth
        one new one; a new one refused too means the credentials are wrong."""
        if self.refusals_in_a_row == 1:
            msg = f"Lucca refused the access token on {where}: getting a new one"
            return RetriableAPIError(msg, response)
        return SettingError(
            f"Lucca refused a fresh access token (401) on {where}: check the client_id, "
            "client_secret and scopes settings."
        )


#: An authenticator of either API generation.
Authenticator = ApiKey | ClientCredentials


def authenticator_for(config: Mapping[str, t.Any]) -> Authenticator:
    """One authenticator for the whole run, shared by every stream."""
    if generation(config) == NEW_API:
        return ClientCredentials(config)
    return ApiKey(config["api_key"])
