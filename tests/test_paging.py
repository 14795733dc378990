"""Paging: every stream pages with the paginator its base stream makes for its API
generation; v4 paging reads every record, never asks twice for the same page, and
ends where Lucca's `count` says, not on the first short page."""

from __future__ import annotations

import pytest

from lucca_emulator import Faults, LuccaEmulator
from tap_lucca.client import LuccaStream
from tap_lucca.tap import TapLucca
from tests.conftest import API_KEY, fast_config, run_tap

CONTRACTS = "/directory/api/4.0/work-contracts"


@pytest.mark.parametrize("generation", ["legacy", "new_api"])
def test_every_stream_pages_with_the_base_streams_paginator_of_its_generation(generation):
    credentials = (
        {"api_key": "k"} if generation == "legacy" else {"client_id": "c", "client_secret": "s"}
    )
    tap = TapLucca(config={"api_url": "https://acme.ilucca.net", **credentials})

    for stream in tap.streams.values():
        assert type(stream).get_new_paginator is LuccaStream.get_new_paginator, stream.name
        paginator = stream.get_new_paginator()
        assert isinstance(paginator, stream.paginator_class)
        assert stream.paginator is paginator  # what a 408 asks to lighten


def test_timeouts_at_random_never_make_the_tap_ask_for_the_same_page_again(small_tenant):
    # Seed 10 sends a 408 to a page of 35 records at 875 (aligned below a size of
    # 200): halving the size to 100 would align to 35 again, the page just asked for.
    faults = Faults(seed=10, timeouts=0.3)
    with LuccaEmulator(small_tenant, api_key=API_KEY, faults=faults) as emulator:
        sync = run_tap(fast_config(emulator, page_size=200), streams=["contracts"])

        timeouts = [r for r in emulator.requests if r.status == 408]
    assert timeouts
    assert sorted(sync.ids("contracts")) == sorted(c["id"] for c in small_tenant.contracts)


def test_a_short_page_does_not_end_the_stream_while_count_says_more_remain(small_tenant):
    with LuccaEmulator(small_tenant, api_key=API_KEY, v4_page_cap=99) as emulator:
        sync = run_tap(fast_config(emulator), streams=["contracts"])

        sent = [r for r in emulator.requests if r.path == CONTRACTS]
    assert len(small_tenant.contracts) > 99
    assert sorted(sync.ids("contracts")) == sorted(c["id"] for c in small_tenant.contracts)
    # After the first short page, pages are asked at the size Lucca serves.
    assert {r.params["limit"][0] for r in sent[1:]} == {"99"}


def test_the_last_page_is_the_one_that_reaches_the_count(small_tenant):
    with LuccaEmulator(small_tenant, api_key=API_KEY) as emulator:
        run_tap(fast_config(emulator, page_size=100), streams=["contracts"])

        sent = [r for r in emulator.requests if r.path == CONTRACTS]
    # No empty page is asked for past the count.
    assert len(sent) == -(-len(small_tenant.contracts) // 100)
