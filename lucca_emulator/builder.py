"""Builds single records (v3 user, v4 work contract, v4 department) from a few facts.

Nested look-up objects (roles, cultures, departments, legal entities, the long
authorizedOperations list…) are created once and shared by every record that points
to them: that is what keeps 100k users fast to build, small in memory and quick to
serialise. Treat nested objects as immutable; mutators replace top-level values.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import uuid
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from . import sample
from .lookups import (
    END_DEATH,
    END_DISMISSAL,
    END_FIXED_TERM,
    END_MUTUAL,
    END_RESIGNATION,
    END_RETIREMENT,
    END_TRAINING,
    END_TRIAL,
    HIRING_INTERNAL,
    HIRING_NEW_POSITION,
    HIRING_PEAK,
    HIRING_REPLACEMENT,
    TYPE_APPRENTICESHIP,
    TYPE_FIXED_TERM,
    TYPE_INTERNSHIP,
    TYPE_PERMANENT,
    TYPE_PROFESSIONALISATION,
    TYPE_TEMPING,
    contract_type,
)
from .timefmt import v3_date, v3_timestamp, v4_date, v4_timestamp

if TYPE_CHECKING:
    import random
    from collections.abc import Sequence

T = TypeVar("T")

# Employment situations; the mix follows the brief (≈75/20/3 % plus a few leavers).
CURRENT, LEAVING, FORMER, FUTURE = "current", "leaving", "former", "future"

# A person's last contract is mostly permanent; earlier ones are the fixed-term kinds.
LAST_CONTRACT_TYPES = (*[TYPE_PERMANENT] * 7, TYPE_FIXED_TERM, TYPE_FIXED_TERM, TYPE_APPRENTICESHIP)
EARLIER_CONTRACT_TYPES = (
    TYPE_FIXED_TERM,
    TYPE_FIXED_TERM,
    TYPE_INTERNSHIP,
    TYPE_APPRENTICESHIP,
    TYPE_TEMPING,
    TYPE_PROFESSIONALISATION,
)
# How a permanent contract ends; the other kinds simply reach their term.
TERMINATION_REASONS = (
    END_RESIGNATION,
    END_RESIGNATION,
    END_MUTUAL,
    END_MUTUAL,
    END_DISMISSAL,
    END_TRIAL,
    END_RETIREMENT,
    END_DEATH,
)
TRAINING_TYPES = (TYPE_INTERNSHIP, TYPE_APPRENTICESHIP)
# The first contract fills a new or vacant post; later ones are mostly internal moves.
FIRST_HIRING_TYPES = (
    HIRING_NEW_POSITION,
    HIRING_NEW_POSITION,
    HIRING_REPLACEMENT,
    HIRING_PEAK,
    None,
)
LATER_HIRING_TYPES = (HIRING_INTERNAL, HIRING_INTERNAL, HIRING_PEAK, None)

# Per-country probabilities of optional and sensitive data, loosely from the recording.
# fmt: off
RATES: dict[str, dict[str, float]] = {
    "FR": {"insurance": 0.7, "iban": 0.73, "email": 0.9, "address": 0.85, "bank": 0.7,
           "account": 0.85, "mobile": 0.03, "line": 0.7, "title": 0.7, "axis": 0.5},
    "UK": {"insurance": 0.9, "iban": 0.9, "email": 0.9, "address": 0.9, "bank": 0.85,
           "account": 0.9, "mobile": 0.02, "line": 0.9, "title": 0.9, "axis": 0.6},
    "ES": {"insurance": 0.92, "iban": 0.92, "email": 0.07, "address": 0.57, "bank": 0.05,
           "account": 0.95, "mobile": 0.03, "line": 0.03, "title": 0.15, "axis": 0.1},
    "CH": {"insurance": 1.0, "iban": 0.06, "email": 0.06, "address": 0.08, "bank": 0.06,
           "account": 0.0, "mobile": 0.05, "line": 0.0, "title": 0.15, "axis": 0.0},
}
# fmt: on
MANAGER_ROLE = {"FR": 3, "UK": 3, "ES": 3, "CH": 61}
USER_ROLE = {"FR": 4, "UK": 4, "ES": 4, "CH": 62}
ADMIN_ROLES = (2, 22, 47)
LEGAL_ENTITY_COUNTRY = {1: "FR", 2: "UK", 3: "ES", 6: "CH", 8: "CH"}
PERSONAL_ACCOUNTS = ("421000", "421000", "421000", "421001", "421002", "421003")

_URLS = {
    "csp": "/api/v3/socioprofessionalgroups/{}",
    "role": "/api/v3/roles/{}",
    "habilited_role": "/api/v3/roles/{}",
    "calendar": "/admin/calendars/api/calendars/{}",
    "legal_entity": "/api/v3/legalentities/{}",
    "department": "/api/v3/departments/{}",
    "user": "/api/v3/users/{}",
    "job_qualification": "/api/v3/jobqualifications/{}",
    "leave_profile": "/api/v3/leaveprofiles/{}",
    "expense_profile": "/api/v3/expenseconfigprofileboes/{}",
    "axis": "/api/v3/axissections/{}",
}
_LOOKUP_LISTS = {
    "csp": "csps",
    "role": "roles",
    "habilited_role": "habilited_roles",
    "calendar": "calendars",
    "legal_entity": "legal_entities",
    "job_qualification": "job_qualifications",
    "leave_profile": "leave_profiles",
    "expense_profile": "expense_profiles",
    "axis": "axis_sections",
}


@dataclass(slots=True, eq=False)
class Dept:
    """A department while the tree is built; becomes a v4 record later."""

    country: str
    depth: int
    position: int
    hierarchy: str
    parent: Dept | None
    name: str = ""
    code: str = ""
    id: int = 0
    active: bool = True
    next_position: int = 1
    children: int = 0
    manager: int | None = None  # user id managing the department's members
    created: dt.datetime | None = None
    members: list[int] = field(default_factory=list)  # indexes into the people list


@dataclass(slots=True, eq=False)
class Person:
    """The facts a user record is derived from."""

    uid: int
    status: str
    start: dt.date
    end: dt.date | None
    dept: Dept
    first: str
    last: str
    sex: str  # "M" / "F", from the first-name pool
    login: str = ""
    mail: str = ""
    manager: int = 0
    role: int = 0
    all_sensitive: bool = False
    created: dt.datetime = dt.datetime.min
    modified: dt.datetime = dt.datetime.min
    imported: bool = False  # created by a bulk import rather than by hand


@cache
def ascii_fold(text: str) -> str:
    """Drop accents and punctuation for logins and mails: Françoise -> Francoise."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded if ch.isalnum())


