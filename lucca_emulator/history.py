"""User history (`GET /api/v3/userlogs`): each change of a user's department, manager
and legal entity, one entry per change.

Per user and attribute ("departmentid", "manager", "legalentityid"): a "Creation"
entry applying from the hire date (`startsOn` = dtContractStart), then 0-3 "Update"
entries, the last value being the user's current one. Values are ids as strings.
Rules that keep the log consistent with the rest of the tenant:
- a change applies after the hire and never after today (nor after a leaver's end);
- it is recorded (`modifiedAt`) at most a few days before it applies, never before the
  user existed, and never after the user's own modifiedAt (bumped when needed);
- legal entity (v3) = establishment (v4) changes happen only where a new work contract
  starts, so each contract's establishmentId is the value in force on its startsOn,
  and the last contract's is the user's current legalEntityID;
- a closed (archived) establishment only appears before its closing date;
- ids are unique and follow `modifiedAt`, as a database sequence would.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from .builder import ADMIN_ROLES
from .timefmt import v3_date, v3_timestamp

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from .builder import Dept, Person, RecordBuilder
    from .structure import Structure

DEPARTMENT, MANAGER, LEGAL_ENTITY = "departmentid", "manager", "legalentityid"
ATTRIBUTES = (DEPARTMENT, MANAGER, LEGAL_ENTITY)
# The user keys holding each attribute's current value.
USER_KEYS = ("departmentID", "managerID", "legalEntityID")
MANUAL, IMPORT, API = "Manual", "Import", "Api"
CREATION, UPDATE = "Creation", "Update"
# Keys in the order the endpoint writes them.
KEYS = (
    "id",
    "name",
    "ownerId",
    "owner",
    "authorId",
    "author",
    "oldValue",
    "value",
    "startsOn",
    "modifiedAt",
    "modificationSource",
    "entryType",
)
LEAD_DAYS = 3  # a change may be recorded up to this many days before it applies
# Cumulative odds of 0, 1, 2 later changes (else 3), per attribute.
_DEPARTMENT_ODDS = (0.45, 0.75, 0.92)
_MANAGER_ODDS = (0.40, 0.72, 0.90)
_MOVE_ODDS = 0.3  # chance that a new contract also moves the person to another site
# Internally, days are proleptic ordinals and instants milliseconds since 0001-01-01:
# ints draw, compare and sort several times faster than dates (100k users, ~470k rows).
DAY_MS = 86_400_000
_OFFICE_START_MS, _OFFICE_SPAN_MS = 8 * 3_600_000, 11 * 3_600_000
_ORIGIN = dt.datetime(1, 1, 1)  # ordinal 1, i.e. DAY_MS in these units

# (recorded at ms, owner id, attribute index, applies from (ordinal), old value, new
# value, source, author id, recorded at as text or None): the first four never tie,
# so sorting stops there.
Row = tuple[int, int, int, int, str | None, str, str, int, str | None]


def to_ms(moment: dt.datetime) -> int:
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
    return moment.toordinal() * DAY_MS + seconds * 1000 + moment.microsecond // 1000


def from_ms(ms: int) -> dt.datetime:
    return _ORIGIN + dt.timedelta(milliseconds=ms - DAY_MS)


class _Stamps:
    """v3 timestamps ("2016-05-04T18:11:15.079", 0-3 decimals) straight from ms, the
    date part cached per day: twice as fast as going through datetime."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}

    def text(self, ms: int) -> str:
        day, rest = divmod(ms, DAY_MS)
        head = self._days.get(day)
        if head is None:
            head = self._days[day] = dt.date.fromordinal(day).isoformat()
        seconds, millis = divmod(rest, 1000)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        if millis:
            return f"{head}T{hour:02d}:{minute:02d}:{second:02d}." + f"{millis:03d}".rstrip("0")
        return f"{head}T{hour:02d}:{minute:02d}:{second:02d}"


