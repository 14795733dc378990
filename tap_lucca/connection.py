"""Failures that say a setting is wrong. Every stream would meet them alike, so no
retry and no other stream can help: the run ends at once, naming the setting."""

from __future__ import annotations

import ssl
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError


class SettingError(SystemExit):
    """A wrong setting (api_url, api_key): every stream would fail alike, so the run
    ends at once with exit code 1, past the retries and the SDK's per-stream handling."""

    def __init__(self, message: str) -> None:
        super().__init__(1)
        self.message = message

    def __str__(self) -> str:
        return self.message


def setting_error(error: requests.ConnectionError, api_url: str) -> SettingError | None:
    """The wrong setting a failed connection points to; None if it may be a passing fault."""
    parts = urlsplit(api_url)
    where = parts.netloc
    cause = getattr(error.args[0], "reason", None) if error.args else None
    if isinstance(error, requests.exceptions.SSLError):
        tls = _tls_reason(cause)
        return SettingError(
            f"The TLS handshake with {where} failed ({tls}): check that api_url is the "
            "tenant's https:// URL and that this machine trusts its certificate."
        )
    if isinstance(cause, NameResolutionError):
        return SettingError(f"Cannot resolve host '{parts.hostname}': check api_url.")
    if isinstance(cause, NewConnectionError) and isinstance(
        cause.__cause__, ConnectionRefusedError
    ):
        return SettingError(f"{where} refused the connection: check api_url.")
    return None


def _tls_reason(cause: object) -> str:
    """What OpenSSL said, e.g. "certificate verify failed" or "WRONG_VERSION_NUMBER"."""
    inner = cause.args[0] if isinstance(cause, Exception) and cause.args else cause
    if isinstance(inner, ssl.SSLCertVerificationError):
        return inner.verify_message or "certificate not trusted"
    if isinstance(inner, ssl.SSLError):
        return inner.reason or "handshake failed"
    return "handshake failed"
