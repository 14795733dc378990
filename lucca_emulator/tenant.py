"""A seeded, in-memory Lucca tenant: v3 users and their history (userlogs), v4 work
contracts with their look-ups, departments, establishments and legal units; Lucca
Absences' leave accounts and leaves (`absences`, see leaves.py).

Everything derives from one `random.Random(seed)`, so a tenant is reproducible for a
given (users, seed, today). Records are plain dicts shaped like the real API's
(see sandbox_sample.json); `users` keep the real mixed id casing (`departmentID`,
`calendarId`…) and every sensitive field. Nested objects are shared between records:
mutate only top-level values.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from functools import cached_property
from typing import Any

from .builder import CURRENT, FUTURE, LEGAL_ENTITY_COUNTRY, USER_ROLE, Person, owner_spc
from .custom_fields import CustomFields
from .generate import generate, nearest_manager
from .history import DEPARTMENT
from .leaves import Absences
from .lookups import (
    CONTRACT_HIRING_TYPES,
    CONTRACT_TERMINATION_REASONS,
    CONTRACT_TYPES,
    occupation_categories,
)
from .timefmt import paris_now, truncate_to_millis, v3_date, v3_timestamp, v4_date, v4_timestamp


class Tenant:
    """A Lucca tenant's people data. Build one with `Tenant.generate(...)`."""

    def __init__(self, users: int = 500, seed: int = 42, today: dt.date | None = None) -> None:
        self.today = today or dt.date.today()
        self.seed = seed
        data = generate(users, seed, self.today)
        self.users: list[dict[str, Any]] = data.users  # sorted by id
        self.contracts: list[dict[str, Any]] = data.contracts  # sorted by id
        self.departments: list[dict[str, Any]] = data.departments  # sorted by id
        self.legal_units: list[dict[str, Any]] = data.structure.legal_units  # sorted by id
        self.establishments: list[dict[str, Any]] = data.structure.establishments  # by id
        # Fixed look-ups, copied so that a test changing one tenant leaves the others alone.
        self.contract_types = [dict(row) for row in CONTRACT_TYPES]
        self.contract_hiring_types = [dict(row) for row in CONTRACT_HIRING_TYPES]
        self.contract_termination_reasons = [dict(row) for row in CONTRACT_TERMINATION_REASONS]
        self.occupation_categories = occupation_categories()
        self._userlog = data.userlog
        self.userlogs: list[dict[str, Any]] = data.userlog.entries  # sorted by id
        # Custom fields and axes, written into the users (`clear()` for a tenant with none).
        self.custom_fields = CustomFields.generate(self.users, seed, self.today)
        # Held by the server while it reads and by the mutators while they write.
        self.lock = threading.RLock()
        self._builder = data.builder
        self._depts = data.depts
        self._dept_by_id = {d.id: d for d in data.depts}
        self._by_id = {u["id"]: u for u in self.users}
        # Updates and hires draw from their own stream so they never disturb generation.
        self._changes = random.Random(seed * 7919 + 1)

    @classmethod
    def generate(cls, users: int = 500, seed: int = 42, today: dt.date | None = None) -> Tenant:
        """`users` people (≈75% current, 20% former, 3% future) as of `today` (default: today)."""
        return cls(users=users, seed=seed, today=today)

    # ----- Lucca Absences, built on first use ---------------------------------------------
    @cached_property
    def absences(self) -> Absences:
        """Leave accounts and leaves (see leaves.py), consistent with the people."""
        with self.lock:
            return Absences(self)

    @property
    def leaves(self) -> list[dict[str, Any]]:
        return self.absences.leaves

    @property
    def leave_accounts(self) -> list[dict[str, Any]]:
        return self.absences.accounts

    # ----- queries ---------------------------------------------------------------------
    def user(self, user_id: int) -> dict[str, Any] | None:
        return self._by_id.get(user_id)

    def former_user_ids(self) -> set[int]:
        """Users whose dtContractEnd is before today (hidden by default in /api/v3/users)."""
        iso = self.today.isoformat()
        return {u["id"] for u in self.users if (u["dtContractEnd"] or "9999")[:10] < iso}

    def future_user_ids(self) -> set[int]:
        """Users whose dtContractStart is after today (upcoming hires, listed by default)."""
        iso = self.today.isoformat()
        return {u["id"] for u in self.users if u["dtContractStart"][:10] > iso}

    # ----- mutations -------------------------------------------------------------------
    def update_users(self, ids: list[int], at: dt.datetime | None = None) -> None:
        """Change each user's jobTitle and set modifiedAt = modifiedOn = `at` (default: now,
        naive local time, milliseconds). Unknown ids raise KeyError."""
        stamp = v3_timestamp(truncate_to_millis(at or paris_now()))
        countries = self._builder.countries
        with self.lock:
            for user_id in ids:
                user = self._by_id[user_id]
                country = LEGAL_ENTITY_COUNTRY.get(user["legalEntityID"], "FR")
                titles = [t for t in countries[country]["job_titles"] if t != user["jobTitle"]]
                user["jobTitle"] = self._changes.choice(titles)
                user["modifiedOn"] = user["modifiedAt"] = stamp

    def hire(self, n: int, at: dt.datetime | None = None) -> list[dict[str, Any]]:
        """Add n users with ids above the current max, each with one open contract;
        createdAt = modifiedAt = `at` (default: now). Returns the new user objects."""
        moment = truncate_to_millis(at or paris_now())
        builder = self._builder
        builder.use_rng(self._changes)
        active = [d for d in self._depts if d.active]
        hired: list[dict[str, Any]] = []
        with self.lock:
            next_id = max(self._by_id, default=5)
            next_contract = max((c["id"] for c in self.contracts), default=0)
            author = self.users[0]["id"] if self.users else None
            for _ in range(n):
                next_id += 1 if builder.rnd() < 0.8 else 2
                dept = builder.pick(active)
                conf = builder.countries[dept.country]
                first, sex = builder.pick(conf["first_names"])
                last = builder.pick(conf["last_names"])
                start = moment.date() + dt.timedelta(days=builder.pick((0, 0, 7, 14, 30)))
                person = Person(
                    next_id,
                    FUTURE if start > self.today else CURRENT,
                    start,
                    None,
                    dept,
                    first,
                    last,
                    sex,
                )
                person.login = builder.login(first, last)
                person.mail = f"{person.login}@{conf['mail_domain']}"
                person.manager = nearest_manager(dept) or next_id
                person.role = USER_ROLE[dept.country]
                person.created = person.modified = moment
                builder.person_names[next_id] = f"{first} {last}"
                user = builder.user(person)
                contract = builder.contracts(person, 1)[0]
                next_contract += 1 if builder.rnd() < 0.8 else 2
                stamp = v4_timestamp(moment)
                contract.update(
                    id=next_contract,
                    isApplicable=True,
                    establishmentId=user["legalEntityID"],
                    authorId=author,
                    lastModifierId=author,
                    createdAt=stamp,
                    lastModifiedAt=stamp,
                )
                owner_spc(contract, user)
                self.users.append(user)
                self._by_id[next_id] = user
                self.contracts.append(contract)
                self._userlog.hired(user, moment)
                hired.append(user)
        return hired

    def change_department(
        self, user_id: int, department_id: int, at: dt.datetime | None = None
    ) -> dict[str, Any] | None:
        """Move a user to another department from `at`'s date (default: now): departmentID,
        department{}, modifiedAt = modifiedOn = `at`, and a userlog entry. Returns that
        entry, or None when the user is already there. Unknown ids raise KeyError."""
        moment = truncate_to_millis(at or paris_now())
        dept = self._dept_by_id[department_id]
        with self.lock:
            user = self._by_id[user_id]
            old = user["departmentID"]
            if old == department_id:
                return None
            user["departmentID"] = department_id
            user["department"] = self._builder.ref("department", dept.id, dept.name)
            user["modifiedOn"] = user["modifiedAt"] = v3_timestamp(moment)
            return self._userlog.record(
                user_id, DEPARTMENT, old, department_id, on=moment.date(), at=moment
            )

    def leave(
        self, ids: list[int], on: dt.date | None = None, at: dt.datetime | None = None
    ) -> None:
        """End each user's employment `on` (default: yesterday, so they become former):
        dtContractEnd, modifiedAt = modifiedOn = `at` (default: now), and their open
        contract gets endsOn and lastModifiedAt. Unknown ids raise KeyError."""
        day = on or self.today - dt.timedelta(days=1)
        moment = truncate_to_millis(at or paris_now())
        stamp = v3_timestamp(moment)
        with self.lock:
            for user_id in ids:
                user = self._by_id[user_id]
                user["dtContractEnd"] = v3_date(day)
                user["modifiedOn"] = user["modifiedAt"] = stamp
            leaving = set(ids)
            for contract in self.contracts:
                if contract["ownerId"] in leaving and contract["endsOn"] is None:
                    contract["endsOn"] = v4_date(day)
                    contract["lastModifiedAt"] = v4_timestamp(moment)

    def delete_contract(self, contract_id: int) -> None:
        """Delete a contract, as one entered by mistake is. A person's applicable
        contract is refused (ValueError) so that everyone keeps one; unknown ids raise
        KeyError."""
        with self.lock:
            contract = next((c for c in self.contracts if c["id"] == contract_id), None)
            if contract is None:
                raise KeyError(contract_id)
            if contract["isApplicable"]:
                raise ValueError(f"contract {contract_id} is its owner's applicable contract")
            self.contracts.remove(contract)

    def delete_department(self, department_id: int) -> None:
        """Delete a department. One with members or sub-departments is refused
        (ValueError) so that no user or department points nowhere; unknown ids raise
        KeyError."""
        with self.lock:
            dept = self._dept_by_id[department_id]
            if any(user["departmentID"] == department_id for user in self.users):
                raise ValueError(f"department {department_id} has members")
            if any(other.parent is dept for other in self._depts):
                raise ValueError(f"department {department_id} has sub-departments")
            self._depts.remove(dept)
            del self._dept_by_id[department_id]
            self.departments[:] = [d for d in self.departments if d["id"] != department_id]

    def simulate_activity(self, n: int, seed: int) -> list[int]:
        """Update n non-former users chosen by `seed`, at now. Returns their ids."""
        former = self.former_user_ids()
        candidates = [u["id"] for u in self.users if u["id"] not in former]
        chosen = sorted(random.Random(seed).sample(candidates, min(n, len(candidates))))
        self.update_users(chosen)
        return chosen
