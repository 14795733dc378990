"""Every stream maps to typed BigQuery columns, by target-bigquery's own translation.

Nothing here can reach BigQuery: the loader Meltano installed translates the tap's
schemas offline, as it does before creating the tables (`denormalized: true`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
LOADER_PYTHON = ROOT / ".meltano" / "loaders" / "target-bigquery" / "venv" / "bin" / "python"

# Free-form objects whose keys vary by tenant: JSON columns by choice.
JSON_BY_CHOICE = {"users.extendedData", "users.attributes", "users.applicationData"}

TRANSLATE = """
import json, sys
from target_bigquery.core import SchemaTranslator

def flat(fields, prefix):
    for field in fields:
        name = prefix + field.name
        yield name, field.field_type, field.mode
        yield from flat(field.fields, name + ".")

catalog = json.load(sys.stdin)
columns = {}
for stream in catalog["streams"]:
    translator = SchemaTranslator(stream["schema"], transforms={})
    for name, kind, mode in flat(translator.translated_schema, stream["tap_stream_id"] + "."):
        columns[name] = [kind, mode]
json.dump(columns, sys.stdout)
"""


@pytest.fixture(scope="module")
def columns() -> dict[str, list[str]]:
    config = {
        "api_url": "https://acme.ilucca.net",
        "api_key": "k",
        "include_sensitive_fields": True,
    }
    catalog = subprocess.run(
        [Path(sys.executable).parent / "tap-lucca", "--config", "ENV", "--discover"],
        capture_output=True,
        text=True,
        check=True,
        env={
            "TAP_LUCCA_" + k.upper(): str(v).lower() if isinstance(v, bool) else v
            for k, v in config.items()
        },
    ).stdout
    translated = subprocess.run(
        [LOADER_PYTHON, "-c", TRANSLATE], input=catalog, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(translated)


def test_only_free_form_objects_fall_back_to_json(columns):
    untyped = {name for name, (kind, _) in columns.items() if kind == "JSON"}

    assert untyped == JSON_BY_CHOICE


@pytest.mark.parametrize(
    ("column", "kind", "mode"),
    [
        ("users.id", "INTEGER", "NULLABLE"),
        ("users.tenant", "STRING", "NULLABLE"),
        ("users.modifiedAt", "TIMESTAMP", "NULLABLE"),
        ("users.allowsElectronicPayslip", "BOOLEAN", "NULLABLE"),
        ("users.department", "RECORD", "NULLABLE"),
        ("users.department.id", "INTEGER", "NULLABLE"),
        ("users.habilitedRoles", "RECORD", "REPEATED"),
        ("users.unitSellPrice", "FLOAT", "NULLABLE"),
        ("contracts.startsOn", "DATE", "NULLABLE"),
        ("departments.ancestorDepartmentIds", "INTEGER", "REPEATED"),
        ("users.birthDate", "DATE", "NULLABLE"),
        ("user_history.startsOn", "DATE", "NULLABLE"),
        ("user_history.modifiedAt", "TIMESTAMP", "NULLABLE"),
    ],
)
def test_columns_get_their_bigquery_types(columns, column, kind, mode):
    assert columns[column] == [kind, mode]
