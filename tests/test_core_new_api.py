"""The Singer SDK's built-in tap tests, against the emulator's new Lucca API."""

from __future__ import annotations

import atexit

import pytest
from singer_sdk.testing import get_tap_test_class

from lucca_emulator import LuccaEmulator, Tenant
from lucca_emulator.v5 import TOKEN_PATH
from tap_lucca.tap import TapLucca

# As in test_core.py: every schema field shows in the records, so every test checks
# something.
pytestmark = [
    pytest.mark.filterwarnings("error:No records were available to test"),
    pytest.mark.filterwarnings("error:Fields in transformed catalog but not in records"),
]

# The suite reads its config when the class is built, so the emulator starts here.
_emulator = LuccaEmulator(
    Tenant.generate(users=300, seed=3), client_id="suite-client", client_secret="suite+secret="
)
_emulator.start()
atexit.register(_emulator.stop)

TestTapLuccaNewApi = get_tap_test_class(
    tap_class=TapLucca,
    config={
        "api_url": _emulator.url,
        "client_id": "suite-client",
        "client_secret": "suite+secret=",
        "oauth_token_url": _emulator.url + TOKEN_PATH,
        "max_requests_per_minute": 100_000,
    },
)