def unit_sell_price(uid: int) -> float | None:
    """The daily rate a person's time is sold at (Lucca's project billing). The recording
    has none; a fifth of users get one, from their id so that no seeded draw moves."""
    return 400 + 12.5 * (uid % 17) if uid % 5 == 0 else None


@cache
def _spc(ident: int, name: str) -> dict[str, Any]:
    return {"id": ident, "name": name}


def owner_spc(contract: dict[str, Any], user: dict[str, Any]) -> None:
    """A contract's socio-professional category is its owner's: `spcId`, and the shared
    `{id, name}` object that some tenants' contracts carry."""
    csp = user["csp"]
    contract["spcId"] = None if csp is None else csp["id"]
    contract["spc"] = None if csp is None else _spc(csp["id"], csp["name"])


class RecordBuilder:
    """Creates records from one random stream; the tenant keeps it for later hires."""

    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.use_rng(rng)
        self.today = today
        self.base = sample.base_url()
        self.countries: dict[str, Any] = sample.countries()
        look = sample.lookups()
        self._lookup = {
            kind: {o["id"]: o for o in look[name]} for kind, name in _LOOKUP_LISTS.items()
        }
        self._refs: dict[tuple[str, Any], dict[str, Any]] = {}
        self._role_lists: dict[tuple[int, ...], list[dict[str, Any]]] = {}
        self._logins: dict[str, int] = {}
        self._numbers: dict[str, int] = {}
        self._cultures = {c["id"]: c for c in look["cultures"]}
        self._nationalities = {n["id"]: n for n in look["nationalities"]}
        self._fte = [{"value": value, "link": None} for value in look["full_time_equivalents"]]
        self._null_value = {"value": None, "link": None}
        self._authorized_operations = sample.template_user()["authorizedOperations"]
        self._axis = [self.ref("axis", a["id"]) for a in look["axis_sections"]]
        self._qualifications = [
            self.ref("job_qualification", j["id"]) for j in look["job_qualifications"]
        ]
        self._kits: dict[str, _CountryKit] = {}
        self.person_names: dict[int, str] = {}  # for manager{id,name,url} references
        self.work_cycle_id = 10
        # Bulk imports and bulk edits give many users the very same createdAt/modifiedAt,
        # as in the recording (e.g. nine users modified at 2024-07-11T14:56:02.733).
        midnight = dt.datetime.combine(today, dt.time())
        self.horizon = midnight - dt.timedelta(minutes=3)  # generated data predates "today"
        self.imports = [
            midnight - dt.timedelta(days=3853) + dt.timedelta(hours=18, minutes=11, seconds=14.697),
            midnight - dt.timedelta(days=2509) + dt.timedelta(hours=22, minutes=7, seconds=21.883),
            midnight - dt.timedelta(days=1215) + dt.timedelta(hours=12, minutes=0, seconds=50.69),
        ]
        self.bulk_edits = [
            midnight - dt.timedelta(days=1269) + dt.timedelta(hours=15, minutes=32, seconds=34.173),
            midnight - dt.timedelta(days=498) + dt.timedelta(hours=14, minutes=56, seconds=2.733),
            midnight - dt.timedelta(days=23) + dt.timedelta(hours=9, minutes=12, seconds=44.5),
        ]

    # ----- fast random helpers (random.choice/randrange are ~20x slower) -----------------
    def use_rng(self, rng: random.Random) -> None:
        self.rng = rng
        self.rnd = rng.random

    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.rnd() * len(seq))]

    def below(self, n: int) -> int:
        return int(self.rnd() * n)

    def digits(self, count: int) -> str:
        """`count` random decimal digits (IBANs, insurance numbers)."""
        return f"{self.rng.getrandbits(4 * count + 8) % 10**count:0{count}d}"

    def millis(self) -> int:
        """0 ms for ~8% of timestamps, so some have no decimals at all."""
        return 0 if self.rnd() < 0.08 else self.below(1000)

    def moment(self, day: dt.date) -> dt.datetime:
        """A random office-hours instant on `day`."""
        seconds = 8 * 3600 + self.below(11 * 3600)
        return dt.datetime.combine(day, dt.time()) + dt.timedelta(
            seconds=seconds, milliseconds=self.millis()
        )

    def between(self, low: dt.datetime, high: dt.datetime) -> dt.datetime:
        """A random office-hours instant between low and high (clamped to them)."""
        if high <= low:
            return low
        day = low.date() + dt.timedelta(days=int(self.rnd() * ((high - low).days + 1)))
        return min(high, max(low, self.moment(day)))

    # ----- shared nested objects -------------------------------------------------------
    def ref(self, kind: str, ident: int, name: str | None = None) -> dict[str, Any]:
        """A shared {id, name, url} reference object."""
        key = (kind, ident)
        obj = self._refs.get(key)
        if obj is None:
            if name is None:
                name = self._lookup[kind][ident]["name"]
            obj = {"id": ident, "name": name, "url": self.base + _URLS[kind].format(ident)}
            self._refs[key] = obj
        return obj

    def user_ref(self, uid: int) -> dict[str, Any]:
        return self.ref("user", uid, self.person_names[uid])

    def roles_list(self, ids: list[int]) -> list[dict[str, Any]]:
        key = tuple(ids)
        roles = self._role_lists.get(key)
        if roles is None:
            roles = self._role_lists[key] = [self.ref("habilited_role", i) for i in ids]
        return roles

    # ----- per-user values -------------------------------------------------------------
    def login(self, first: str, last: str) -> str:
        """Initial + last name ("mbragoulet"); homonyms get "mbragoulet1"… as recorded."""
        base = (ascii_fold(first)[:1] + ascii_fold(last)).lower() or "user"
        count = self._logins.get(base, 0)
        self._logins[base] = count + 1
        return base if count == 0 else f"{base}{count}"

    def employee_number(self, country: str) -> str | None:
        roll = self.rnd()
        if roll < 0.02:
            return None
        count = self._numbers.get(country, 0) + 1
        self._numbers[country] = count
        if roll < 0.03:  # hand-typed oddities such as "X134E" or "S1234"
            return self.pick((f"X{count}E", f"S{1000 + count}", f"{country}{count}-B"))
        return self.countries[country]["employee_number"].format(n=count)

    def work_cycle(self) -> dict[str, Any]:
        self.work_cycle_id += 1 if self.rnd() < 0.7 else 2 + self.below(3)
        ident = self.work_cycle_id
        return {"id": ident, "name": None, "url": f"{self.base}/api/v3/userworkcycles/{ident}"}

    def review_date(self, before: dt.datetime) -> dict[str, Any]:
        """A .NET-style 7-decimal review timestamp, or the shared null value."""
        if self.rnd() < 0.5:
            return self._null_value
        moment = before - dt.timedelta(seconds=int(self.rnd() * 129_600_000))  # up to 1500 days
        ticks = f"{int(self.rnd() * 10**7):07d}".rstrip("0") or "0"
        return {"value": f"{moment.isoformat(timespec='seconds')}.{ticks}", "link": None}

    def insurance_number(self, style: str, sex: str, birth: dt.date | None) -> str:
        if style == "frss":  # French social security number: sex, year, month, place, serial
            year = birth.year % 100 if birth else self.below(100)
            month = birth.month if birth else 1 + self.below(12)
            place = 1 + self.below(95)
            return f"{1 if sex == 'M' else 2}{year:02d}{month:02d}{place:02d}{self.digits(8)}"
        if style == "esss":
            return f"{self.digits(2)} {self.digits(8)} {self.digits(2)}"
        if style == "chavs":
            return f"756.{self.digits(4)}.{self.digits(4)}.{self.digits(2)}"
        letters = "ABCEGHJKLMNPRSTWXYZ"
        return f"{self.pick(letters)}{self.pick(letters)}{self.digits(6)}{self.pick('ABCD')}"

    # ----- records ---------------------------------------------------------------------
    def _kit(self, country: str) -> _CountryKit:
        kit = self._kits.get(country)
        if kit is None:
            kit = self._kits[country] = _CountryKit(self, country)
        return kit

    def user(self, person: Person) -> dict[str, Any]:
        """The full v3 user object, keys in the recorded order.

        Hot path for 100k users: random picks are inlined as seq[int(rnd() * len(seq))].
        """
        rnd = self.rnd
        base = self.base
        uid = person.uid
        dept = person.dept
        kit = self._kit(dept.country)
        rates = kit.rates
        everything = person.all_sensitive
        first, last, sex = person.first, person.last, person.sex
        name = f"{first} {last}"

        # Legal entity, calendar and culture go together (Genève vs Zürich for CH).
        legal_entity, calendar, culture = kit.settings[int(rnd() * len(kit.settings))]
        csp = kit.csps[int(rnd() * len(kit.csps))] if rnd() < 0.75 else None
        nationality = (
            kit.nationalities[int(rnd() * len(kit.nationalities))] if rnd() < 0.35 else None
        )
        qualification = (
            self._qualifications[int(rnd() * len(self._qualifications))] if rnd() < 0.2 else None
        )
        undefined = rnd() < 0.32
        gender = "Undefined" if undefined else ("Male" if sex == "M" else "Female")
        civil = None if undefined or rnd() < 0.45 else ("Mr" if sex == "M" else "Ms")
        birth = person.start - dt.timedelta(days=7300 + int(rnd() * 9125)) if rnd() < 0.9 else None
        seniority = (
            v3_date(person.start - dt.timedelta(days=int(rnd() * 3000))) if rnd() < 0.09 else None
        )
        roll = rnd()
        cycles = (
            []
            if roll < 0.06
            else [self.work_cycle(), self.work_cycle()]
            if roll < 0.1
            else [self.work_cycle()]
        )
        created = v3_timestamp(person.created)
        modified = v3_timestamp(person.modified)

        picture = None
        if rnd() < 0.73:
            picture_id = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
            picture = {
                "id": picture_id,
                "name": (f"{name}.jpg", "file.png", f"{last.upper()} {first}.jpg", f"{name}.JPG")[
                    int(rnd() * 4)
                ],
                "extension": None,
                "mimeType": None,
                "href": f"{base}/directory/api/employees/{uid}/picture?a=0",
                "url": None,
            }
        amount = 0 if rnd() < 0.1 else 28_000 + int(rnd() * 102_000)
        application_data = {
            "manager2Id": None,
            "manager2": None,
            "profile_figgo": None
            if rnd() < 0.03
            else kit.leave_profiles[int(rnd() * len(kit.leave_profiles))],
            "profile_cleemy_6": kit.expense_profiles[int(rnd() * len(kit.expense_profiles))],
            "fullTimeEquivalent": self._fte[int(rnd() * len(self._fte))],
            "theoreticalRemuneration": {  # sensitive: salary
                "value": f"{kit.currency}{amount:,}",
                "link": {
                    "url": f"{base}/popleerem/remunerations#/{uid}",
                    "text": "Go to Pagga Compensation",
                },
            },
            "lastAnnualReviewDate": self.review_date(person.modified),
            "lastProfessionalReviewDate": self.review_date(person.modified),
            "lastFixedWorkingDaysReviewDate": self._null_value,
        }
        has_iban = everything or rnd() < rates["iban"]
        mobile = kit.mobile.format(
            a=1 + int(rnd() * 9), b=int(rnd() * 100), c=int(rnd() * 100), d=int(rnd() * 100)
        )

        user: dict[str, Any] = {
            "attributes": {},
            "applicationData": application_data,
            "extendedData": {},
            "id": uid,
            "lastName": last,
            "firstName": first,
            "name": name,
            "displayName": f"{last} {first}",
            "login": person.login,
            "mail": person.mail,
            "dtContractStart": v3_date(person.start),
            "dtContractEnd": None if person.end is None else v3_date(person.end),
            "employeeNumber": self.employee_number(dept.country),
            "cspID": None if csp is None else csp["id"],
            "csp": csp,
            "nationalityId": None if nationality is None else nationality["id"],
            "nationality": nationality,
            "siteId": None,
            "site": None,
            "seniorityDate": seniority,
            "birthDate": None if birth is None else v3_date(birth),
            "unitSellPrice": unit_sell_price(uid),
            "insuranceNumber": self.insurance_number(kit.insurance, sex, birth)
            if everything or rnd() < rates["insurance"]
            else None,
            "departmentID": dept.id,
            "department": self.ref("department", dept.id, dept.name),
            "managerID": person.manager,
            "manager": self.user_ref(person.manager),
            "currentDelegateeId": None,
            "currentDelegatee": None,
            "legalEntityID": legal_entity["id"],
            "legalEntity": legal_entity,
            "cultureID": culture["id"],
            "culture": culture,
            "rolePrincipalId": person.role,
            "rolePrincipal": self.ref("role", person.role),
            "calendarId": calendar["id"],
            "calendar": calendar,
            "userWorkCycles": cycles,
            "jobQualificationId": None if qualification is None else qualification["id"],
            "jobQualification": qualification,
            "createdOn": created,
            "createdAt": created,
            "modifiedOn": modified,
            "modifiedAt": modified,
            "habilitedRoles": kit.habilited_roles[int(rnd() * len(kit.habilited_roles))],
        }
        if rnd() < rates["axis"]:  # present on some users only, as in the recording
            user["userAxisValues_1"] = self._axis[int(rnd() * len(self._axis))]
        user.update(
            {
                "externalId": None,
                "directLine": kit.direct_lines[int(rnd() * len(kit.direct_lines))]
                if rnd() < rates["line"]
                else None,
                "professionalMobile": mobile if rnd() < 0.03 else None,
                "personalMobile": mobile if everything or rnd() < rates["mobile"] else None,
                "personalEmail": f"perso{ascii_fold(last).capitalize()}@{kit.email_domain}"
                if everything or rnd() < rates["email"]
                else None,
                "address": kit.addresses[int(rnd() * len(kit.addresses))]
                if everything or rnd() < rates["address"]
                else None,
                "civilTitle": civil,
                "personalAccount": PERSONAL_ACCOUNTS[int(rnd() * len(PERSONAL_ACCOUNTS))]
                if everything or rnd() < rates["account"]
                else None,
                "gender": gender,
                "quote": None,
                "frenchCarTaxHorsePower": (4, 5, 5, 6)[int(rnd() * 4)]
                if kit.car_tax and rnd() < 0.1
                else None,
                "frenchMotocyclesTaxHorsePower": None,
                "corporateCard": None,
                "personalCard": None,
                "rib": None,
                "bic": kit.bics[int(rnd() * len(kit.bics))] if has_iban else None,
                "iban": kit.iban_head + self.digits(kit.iban_digits) if has_iban else None,
                "bankName": kit.banks[int(rnd() * len(kit.banks))]
                if everything or rnd() < rates["bank"]
                else None,
                "allowsElectronicPayslip": rnd() < 0.87,
                "picture": picture,
                "pictureId": None if picture is None else picture["id"],
                "jobTitle": kit.job_titles[int(rnd() * len(kit.job_titles))]
                if rnd() < rates["title"]
                else None,
                "url": f"{base}/api/v3/users/{uid}",
                "authorizedOperations": self._authorized_operations,
            }
        )
        return user

    def contracts(self, person: Person, count: int) -> list[dict[str, Any]]:
        """1-4 consecutive, non-overlapping contracts covering the person's employment.

        The first starts on dtContractStart, the last ends on dtContractEnd (None while
        open). createdAt/lastModifiedAt are left as datetimes and ids at 0: the caller
        numbers contracts in creation order, then formats the timestamps.
        """
        rnd = self.rnd
        start, end = person.start, person.end
        limit = end if end is not None else max(self.today, start)
        blocks = (limit - start).days // 45  # contracts last at least ~45 days
        count = max(1, min(count, blocks))
        cuts = sorted(self.rng.sample(range(1, blocks), count - 1)) if count > 1 else []
        starts = [start] + [start + dt.timedelta(days=45 * cut) for cut in cuts]
        contracts = []
        for index, starts_on in enumerate(starts):
            last = index == len(starts) - 1
            if last:
                ends_on = end
                type_id = self.pick(LAST_CONTRACT_TYPES)
            else:
                gap = 1 if rnd() < 0.8 else 2 + self.below(28)
                ends_on = starts[index + 1] - dt.timedelta(days=gap)
                type_id = self.pick(EARLIER_CONTRACT_TYPES)
            ended = ends_on is not None and ends_on < self.today
            termination = None
            if ended and rnd() < 0.92:
                if type_id == TYPE_PERMANENT:
                    termination = self.pick(TERMINATION_REASONS)
                else:
                    termination = END_TRAINING if type_id in TRAINING_TYPES else END_FIXED_TERM
            trial = None
            if type_id == TYPE_PERMANENT:
                trial = self.pick((60, 90, 120, 120, None))
            elif type_id == TYPE_FIXED_TERM:
                trial = self.pick((14, 30, None))
            renewed = trial if trial and rnd() < 0.15 else None
            trial_end = starts_on + dt.timedelta(days=trial - 1) if trial else None
            trial_end2 = trial_end + dt.timedelta(days=renewed) if trial_end and renewed else None
            created = self.contract_created(starts_on)
            modified = created if rnd() < 0.5 else self.between(created, self.horizon)
            if ended and modified < dt.datetime.combine(ends_on, dt.time()):
                modified = self.between(dt.datetime.combine(ends_on, dt.time(9)), self.horizon)
            contracts.append(
                {
                    "id": 0,
                    "ownerId": person.uid,
                    "startsOn": v4_date(starts_on),
                    "endsOn": v4_date(ends_on),
                    "isApplicable": False,
                    "isArchived": False,
                    "establishmentId": None,
                    "typeId": type_id,
                    "type": contract_type(type_id),
                    "spcId": None,
                    "spc": None,
                    "hiringTypeId": self.pick(LATER_HIRING_TYPES if index else FIRST_HIRING_TYPES),
                    "terminationReasonId": termination,
                    "trialPeriodDays": trial,
                    "renewedTrialPeriodDays": renewed,
                    "trialPeriodEndDate": v4_date(trial_end),
                    "trialPeriodEndDate2": v4_date(trial_end2),
                    "externalId": None,
                    "internshipSupervisorId": person.manager
                    if type_id == TYPE_INTERNSHIP
                    else None,
                    "authorId": None,
                    "lastModifierId": None,
                    "createdAt": created,
                    "lastModifiedAt": modified,
                }
            )
        return contracts

    def contract_created(self, starts_on: dt.date) -> dt.datetime:
        if dt.datetime.combine(starts_on, dt.time()) < self.imports[0]:
            return self.imports[0] + dt.timedelta(
                seconds=self.below(600), milliseconds=self.below(1000)
            )
        created = self.moment(starts_on - dt.timedelta(days=self.below(40)))
        return min(max(created, self.imports[0]), self.horizon)

    def department(self, dept: Dept) -> dict[str, Any]:
        """The v4 department object (keys in the documented order)."""
        created = dept.created or self.imports[0]
        modified = created if self.rnd() < 0.4 else self.between(created, self.horizon)
        head = dept.manager if dept.manager is not None and self.rnd() < 0.7 else None
        return {
            "id": dept.id,
            "name": dept.name,
            "code": dept.code,
            "parentId": dept.parent.hierarchy if dept.parent else "/",
            "hierarchy": dept.hierarchy,
            "isActive": dept.active,
            "headId": head,
            "createdAt": v4_timestamp(created),
            "lastModifiedAt": v4_timestamp(modified),
            "sortOrderInSiblings": dept.position,
        }


