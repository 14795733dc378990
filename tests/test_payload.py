"""Decoded pages are garbage-collected apart from what was alive before the sync, and
nothing stays apart once it ends: a process that runs the tap in-process (tests, an
orchestrator) collects as before."""

from __future__ import annotations

import gc

import pytest

from tap_lucca.payload import collected_apart
from tests.conftest import run_tap


def test_what_was_alive_before_is_set_apart_while_pages_are_read_and_back_after():
    with collected_apart():
        assert gc.get_freeze_count() > 0

    assert gc.get_freeze_count() == 0


def test_a_run_that_fails_leaves_nothing_apart():
    with pytest.raises(RuntimeError), collected_apart():
        raise RuntimeError

    assert gc.get_freeze_count() == 0


def test_a_sync_leaves_nothing_apart(emulator, config):
    sync = run_tap(config, streams=["departments"])

    assert sync.records["departments"]
    assert gc.get_freeze_count() == 0
