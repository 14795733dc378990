"""The small, fixed v4 look-up lists that label work contracts' ids.

Contracts carry `typeId`, `hiringTypeId`, `terminationReasonId` and `spcId`; these
lists name them. Ids have holes (deleted or tenant-specific entries) so that a client
cannot mistake a position for an id, and each list keeps one archived entry: Lucca
still serves it because old contracts point to it.
"""

from __future__ import annotations

from typing import Any

from . import sample

# Contract types.
TYPE_PERMANENT, TYPE_FIXED_TERM, TYPE_INTERNSHIP, TYPE_APPRENTICESHIP = 1, 2, 5, 6
TYPE_TEMPING, TYPE_PROFESSIONALISATION = 8, 11
# Hiring types.
HIRING_NEW_POSITION, HIRING_REPLACEMENT, HIRING_INTERNAL, HIRING_PEAK = 1, 3, 4, 7
# Termination reasons.
END_RESIGNATION, END_DISMISSAL, END_MUTUAL, END_FIXED_TERM = 1, 2, 3, 4
END_TRAINING, END_TRIAL, END_RETIREMENT, END_DEATH = 5, 6, 7, 9


def _rows(*rows: tuple[int, str, str, bool]) -> list[dict[str, Any]]:
    return [
        {"id": ident, "name": name, "code": code, "isArchived": archived}
        for ident, name, code, archived in rows
    ]


CONTRACT_TYPES = _rows(
    (TYPE_PERMANENT, "CDI", "CDI", False),
    (TYPE_FIXED_TERM, "CDD", "CDD", False),
    (4, "CDI de chantier", "CHANTIER", True),  # archived: no longer offered
    (TYPE_INTERNSHIP, "Stage", "STAGE", False),
    (TYPE_APPRENTICESHIP, "Apprentissage", "APPRENTISSAGE", False),
    (TYPE_TEMPING, "Intérim", "INTERIM", False),
    (TYPE_PROFESSIONALISATION, "Contrat de professionnalisation", "PRO", False),
)

CONTRACT_HIRING_TYPES = _rows(
    (HIRING_NEW_POSITION, "Création de poste", "CREATION", False),
    (HIRING_REPLACEMENT, "Remplacement", "REMPLACEMENT", False),
    (HIRING_INTERNAL, "Mobilité interne", "MOBILITE", False),
    (HIRING_PEAK, "Surcroît d'activité", "SURCROIT", False),
    (9, "Emploi saisonnier", "SAISONNIER", True),
)

CONTRACT_TERMINATION_REASONS = _rows(
    (END_RESIGNATION, "Démission", "DEMISSION", False),
    (END_DISMISSAL, "Licenciement", "LICENCIEMENT", False),
    (END_MUTUAL, "Rupture conventionnelle", "RUPTURE_CONV", False),
    (END_FIXED_TERM, "Fin de CDD", "FIN_CDD", False),
    (END_TRAINING, "Fin de stage ou d'apprentissage", "FIN_FORMATION", False),
    (END_TRIAL, "Fin de période d'essai", "FIN_ESSAI", False),
    (END_RETIREMENT, "Retraite", "RETRAITE", False),
    (END_DEATH, "Décès", "DECES", False),
    (12, "Mise à la retraite d'office", "MISE_RETRAITE", True),
)

# Recorded v3 CSPs keep their ids and names (contracts' spcId is the user's cspID);
# the French categories the recording lacks fill the holes.
_EXTRA_OCCUPATIONS = (
    (11, "Agent de maîtrise", "AM", False),
    (15, "Employé", "EMPLOYE", False),
    (16, "ETAM", "ETAM", True),  # archived: replaced by Employé / Agent de maîtrise
)


_CONTRACT_TYPE_REFS = {row["id"]: {"id": row["id"], "name": row["name"]} for row in CONTRACT_TYPES}


def contract_type(type_id: int) -> dict[str, Any]:
    """The shared `{id, name}` object that some tenants' contracts carry next to `typeId`."""
    return _CONTRACT_TYPE_REFS[type_id]


def occupation_categories() -> list[dict[str, Any]]:
    recorded = [(c["id"], c["name"], f"CSP{c['id']:02d}", False) for c in sample.lookups()["csps"]]
    return sorted(_rows(*recorded, *_EXTRA_OCCUPATIONS), key=lambda row: row["id"])
