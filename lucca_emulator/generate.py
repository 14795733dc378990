"""The steps that turn (users, seed, today) into a whole tenant.

1. a department tree (sibling positions with holes, ids shuffled, a few inactive);
2. people with an employment status, dates, names, login and mail;
3. managers (a member of each department, top-level managers manage themselves);
4. createdAt/modifiedAt (bulk imports and bulk edits share exact timestamps);
5. user records, then work contracts numbered in creation order;
6. legal units and establishments, then each user's history (department, manager,
   establishment), which also gives every contract its establishmentId.
"""

from __future__ import annotations

import datetime as dt
import gc
import random
from dataclasses import dataclass
from typing import Any

from .builder import (
    ADMIN_ROLES,
    CURRENT,
    FORMER,
    FUTURE,
    LEAVING,
    MANAGER_ROLE,
    USER_ROLE,
    Dept,
    Person,
    RecordBuilder,
    owner_spc,
    settle_contracts,
)
from .history import UserLog, build_history
from .structure import Structure, build_structure
from .timefmt import v4_timestamp

FAR_FUTURE_END = dt.date(2050, 3, 31)  # the recorded demo tenant has one "leaves in 2050"
MAX_DEPTH = 5  # Lucca allows 9 levels; real trees are shallower
MAX_CHILDREN = 99
COUNTRY_WEIGHTS = {"FR": 0.35, "UK": 0.2, "ES": 0.3, "CH": 0.15}


@dataclass
class Generated:
    builder: RecordBuilder
    depts: list[Dept]
    users: list[dict[str, Any]]
    contracts: list[dict[str, Any]]
    departments: list[dict[str, Any]]
    structure: Structure
    userlog: UserLog


