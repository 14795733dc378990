"""Look-up data copied from real Lucca demo-tenant responses (sandbox_sample.json).

The JSON keeps the emulator independent of /work/shared: one full recorded user (the
template for key names, casing and order), the look-up objects (cultures, roles,
CSPs, calendars, legal entities…) and per-country name pools with accents.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SAMPLE_PATH = Path(__file__).with_name("sandbox_sample.json")


@cache
def sample() -> dict[str, Any]:
    with SAMPLE_PATH.open(encoding="utf-8") as handle:
        return json.load(handle)


def base_url() -> str:
    """Base URL written into `url` fields of records (a fixed demo-tenant address)."""
    return sample()["base_url"]


def template_user() -> dict[str, Any]:
    """The recorded full user object (70 keys); do not mutate."""
    return sample()["template_user"]


@cache
def user_keys() -> tuple[str, ...]:
    """Every key of a full v3 user, in the order the API writes them."""
    return tuple(template_user())


def lookups() -> dict[str, Any]:
    return sample()["lookups"]


def countries() -> dict[str, Any]:
    return sample()["countries"]
