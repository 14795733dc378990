"""Response bodies, decoded once and let go as soon as their page is read."""

from __future__ import annotations

import gc
import typing as t
from contextlib import contextmanager

import msgspec

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    import requests

_decode = msgspec.json.Decoder().decode
_PAYLOAD = "_lucca_payload"


def payload(response: requests.Response) -> t.Any:
    """The decoded JSON body, decoded once per response and kept on it."""
    if _PAYLOAD not in response.__dict__:
        response.__dict__[_PAYLOAD] = _decode(response.content)
    return response.__dict__[_PAYLOAD]


def release(response: requests.Response) -> None:
    """Let a response's decoded body go."""
    response.__dict__.pop(_PAYLOAD, None)


@contextmanager
def collected_apart() -> Iterator[None]:
    """Pages read here are garbage-collected apart from what was alive before (the
    SDK's modules, the catalog): a decoded page brings some 100,000 objects, and
    every few pages the collector went through all of that again."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
