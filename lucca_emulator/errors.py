"""The exception endpoint code raises to answer with an HTTP error (the new API's in
its problem+json form)."""

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


class ProblemError(ApiError):
    """An error of the new Lucca API, as `application/problem+json`."""

    content_type = "application/problem+json; charset=utf-8"

    def body(self) -> dict[str, object]:
        return {
            "type": f"https://developers.lucca.fr/problems/{self.status}",
            "title": self.message,
            "status": self.status,
            "errors": {},
        }


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)