def _entries(
    builder: RecordBuilder, rows: Iterable[Row], ids: Iterator[int]
) -> list[dict[str, Any]]:
    """Rows, in id order, as userlog objects; owner and author are the shared
    {id, name, url} references. The one place entries are shaped (hot at 100k)."""
    refs: dict[int, dict[str, Any]] = {}
    days: dict[int, str] = {}
    stamps = _Stamps()
    entries: list[dict[str, Any]] = []
    append = entries.append
    last_moment, last_text = -1, ""
    for moment, owner, index, applies, old, new, source, author, text in rows:
        if text is not None:
            last_moment, last_text = moment, text
        elif moment != last_moment:  # the three creation entries share one instant
            last_moment, last_text = moment, stamps.text(moment)
        owner_ref = refs.get(owner)
        if owner_ref is None:
            owner_ref = refs[owner] = builder.user_ref(owner)
        author_ref = refs.get(author)
        if author_ref is None:
            author_ref = refs[author] = builder.user_ref(author)
        starts_on = days.get(applies)
        if starts_on is None:
            starts_on = days[applies] = v3_date(dt.date.fromordinal(applies))
        append(
            {
                "id": next(ids),
                "name": ATTRIBUTES[index],
                "ownerId": owner,
                "owner": owner_ref,
                "authorId": author,
                "author": author_ref,
                "oldValue": old,
                "value": new,
                "startsOn": starts_on,
                "modifiedAt": last_text,
                "modificationSource": source,
                "entryType": UPDATE if old else CREATION,
            }
        )
    return entries


class UserLog:
    """The entries in id order, and appending to them as the tenant changes."""

    def __init__(
        self, builder: RecordBuilder, entries: list[dict[str, Any]], admins: list[int]
    ) -> None:
        self.entries = entries
        self._builder = builder
        self._admins = admins
        self._last_id = entries[-1]["id"] if entries else 0

    def record(
        self, owner: int, attribute: str, old: object, new: object, *, on: dt.date, at: dt.datetime
    ) -> dict[str, Any]:
        """Append a manual change by the tenant's first admin, applying `on`, recorded
        `at`; `old` None makes it the attribute's creation entry."""
        self._last_id += 1
        author = self._admins[0] if self._admins else owner
        old_text = None if old is None else str(old)
        index = ATTRIBUTES.index(attribute)
        row = (to_ms(at), owner, index, on.toordinal(), old_text, str(new), MANUAL, author)
        (created,) = _entries(self._builder, [(*row, v3_timestamp(at))], iter([self._last_id]))
        self.entries.append(created)
        return created

    def hired(self, user: dict[str, Any], at: dt.datetime) -> None:
        """The three creation entries of a new user, recorded `at`."""
        start = dt.date.fromisoformat(user["dtContractStart"][:10])
        for attribute, key in zip(ATTRIBUTES, USER_KEYS, strict=True):
            self.record(user["id"], attribute, None, user[key], on=start, at=at)


def admin_ids(users: list[dict[str, Any]]) -> list[int]:
    """Users with an administrator role (the authors of changes), else the first user."""
    admins = [u["id"] for u in users if u["rolePrincipalId"] in ADMIN_ROLES]
    return admins or [u["id"] for u in users[:1]]


class _Span:
    """One person's time line, in ints: when the history starts (`created`), the
    window changes are recorded in (`low`..`high`) and the days they may apply."""

    def __init__(self, person: Person, created: int, today: int) -> None:
        self.start = person.start.toordinal()
        end = None if person.end is None else person.end.toordinal()
        self.last = today if end is None or end > today else end
        self.low = max(created, (self.start + 1) * DAY_MS)
        self.high = to_ms(person.modified)
        if end is not None and end < today:  # nothing recorded long after leaving
            self.high = min(self.high, (end + LEAD_DAYS) * DAY_MS)