def generate(users: int, seed: int, today: dt.date) -> Generated:
    # Millions of small dicts make the cyclic GC rescan everything over and over while
    # nothing here can form a cycle: pause it for the build (≈25% faster at 100k), then
    # freeze what exists so the first collection after it does not stall a request for
    # a second. Refcounting still frees a dropped tenant (it holds no cycles).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _generate(users, seed, today)
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _generate(users: int, seed: int, today: dt.date) -> Generated:
    rng = random.Random(seed)
    builder = RecordBuilder(rng, today)
    depts = build_departments(builder, max(26, users // 15))
    people = build_people(builder, depts, users)
    assign_managers(builder, depts, people)
    stamp_people(builder, people)
    builder.person_names = {p.uid: f"{p.first} {p.last}" for p in people}
    user_records = [builder.user(p) for p in people]
    contracts = build_contracts(builder, people, user_records)
    departments = [builder.department(d) for d in sorted(depts, key=lambda d: d.id)]
    # Both draw from their own streams: everything above stays as it was without them.
    structure = build_structure(seed, today, builder.imports[0])
    userlog = build_history(
        builder,
        depts,
        people,
        users=user_records,
        contracts=contracts,
        structure=structure,
        seed=seed,
    )
    return Generated(builder, depts, user_records, contracts, departments, structure, userlog)


def gapped_ids(builder: RecordBuilder, count: int, start: int, gap_rate: float = 0.08) -> list[int]:
    """Increasing ids with holes (deleted records), like a database sequence."""
    ids, current = [], start
    rnd = builder.rnd
    for _ in range(count):
        ids.append(current)
        current += 1 if rnd() >= gap_rate else 2 + builder.below(3)
    return ids


def build_departments(builder: RecordBuilder, total: int) -> list[Dept]:
    rng = builder.rng
    countries = builder.countries
    depts: list[Dept] = []
    open_parents: dict[str, list[Dept]] = {}
    for country, conf in countries.items():
        root = conf["root"]
        dept = Dept(
            country, 1, root["position"], f"/{root['position']}/", None, root["name"], root["code"]
        )
        depts.append(dept)
        open_parents[country] = [dept]
    first_parent = depts[0]
    names = {
        c: rng.sample(conf["departments"], len(conf["departments"]))
        for c, conf in countries.items()
    }
    named: dict[str, int] = dict.fromkeys(countries, 0)
    country_list = list(COUNTRY_WEIGHTS)
    weights = list(COUNTRY_WEIGHTS.values())
    while len(depts) < total:
        country = rng.choices(country_list, weights)[0]
        parents = open_parents[country]
        if not parents:
            continue
        slot = builder.below(len(parents))
        parent = parents[slot]
        position = parent.next_position
        # Sibling positions keep the holes of deleted departments: /1/1/, /1/2/, /1/4/…
        if builder.rnd() < 0.12 or (parent is first_parent and position == 3):
            position += 1 + builder.below(2)
        if position > MAX_CHILDREN:
            parents[slot] = parents[-1]
            parents.pop()
            continue
        parent.next_position = position + 1
        parent.children += 1
        child = Dept(country, parent.depth + 1, position, f"{parent.hierarchy}{position}/", parent)
        child.name = _department_name(names[country], named[country], countries[country]["cities"])
        child.code = _department_code(builder, child.name, country, len(depts))
        named[country] += 1
        depts.append(child)
        if child.depth < MAX_DEPTH:
            parents.append(child)
    # Ids are handed out in random order so that they say nothing about the tree.
    ids = gapped_ids(builder, len(depts), 6, gap_rate=0.1)
    rng.shuffle(ids)
    for dept, ident in zip(depts, ids, strict=True):
        dept.id = ident
    leaves = [d for d in depts if d.children == 0 and d.parent is not None]
    for index, leaf in enumerate(rng.sample(leaves, len(leaves))):
        leaf.active = index > 0 and builder.rnd() >= 0.08  # at least one inactive
    for index, dept in enumerate(depts):
        if index < 26:  # the initial organisation came with the first import
            dept.created = builder.imports[0] + dt.timedelta(seconds=index * 1.37)
        else:
            dept.created = builder.between(builder.imports[0], builder.horizon)
    return depts


def _department_name(pool: list[str], count: int, cities: list[str]) -> str:
    name = pool[count % len(pool)]
    lap = count // len(pool)
    if lap:  # big tenants: "Marketing Lyon", then "Marketing Lyon 2"…
        name = f"{name} {cities[(lap - 1) % len(cities)]}"
        if lap > len(cities):
            name += f" {(lap - 1) // len(cities) + 1}"
    return name


def _department_code(builder: RecordBuilder, name: str, country: str, index: int) -> str:
    """`code` is free text in Lucca: sometimes the name, sometimes an upper-case slug."""
    roll = builder.rnd()
    if roll < 0.4:
        return name
    if roll < 0.75:
        return name.upper().replace(" ", "_")
    if roll < 0.9:
        return f"{name[:3].upper()}_{country}"
    return f"{country}-{index:03d}"


def _statuses(builder: RecordBuilder, total: int) -> list[str]:
    former = round(total * 0.20)
    future = round(total * 0.03) if total >= 10 else int(total >= 4)
    leaving = round(total * 0.02) + int(total >= 2)  # +1: the 2050 leaver
    statuses = [FORMER] * former + [FUTURE] * future + [LEAVING] * leaving
    statuses = (statuses + [CURRENT] * total)[:total]
    builder.rng.shuffle(statuses)
    if statuses and statuses[0] != CURRENT and CURRENT in statuses:
        # The first user is a current employee with every sensitive field filled.
        swap = statuses.index(CURRENT)
        statuses[0], statuses[swap] = statuses[swap], statuses[0]
    return statuses


def build_people(builder: RecordBuilder, depts: list[Dept], total: int) -> list[Person]:
    today = builder.today
    statuses = _statuses(builder, total)
    far_leaver = statuses.index(LEAVING) if LEAVING in statuses else None
    ids = gapped_ids(builder, total, 6)
    active = [d for d in depts if d.active]
    current = [i for i, s in enumerate(statuses) if s == CURRENT]
    # The same person with two accounts: same name and mail, a second login "…1".
    twins: dict[int, int] = {}
    for _ in range(max(1, total // 2000) if len(current) >= 4 else 0):
        first_account, second_account = sorted(builder.rng.sample(current[1:], 2))
        if first_account not in twins and second_account not in twins:
            twins[second_account] = first_account

    people: list[Person] = []
    for index, (uid, status) in enumerate(zip(ids, statuses, strict=True)):
        start, end = _employment(builder, today, status, index == far_leaver)
        twin = people[twins[index]] if index in twins else None
        if twin is not None:
            dept, first, last, sex = twin.dept, twin.first, twin.last, twin.sex
        else:
            dept = builder.pick(depts if status == FORMER else active)
            first, sex = builder.pick(builder.countries[dept.country]["first_names"])
            last = builder.pick(builder.countries[dept.country]["last_names"])
        person = Person(uid, status, start, end, dept, first, last, sex)
        person.login = builder.login(first, last)
        person.mail = (
            twin.mail
            if twin
            else f"{person.login}@{builder.countries[dept.country]['mail_domain']}"
        )
        person.all_sensitive = index == 0
        dept.members.append(index)
        people.append(person)
    return people


def _employment(
    builder: RecordBuilder, today: dt.date, status: str, far_leaver: bool
) -> tuple[dt.date, dt.date | None]:
    """Contract start and end dates for a status (skewed towards recent hires)."""
    rnd = builder.rnd
    day = dt.timedelta(days=1)
    if status == FUTURE:
        start = today + day * (1 + builder.below(120))
        return start, start + day * (180 + builder.below(185)) if rnd() < 0.1 else None
    if status == FORMER:
        end = today - day * (1 + int(3650 * rnd() ** 1.5))
        return end - day * (60 + builder.below(5000)), end
    start = today - day * (1 + int(25 * 365 * rnd() ** 1.6))
    if status == LEAVING:
        return start, FAR_FUTURE_END if far_leaver else today + day * builder.below(365)
    return start, None


def stamp_people(builder: RecordBuilder, people: list[Person]) -> None:
    """createdAt: a bulk import (ids created milliseconds apart) or around the hire date.
    modifiedAt: later edits, shared bulk-edit instants, or the departure for leavers."""
    rnd = builder.rnd
    clocks = list(builder.imports)
    horizon = builder.horizon
    today = builder.today
    for person in people:
        start = dt.datetime.combine(person.start, dt.time())
        batch = None
        for index, moment in enumerate(builder.imports):
            if start < moment and (index == 0 or rnd() < 0.3):
                batch = index
                break
        if batch is not None:
            clocks[batch] += dt.timedelta(milliseconds=40 + builder.below(660))
            created = clocks[batch]
        else:
            day = person.start - dt.timedelta(days=builder.below(45))
            created = max(builder.moment(day), builder.imports[0])
            if created > horizon - dt.timedelta(days=1):
                # A future hire entered lately, each at their own instant (clamping them
                # all to one would make an artificial crowd at the incremental bookmark).
                created = builder.moment(today - dt.timedelta(days=1 + builder.below(30)))
        person.created = created
        person.imported = batch is not None
        low = created
        if person.end is not None and person.end < today:
            low = max(created, dt.datetime.combine(person.end, dt.time()) - dt.timedelta(days=10))
        roll = rnd()
        edits = [b for b in builder.bulk_edits if b >= low]
        if roll < 0.05:
            person.modified = created
        elif roll < 0.17 and edits:
            person.modified = builder.pick(edits)
        else:
            person.modified = builder.between(low, horizon)


def nearest_manager(dept: Dept | None) -> int | None:
    while dept is not None:
        if dept.manager is not None:
            return dept.manager
        dept = dept.parent
    return None


def assign_managers(builder: RecordBuilder, depts: list[Dept], people: list[Person]) -> None:
    """A department's manager is one of its current members; that manager reports to the
    parent department's manager; top-level managers are their own managers (as seen)."""
    for dept in depts:
        candidates = [i for i in dept.members if people[i].status == CURRENT]
        if candidates:
            dept.manager = people[builder.pick(candidates)].uid
    admins: set[str] = set()
    for person in people:
        dept = person.dept
        manager = nearest_manager(dept)
        if manager == person.uid:
            manager = nearest_manager(dept.parent) or person.uid
        person.manager = manager or person.uid
        if person.uid == dept.manager:
            person.role = MANAGER_ROLE[dept.country]
        elif person.status == CURRENT and dept.country not in admins:
            admins.add(dept.country)
            person.role = builder.countries[dept.country]["admin_role"]
        else:
            person.role = USER_ROLE[dept.country]
    # A few more self-managed accounts, a data-entry quirk of real tenants.
    current = [p for p in people if p.status == CURRENT and p.manager != p.uid]
    for person in builder.rng.sample(current, min(len(current), 2 if len(people) >= 100 else 0)):
        person.manager = person.uid


def build_contracts(
    builder: RecordBuilder, people: list[Person], users: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    if not users:
        return []
    admins = [u["id"] for u in users if u["rolePrincipalId"] in ADMIN_ROLES] or [users[0]["id"]]
    rnd = builder.rnd
    contracts: list[dict[str, Any]] = []
    for person, user in zip(people, users, strict=True):
        roll = rnd()
        wanted = (
            1
            if roll < 0.62 or person.status == FUTURE
            else 2
            if roll < 0.9
            else 3
            if roll < 0.98
            else 4
        )
        own = builder.contracts(person, wanted)
        settle_contracts(own, builder.today, rnd)
        author = builder.pick(admins)
        for contract in own:
            # establishmentId comes with the user's history (see history.py).
            owner_spc(contract, user)
            contract["authorId"] = author
            same = contract["createdAt"] == contract["lastModifiedAt"]
            contract["lastModifierId"] = author if same else builder.pick(admins)
        contracts.extend(own)
    # Ids follow creation time, with holes, as a database sequence would.
    contracts.sort(key=lambda c: (c["createdAt"], c["ownerId"], c["startsOn"]))
    for contract, ident in zip(contracts, gapped_ids(builder, len(contracts), 3), strict=True):
        contract["id"] = ident
        if rnd() < 0.05:
            contract["externalId"] = f"WC-{ident:06d}"
        created, modified = contract["createdAt"], contract["lastModifiedAt"]
        contract["createdAt"] = v4_timestamp(created)
        contract["lastModifiedAt"] = (
            contract["createdAt"] if modified == created else v4_timestamp(modified)
        )
    return contracts
