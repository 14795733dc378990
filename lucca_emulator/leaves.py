"""Lucca Absences: leave accounts, and leaves, one per half-day, grouped in leave periods.

Generated from the tenant's people and reproducible from its seed: about three
absences a person a year, on working days (Monday to Friday) while the person holds a
contract, from HISTORY_DAYS back to PLANNED_DAYS ahead; half-days, an account counted
in hours, pending (planned, not yet approved) and cancelled periods. A person has at
most one leave per half-day, as in Lucca. Times are the tenant's clock, naive, as v3
writes them; dates are v3's midnight timestamps.

Each leave also keeps when it last changed (`changed`): Lucca does not serve it, but its
change filter reads it. `request`, `approve` and `cancel` change the tenant between two
runs, as people and managers do in Lucca.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .timefmt import paris_now, truncate_to_millis, v3_date, v3_timestamp

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .tenant import Tenant

HISTORY_DAYS = 700  # about two years back: inside the tap's default window
PLANNED_DAYS = 120  # planned leaves ahead
ABSENCES_A_YEAR = 3.5  # drawn; those that meet a half-day already taken are dropped


@dataclass(frozen=True)
class Account:
    """A leave account and how its absences look: lengths in half-days, and whether
    it is taken unplanned (declared on or after its first day)."""

    id: int
    name: str
    unit: str  # "days" or "hours" (lucca-api.md: a guess)
    weight: float
    half_days: tuple[int, ...]
    unplanned: bool = False
    is_active: bool = True


ACCOUNTS = (
    Account(1, "Congés payés", "days", 0.45, (1, 2, 2, 4, 6, 8, 10, 10)),
    Account(2, "RTT", "days", 0.2, (1, 2, 2)),
    Account(4, "Arrêt maladie", "days", 0.15, (2, 2, 4, 6, 10), unplanned=True),
    Account(5, "Récupération", "hours", 0.1, (1,)),
    Account(7, "Enfant malade", "days", 0.1, (1, 2, 2, 4), unplanned=True),
    # Retired: only old leaves use it.
    Account(9, "Congés d'ancienneté", "days", 0.0, (2, 4), is_active=False),
)
HOURS = ("01:00:00", "02:00:00", "02:30:00", "03:00:00", "03:30:00")  # .NET TimeSpan
COMMENTS = ("Vacances", "Rendez-vous médical", "Déménagement", "Pont", "Mariage d'un proche")


def working_half_days(
    start: dt.date, afternoon: bool, count: int, last: dt.date
) -> Iterator[tuple[dt.date, bool]]:
    """`count` half-days from `start` (its afternoon if `afternoon`), Monday to Friday,
    up to `last`: (day, is morning) pairs."""
    day, morning = start, not afternoon
    while count and day <= last:
        if day.weekday() < 5:
            yield day, morning
            count -= 1
        if morning:
            morning = False
        else:
            day, morning = day + dt.timedelta(days=1), True


class Absences:
    """A tenant's leave accounts and leaves (`leaves` in id order)."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.accounts: list[dict[str, Any]] = [
            {"id": a.id, "name": a.name, "unit": a.unit, "isActive": a.is_active} for a in ACCOUNTS
        ]
        self.leaves: list[dict[str, Any]] = []
        self.periods: dict[int, dict[str, Any]] = {}
        #: Leave id -> when it last changed (the tenant's clock): what the change filter reads.
        self.changed: dict[str, dt.datetime] = {}
        self._period_leaves: dict[int, list[dict[str, Any]]] = {}
        self._taken: set[tuple[int, dt.date, bool]] = set()  # (owner, day, is morning)
        self._refs = {a.id: {"id": a.id, "name": a.name} for a in ACCOUNTS}
        self._by_account = {a.id: a for a in ACCOUNTS}
        self._rng = random.Random(tenant.seed * 104_729 + 17)
        self._next_leave = 1_000_001
        self._next_period = 50_001
        self._generate()

    # ----- generation ------------------------------------------------------------------
    def _generate(self) -> None:
        today = self.tenant.today
        first = today - dt.timedelta(days=HISTORY_DAYS)
        last = today + dt.timedelta(days=PLANNED_DAYS)
        horizon = dt.datetime.combine(today, dt.time()) - dt.timedelta(minutes=3)
        planned: list[tuple[dt.datetime, int, list[tuple[dt.date, bool]], dict[str, Any]]] = []
        for contract in self.tenant.contracts:
            start = max(dt.date.fromisoformat(contract["startsOn"]), first)
            ends = contract["endsOn"]
            end = min(dt.date.fromisoformat(ends), last) if ends else last
            if end >= start:
                planned += self._absences_of(contract["ownerId"], start, end, horizon)
        # Ids in the order the leaves were entered, as a database hands them out.
        for created, owner, half_days, period in sorted(planned, key=lambda p: p[0]):
            self._add(owner, half_days, period, created)

    def _absences_of(
        self, owner: int, start: dt.date, end: dt.date, horizon: dt.datetime
    ) -> list[tuple[dt.datetime, int, list[tuple[dt.date, bool]], dict[str, Any]]]:
        rng = self._rng
        today = self.tenant.today
        span = (end - start).days + 1
        found = []
        for _ in range(int(span / 365 * ABSENCES_A_YEAR + rng.random())):
            day = start + dt.timedelta(days=rng.randrange(span))
            account = rng.choices(ACCOUNTS, [a.weight for a in ACCOUNTS])[0]
            if day < today - dt.timedelta(days=HISTORY_DAYS - 60) and rng.random() < 0.1:
                account = ACCOUNTS[-1]  # the retired account, in the oldest leaves
            if account.unplanned and day > today:
                account = ACCOUNTS[0]
            length = rng.choice(account.half_days)
            afternoon = length % 2 == 1 and rng.random() < 0.5
            half_days = list(working_half_days(day, afternoon, length, end))
            if not half_days or any((owner, d, m) in self._taken for d, m in half_days):
                continue
            self._taken.update((owner, d, m) for d, m in half_days)
            found.append(self._period_times(owner, account, half_days, horizon))
        return found

    def _period_times(
        self,
        owner: int,
        account: Account,
        half_days: list[tuple[dt.date, bool]],
        horizon: dt.datetime,
    ) -> tuple[dt.datetime, int, list[tuple[dt.date, bool]], dict[str, Any]]:
        """When a period was entered, confirmed and maybe cancelled, all before `horizon`."""
        rng = self._rng

        def after(low: dt.datetime, minutes: int) -> dt.datetime:
            """Up to `minutes` after `low`, to the millisecond, never past `horizon`."""
            late = low + dt.timedelta(
                minutes=rng.randrange(minutes), milliseconds=rng.randrange(1000)
            )
            if late <= horizon:
                return late
            return (
                truncate_to_millis(low + (horizon - low) * rng.random()) if low < horizon else low
            )

        begins = dt.datetime.combine(half_days[0][0], dt.time(8))
        if account.unplanned:  # declared on the day or just after
            created = after(begins, 3 * 24 * 60)
        else:  # asked for weeks ahead
            created = after(begins - dt.timedelta(days=60), 58 * 24 * 60)
        if created > horizon:  # planned, and asked for before the history began
            created = horizon - dt.timedelta(minutes=rng.randrange(1, 20 * 24 * 60))
        confirmed: dt.datetime | None = created
        if not account.unplanned:
            pending = half_days[0][0] > self.tenant.today and rng.random() < 0.3
            confirmed = None if pending else after(created, 4 * 24 * 60)
        cancelled = after(created, 400 * 60) if rng.random() < 0.06 else None
        period = {
            "id": 0,  # numbered in creation order
            "ownerId": owner,
            "isConfirmed": confirmed is not None,
            "confirmationDate": confirmed and v3_timestamp(confirmed),
            "attachmentId": rng.randrange(7000, 9000) if account.unplanned else None,
            "_account": account,
            "_cancelled": cancelled,
            "_comment": rng.choice(COMMENTS) if rng.random() < 0.25 else None,
        }
        return created, owner, half_days, period

    def _add(
        self,
        owner: int,
        half_days: list[tuple[dt.date, bool]],
        draft: dict[str, Any],
        created: dt.datetime,
    ) -> dict[str, Any]:
        account: Account = draft.pop("_account")
        cancelled: dt.datetime | None = draft.pop("_cancelled")
        comment = draft.pop("_comment")
        period = {**draft, "id": self._next_period}
        self._next_period += 1 if self._rng.random() < 0.9 else 3
        leaves = []
        for day, morning in half_days:
            leave = {
                "id": str(self._next_leave),
                "date": v3_date(day),
                "isAm": morning,
                "leaveAccountId": account.id,
                "leaveAccount": self._refs[account.id],
                "leavePeriodId": period["id"],
                "leavePeriod": period,
                "value": self._rng.choice(HOURS) if account.unit == "hours" else None,
                "creationDate": v3_timestamp(created),
                "isActive": cancelled is None,
                "cancellationDate": cancelled and v3_timestamp(cancelled),
                "cancellationUserId": owner if cancelled else None,
                "comment": comment,
            }
            self._next_leave += 1 if self._rng.random() < 0.95 else 2
            times = (created, cancelled, _parsed(period["confirmationDate"]))
            self.changed[leave["id"]] = max(t for t in times if t is not None)
            leaves.append(leave)
        self.leaves += leaves
        self.periods[period["id"]] = period
        self._period_leaves[period["id"]] = leaves
        return period

    # ----- what people and managers do in Lucca ------------------------------------------
    def request(
        self,
        owner: int,
        first_day: dt.date,
        half_days: int,
        account_id: int,
        at: dt.datetime | None = None,
    ) -> dict[str, Any]:
        """Ask for `half_days` half-days of `account_id` from `first_day`'s morning: a
        pending period entered `at` (default: now). Returns the period; a half-day the
        person already has off raises ValueError, an unknown person KeyError."""
        moment = truncate_to_millis(at or paris_now())
        account = self._by_account[account_id]
        with self.tenant.lock:
            if self.tenant.user(owner) is None:
                raise KeyError(owner)
            days = list(working_half_days(first_day, False, half_days, dt.date.max))
            if any((owner, d, m) in self._taken for d, m in days):
                raise ValueError(f"user {owner} is already away on one of those half-days")
            self._taken.update((owner, d, m) for d, m in days)
            draft = {
                "ownerId": owner,
                "isConfirmed": False,
                "confirmationDate": None,
                "attachmentId": None,
                "_account": account,
                "_cancelled": None,
                "_comment": None,
            }
            return self._add(owner, days, draft, moment)

    def approve(self, period_id: int, at: dt.datetime | None = None) -> list[str]:
        """A manager approves a pending period `at` (default: now). Returns its leave ids."""
        moment = truncate_to_millis(at or paris_now())
        with self.tenant.lock:
            period = self.periods[period_id]
            if period["isConfirmed"]:
                raise ValueError(f"leave period {period_id} is already confirmed")
            period["isConfirmed"] = True
            period["confirmationDate"] = v3_timestamp(moment)
            return self._touch(period_id, moment)

    def cancel(self, period_id: int, at: dt.datetime | None = None) -> list[str]:
        """The owner cancels a period `at` (default: now): each of its leaves gets a
        cancellationDate and is no longer active. Returns its leave ids."""
        moment = truncate_to_millis(at or paris_now())
        with self.tenant.lock:
            leaves = self._period_leaves[period_id]
            if leaves[0]["cancellationDate"] is not None:
                raise ValueError(f"leave period {period_id} is already cancelled")
            for leave in leaves:
                leave["cancellationDate"] = v3_timestamp(moment)
                leave["cancellationUserId"] = leave["leavePeriod"]["ownerId"]
                leave["isActive"] = False
                day = dt.date.fromisoformat(leave["date"][:10])
                self._taken.discard((leave["leavePeriod"]["ownerId"], day, leave["isAm"]))
            return self._touch(period_id, moment)

    def _touch(self, period_id: int, moment: dt.datetime) -> list[str]:
        ids = [leave["id"] for leave in self._period_leaves[period_id]]
        self.changed.update(dict.fromkeys(ids, moment))
        return ids

    def simulate_activity(
        self, seed: int, *, requests: int = 0, approvals: int = 0, cancellations: int = 0
    ) -> set[str]:
        """Between two runs: new requests from people in post, approvals of pending
        periods and cancellations of live ones, chosen by `seed`. Returns the ids of
        every leave created or changed."""
        rng = random.Random(seed)
        today = self.tenant.today
        changed: set[str] = set()
        live = [p for p, leaves in self._period_leaves.items() if leaves[0]["isActive"]]
        pending = [p for p in live if not self.periods[p]["isConfirmed"]]
        for period_id in rng.sample(pending, min(approvals, len(pending))):
            changed.update(self.approve(period_id))
        others = [p for p in live if p not in changed and self.periods[p]["isConfirmed"]]
        for period_id in rng.sample(others, min(cancellations, len(others))):
            changed.update(self.cancel(period_id))
        iso = today.isoformat()
        in_post = sorted(
            {
                c["ownerId"]
                for c in self.tenant.contracts
                if c["startsOn"] <= iso and (c["endsOn"] is None or c["endsOn"] >= iso)
            }
        )
        made = 0
        while made < requests:
            owner = rng.choice(in_post)
            day = today + dt.timedelta(days=rng.randrange(7, PLANNED_DAYS + 60))
            try:
                period = self.request(owner, day, rng.choice((1, 2, 4)), rng.choice((1, 2)))
            except ValueError:
                continue
            changed.update(leave["id"] for leave in self._period_leaves[period["id"]])
            made += 1
        return changed


def _parsed(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)