class _HistoryBuilder:
    """Draws every user's history from its own random stream (the other generated
    records stay what they were without history). Hot path at 100k users: ints for
    time, values turned into text through a prebuilt table, and nothing drawn for an
    attribute that never changed."""

    def __init__(
        self, depts: list[Dept], people: list[Person], *, structure: Structure, admins: list[int]
    ) -> None:
        self.admins = admins
        self.dept_pool: dict[str, list[int]] = defaultdict(list)
        managers: dict[str, set[int]] = defaultdict(set)
        for dept in depts:
            self.dept_pool[dept.country].append(dept.id)
            if dept.manager is not None:
                managers[dept.country].add(dept.manager)
        self.manager_pool = {country: sorted(ids) for country, ids in managers.items()}
        self.sites = structure.by_country
        self.site_country = {s.id: s.country for sites in self.sites.values() for s in sites}
        ids = [d.id for d in depts] + [p.uid for p in people] + list(self.site_country)
        self.texts = {ident: str(ident) for ident in ids}
        self.rows: list[Row] = []

    def start(self, seed: int, today: dt.date) -> None:
        self.rng = random.Random(f"lucca-history-{seed}")
        self.rnd = self.rng.random
        self.today = today.toordinal()
        self.iso_today = today.isoformat()

    # ----- draws ------------------------------------------------------------------------
    def moment(self, day: int) -> int:
        """An office-hours instant of `day`, in ms; 0 ms for ~8%, like other stamps."""
        rnd = self.rnd
        offset = int(rnd() * _OFFICE_SPAN_MS)
        if rnd() < 0.08:
            offset -= offset % 1000
        return day * DAY_MS + _OFFICE_START_MS + offset

    def count(self, odds: tuple[float, float, float]) -> int:
        roll = self.rnd()
        return 0 if roll < odds[0] else 1 if roll < odds[1] else 2 if roll < odds[2] else 3

    def author(self) -> int:
        return self.admins[int(self.rnd() * len(self.admins))]

    def spread(self, wanted: int, span: _Span) -> list[tuple[int, int]]:
        """Up to `wanted` (recorded at, applies from) pairs: recorded within the span's
        window, applying after its start and by its last day, in increasing order, at
        most LEAD_DAYS after being recorded. Changes that cannot fit are dropped."""
        low, high = span.low, span.high
        if high - low < DAY_MS:
            return []
        rnd = self.rnd
        first = low // DAY_MS
        days = high // DAY_MS - first + 1
        recorded = []
        for _ in range(wanted):
            moment = self.moment(first + int(rnd() * days))
            if moment < low:  # later that day rather than at the very instant of `low`
                moment = low + int(rnd() * min(high - low, 3_600_000))
            recorded.append(min(high, moment))  # at `high`: the change modified the user
        recorded.sort()
        changes: list[tuple[int, int]] = []
        previous = span.start
        for moment in recorded:
            day = moment // DAY_MS
            if rnd() < 0.6:  # entered ahead of time, for a planned change
                applies = day + int(rnd() * (LEAD_DAYS + 1))
            else:  # entered late, backdated
                applies = day - 1 - int(rnd() * 20)
            applies = min(max(applies, previous + 1), span.last)
            if applies <= previous or applies > day + LEAD_DAYS:
                continue
            changes.append((moment, applies))
            previous = applies
        return changes

    def earlier_values(self, current: int, count: int, pool: list[int], avoid: int) -> list[int]:
        """`count` values before `current`, each unlike the next one and unlike `avoid`
        (oldest first); shorter when the pool has nothing else."""
        values = [current]
        for _ in range(count):
            following = values[-1]
            index = int(self.rnd() * len(pool)) if pool else 0
            for step in range(min(3, len(pool))):
                candidate = pool[(index + step) % len(pool)]
                if candidate not in (following, avoid):
                    values.append(candidate)
                    break
            else:
                break
        values.reverse()
        return values

    # ----- one person -------------------------------------------------------------------
    def person(self, person: Person, user: dict[str, Any], contracts: list[dict[str, Any]]) -> None:
        """Add the person's rows and set their contracts' establishmentId."""
        rnd, admins = self.rnd, self.admins
        if person.imported:
            source, author = IMPORT, admins[0]
        else:
            source = API if rnd() < 0.1 else MANUAL
            author = self.author()
        start = person.start.toordinal()
        created, created_text = to_ms(person.created), user["createdAt"]  # one instant
        future = start > self.today
        if not future and created < (start - LEAD_DAYS) * DAY_MS:
            # Entered long before the hire: the history starts a few days before it.
            created, created_text = self.moment(start - int(rnd() * (LEAD_DAYS + 1))), None
        firsts = [user[key] for key in USER_KEYS]
        latest, switches = created, {}
        if not future:
            latest = max(latest, self.people_changes(person, user, created, firsts))
            recorded, switches = self.site_changes(person.uid, contracts, created, firsts)
            latest = max(latest, recorded)
        # Each contract's establishment: the one in force on its start.
        site = firsts[2]
        for contract in contracts:
            site = switches.get(id(contract), site)
            contract["establishmentId"] = site
        texts, uid = self.texts, person.uid
        for index, value in enumerate(firsts):
            row = (created, uid, index, start, None, texts[value], source, author, created_text)
            self.rows.append(row)
        if latest > to_ms(person.modified):  # a recorded change modifies the user too
            user["modifiedOn"] = user["modifiedAt"] = v3_timestamp(from_ms(latest))

    def people_changes(
        self, person: Person, user: dict[str, Any], created: int, firsts: list[int]
    ) -> int:
        """Department and manager changes; sets their first values in `firsts`, returns
        when the last change was recorded (0 without any)."""
        wanted = (self.count(_DEPARTMENT_ODDS), self.count(_MANAGER_ODDS))
        if wanted == (0, 0):
            return 0
        span = _Span(person, created, self.today)
        country, uid = person.dept.country, person.uid
        pools = (self.dept_pool[country], self.manager_pool.get(country, []))
        latest = 0
        for index in (0, 1):
            changes = self.spread(wanted[index], span) if wanted[index] else []
            if not changes:
                continue
            avoid = uid if index else 0  # nobody was their own manager before
            values = self.earlier_values(user[USER_KEYS[index]], len(changes), pools[index], avoid)
            changes = changes[len(changes) - len(values) + 1 :]
            firsts[index] = values[0]
            self.add_changes(uid, index, changes, values)
            if changes:
                latest = max(latest, changes[-1][0])
        return latest

    def add_changes(
        self, uid: int, index: int, changes: list[tuple[int, int]], values: list[int]
    ) -> None:
        rnd, texts = self.rnd, self.texts
        for (moment, applies), old, new in zip(changes, values, values[1:], strict=False):
            how = MANUAL if rnd() < 0.8 else API if rnd() < 0.6 else IMPORT
            row = (moment, uid, index, applies, texts[old], texts[new], how, self.author(), None)
            self.rows.append(row)

    def site_changes(
        self, uid: int, contracts: list[dict[str, Any]], created: int, firsts: list[int]
    ) -> tuple[int, dict[int, int]]:
        """Establishment changes, each where a new contract starts (so the contract
        and the history agree); sets the first establishment in `firsts`. Returns when
        the last change was recorded (0 without any) and, by id() of the contract
        starting it, the establishment each change leads to."""
        current = firsts[2]
        sites = self.sites.get(self.site_country.get(current, ""), ())
        if len(sites) < 2 or len(contracts) < 2:
            return 0, {}
        rnd, iso_today = self.rnd, self.iso_today
        starts = [c for c in contracts[1:] if c["startsOn"] <= iso_today and rnd() < _MOVE_ODDS]
        moves: list[tuple[dt.date, int, dict[str, Any]]] = []
        following = current
        for contract in reversed(starts[-3:]):
            day = dt.date.fromisoformat(contract["startsOn"])
            options = [
                s.id
                for s in sites
                if s.id != following and (s.closed_on is None or day <= s.closed_on)
            ]
            if options:
                before = options[int(rnd() * len(options))]
                moves.append((day, before, contract))
                following = before
        moves.reverse()
        firsts[2] = following
        recorded, texts = created, self.texts
        switches: dict[int, int] = {}
        for position, (day, before, contract) in enumerate(moves):
            after = moves[position + 1][1] if position + 1 < len(moves) else current
            switches[id(contract)] = after
            # Entered with the new contract, at most a few days before it starts.
            made = to_ms(dt.datetime.fromisoformat(contract["createdAt"]).replace(tzinfo=None))
            recorded = max(made, self.moment(day.toordinal() - LEAD_DAYS), recorded)
            row = (recorded, uid, 2, day.toordinal(), texts[before], texts[after])
            self.rows.append((*row, MANUAL, self.author(), None))
        return (recorded if moves else 0), switches


def _sequence(rnd: random.Random) -> Iterator[int]:
    """Increasing ids with holes (deleted rows), like a database sequence."""
    draw = rnd.random
    ident = 1000 + int(draw() * 9000)
    while True:
        yield ident
        ident += 1 if draw() >= 0.05 else 2 + int(draw() * 3)


def build_history(
    builder: RecordBuilder,
    depts: list[Dept],
    people: list[Person],
    *,
    users: list[dict[str, Any]],
    contracts: list[dict[str, Any]],
    structure: Structure,
    seed: int,
) -> UserLog:
    """Every user's history; also sets each contract's establishmentId from it."""
    admins = admin_ids(users)
    history = _HistoryBuilder(depts, people, structure=structure, admins=admins)
    history.start(seed, builder.today)
    by_owner: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for contract in contracts:
        by_owner[contract["ownerId"]].append(contract)
    for person, user in zip(people, users, strict=True):
        own = by_owner.get(person.uid, [])
        if len(own) > 1:
            own.sort(key=lambda c: c["startsOn"])
        history.person(person, user, own)
    history.rows.sort()
    return UserLog(builder, _entries(builder, history.rows, _sequence(history.rng)), admins)
