"""Data that changes between pages: hires, updates and leavers after each users page.

A tap that pages through `/api/v3/users` by offset while people join and leave can
skip or repeat someone; this makes that happen on purpose, reproducibly. Who is
updated or leaves comes from `random.Random(seed)`; hires come from `Tenant.hire`
(ids above the current max, drawn from the tenant's own change stream).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from random import Random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .tenant import Tenant


@dataclass(frozen=True)
class Churn:
    """How many users each step hires, updates (jobTitle, modifiedAt) and lets go."""

    seed: int = 0
    hires: int = 0
    updates: int = 0
    leavers: int = 0

    def __post_init__(self) -> None:
        if min(self.hires, self.updates, self.leavers) < 0:
            raise ValueError("churn counts must be >= 0")


class ChurnRunner:
    """Applies `churn` step by step and logs {"hired", "updated", "left"} id lists."""

    def __init__(self, churn: Churn) -> None:
        self.churn = churn
        self._rng = Random(churn.seed)
        self._lock = threading.Lock()  # one step at a time, so the draws stay in order

    def step(self, tenant: Tenant) -> dict[str, list[int]]:
        churn = self.churn
        with self._lock, tenant.lock:
            iso_today = tenant.today.isoformat()
            # Choose among the people who exist before this step's hires.
            present = [u for u in tenant.users if (u["dtContractEnd"] or "9999")[:10] >= iso_today]
            updated = self._sample([u["id"] for u in present], churn.updates)
            # Only people with an open contract that began before today can leave
            # yesterday without an end date before their start.
            open_since = {c["ownerId"]: c["startsOn"] for c in tenant.contracts if not c["endsOn"]}
            taken = set(updated)
            can_leave = [
                u["id"]
                for u in present
                if u["dtContractEnd"] is None
                and u["id"] not in taken
                and u["id"] in open_since
                and open_since[u["id"]] < iso_today
            ]
            left = self._sample(can_leave, churn.leavers)
            hired = [u["id"] for u in tenant.hire(churn.hires)] if churn.hires else []
            if updated:
                tenant.update_users(updated)
            if left:
                tenant.leave(left)
        return {"hired": hired, "updated": updated, "left": left}

    def _sample(self, ids: list[int], n: int) -> list[int]:
        return sorted(self._rng.sample(ids, min(n, len(ids))))
