"""The one exception endpoint code raises to answer with an HTTP error."""

from __future__ import annotations


class ApiError(Exception):
    """An HTTP error answer; `message` goes into a short JSON body."""

    content_type = "application/json; charset=utf-8"

    def __init__(
        self,
        status: int,
        message: str,
        headers: dict[str, str] | None = None,
        fault: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.fault = fault  # set when the answer is an injected fault (403, 408)

    def body(self) -> dict[str, object]:
        return {"status": self.status, "message": self.message}


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)
