"""The dbt models compile for BigQuery without credentials, and what they compile to
uses only SQL that BigQuery accepts: its own type names, no `::` casts, no recursion
over the calendar."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlglot
from sqlglot.dialects.bigquery import BigQuery
from sqlglot.parser import Parser
from sqlglot.tokens import TokenType

from tests.conftest import run_meltano

#: BigQuery's data type names and their documented aliases.
BIGQUERY_TYPES = frozenset(
    {
        *("INT64", "INT", "SMALLINT", "INTEGER", "BIGINT", "TINYINT", "BYTEINT"),
        *("NUMERIC", "DECIMAL", "BIGNUMERIC", "BIGDECIMAL", "FLOAT64", "BOOL", "BOOLEAN"),
        *("STRING", "BYTES", "DATE", "DATETIME", "TIME", "TIMESTAMP", "INTERVAL", "JSON"),
        *("GEOGRAPHY", "ARRAY", "STRUCT", "RANGE"),
    }
)
#: Keywords sqlglot's parser also accepts where a type may stand.
NOT_TYPES = frozenset({"NULL", "UNION"})


def bigquery_rejections(sql: str) -> list[str]:
    """What in `sql` BigQuery would reject, as far as a parser can tell."""
    sqlglot.parse(sql, read="bigquery")  # raises on a syntax error
    tokens = BigQuery().tokenize(sql)
    problems = [
        f"type {token.text}"
        for token in tokens
        if token.token_type in Parser.TYPE_TOKENS
        and token.text.upper() not in BIGQUERY_TYPES | NOT_TYPES
    ]
    problems += ["a :: cast" for token in tokens if token.token_type == TokenType.DCOLON]
    return problems


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> dict[str, str]:
    """Every model and test, compiled by dbt-bigquery with a made-up token: dbt compiles
    offline when no model asks the warehouse anything while compiling."""
    tmp = tmp_path_factory.mktemp("bigquery")
    env = {
        **{k: v for k, v in os.environ.items() if k != "GOOGLE_APPLICATION_CREDENTIALS"},
        "DBT_BIGQUERY_PROJECT": "offline-check",
        "DBT_BIGQUERY_METHOD": "oauth-secrets",
        "DBT_BIGQUERY_TOKEN": "not-a-token",
        "DBT_TARGET_PATH": str(tmp),
        "DBT_LOG_PATH": str(tmp),
    }
    # With the new-API model too, which only a new-API load enables.
    run = run_meltano(
        env, "invoke", "dbt-bigquery", "compile", "--no-populate-cache", "--vars", "{new_api: true}"
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    files = (tmp / "compiled" / "lucca").rglob("*.sql")
    return {str(path.relative_to(tmp)): path.read_text() for path in files}


def test_every_model_compiles_for_bigquery(compiled):
    models = {Path(name).stem for name in compiled if "/models/" in name}
    sources = Path(__file__).parents[1] / "transform" / "models"
    assert {path.stem for path in sources.rglob("*.sql")} <= models


def test_compiled_sql_uses_only_what_bigquery_accepts(compiled):
    rejected = {
        name: problems for name, sql in compiled.items() if (problems := bigquery_rejections(sql))
    }
    assert rejected == {}


def test_the_calendar_is_a_spine_not_a_recursion(compiled):
    [headcount] = [
        sql for name, sql in compiled.items() if name.endswith("headcount_by_department_month.sql")
    ]
    assert "recursive" not in headcount.lower()


@pytest.mark.parametrize(
    "sql",
    [
        "select cast(id as varchar) from t",
        "select id::int64 from t",
        "select cast(x as double) from t",
    ],
)
def test_the_check_rejects_what_bigquery_rejects(sql):
    assert bigquery_rejections(sql)


def test_the_check_accepts_bigquery_sql():
    assert bigquery_rejections("select cast(id as string), cast(x as int64) from t") == []
