"""Build the analysis views (models/*.sql, in name order) in a DuckDB database.

    python scripts/run_models.py output/demo/warehouse.duckdb

The tables come from `meltano run tap-lucca target-duckdb` (schema `lucca`); the
views land in schema `analytics`. The SQL is written to port to BigQuery: see
"Querying the data" in the README.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

MODELS = Path(__file__).resolve().parents[1] / "models"


def build(database: str) -> list[str]:
    """Create or replace every view; their names, in build order."""
    built = []
    with duckdb.connect(database) as connection:
        connection.execute("CREATE SCHEMA IF NOT EXISTS analytics")
        for model in sorted(MODELS.glob("*.sql")):
            connection.execute(model.read_text(encoding="utf-8"))
            built.append(model.stem)
    return built


if __name__ == "__main__":
    for name in build(sys.argv[1]):
        print(f"built analytics.{name.split('_', 1)[1]}")
