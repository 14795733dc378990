"""The Singer SDK's built-in tap tests, against the emulator."""

from __future__ import annotations

import atexit

import pytest
from singer_sdk.testing import get_tap_test_class

from lucca_emulator import LuccaEmulator, Tenant
from tap_lucca.tap import TapLucca
from tests.conftest import API_KEY

# A test the suite runs on no records, or a schema field no record shows, checks nothing:
# the emulator serves a value for every field of every stream, and this keeps it so.
pytestmark = [
    pytest.mark.filterwarnings("error:No records were available to test"),
    pytest.mark.filterwarnings("error:Fields in transformed catalog but not in records"),
]

# The suite reads its config when the class is built, so the emulator starts here.
_emulator = LuccaEmulator(Tenant.generate(users=400, seed=3), api_key=API_KEY)
_emulator.start()
atexit.register(_emulator.stop)

TestTapLucca = get_tap_test_class(
    tap_class=TapLucca,
    config={"api_url": _emulator.url, "api_key": API_KEY, "max_requests_per_minute": 100_000},
)