class _CountryKit:
    """A country's look-ups resolved once into shared objects, for cheap random picks."""

    def __init__(self, builder: RecordBuilder, country: str) -> None:
        conf = builder.countries[country]
        ref = builder.ref
        self.rates = RATES[country]
        if country == "CH":  # two legal entities, each with its calendar and cultures
            geneva = (ref("legal_entity", 6), ref("calendar", 59))
            zurich = (ref("legal_entity", 8), ref("calendar", 60))
            cultures = builder._cultures
            self.settings = [(*geneva, cultures[c]) for c in (1036, 1036, 4108)]
            self.settings += [(*zurich, cultures[1031])] * 3
        else:
            entity = ref("legal_entity", conf["legal_entities"][0])
            self.settings = [
                (entity, ref("calendar", cal), builder._cultures[cul])
                for cal in conf["calendars"]
                for cul in conf["cultures"]
            ]
        csps = [c for c in conf["csps"] if c is not None]
        self.csps = [ref("csp", c) for c in csps] if csps else [None]
        self.nationalities = [builder._nationalities[n] for n in conf["nationalities"]]
        self.leave_profiles = [ref("leave_profile", i) for i in conf["leave_profiles"]]
        self.expense_profiles = [ref("expense_profile", i) for i in conf["expense_profiles"]]
        self.habilited_roles = [builder.roles_list(ids) for ids in conf["habilited_roles"]]
        self.job_titles = conf["job_titles"]
        self.direct_lines = conf["direct_lines"]
        self.addresses = conf["addresses"]
        self.banks = conf["banks"]
        self.bics = conf["bics"]
        self.mobile = conf["mobile"]
        self.currency = conf["currency"]
        self.email_domain = conf["email_domain"]
        self.insurance = conf["insurance"]
        head, _, rest = conf["iban"].partition("{d")
        self.iban_head, self.iban_digits = head, int(rest.split("}")[0])
        self.car_tax = country in ("FR", "UK")


def settle_contracts(contracts: list[dict[str, Any]], today: dt.date, rnd: Any) -> None:
    """Mark exactly one applicable contract (in force today, else the next, else the last)
    and archive about a third of the others (≈10% of all contracts)."""
    iso_today = today.isoformat()
    applicable = None
    for contract in contracts:
        ends = contract["endsOn"]
        if contract["startsOn"] <= iso_today and (ends is None or ends >= iso_today):
            applicable = contract
            break
    if applicable is None:
        upcoming = [c for c in contracts if c["startsOn"] > iso_today]
        applicable = upcoming[0] if upcoming else contracts[-1]
    for contract in contracts:
        contract["isApplicable"] = contract is applicable
        contract["isArchived"] = contract is not applicable and rnd() < 0.3
