"""Lucca's own material, kept in `reference/`: the published OpenAPI reference of the
new API and real legacy responses recorded from a demo tenant."""

from __future__ import annotations

from pathlib import Path

REFERENCE = Path(__file__).parents[1] / "reference"
SANDBOX = REFERENCE / "lucca-sandbox"
OPENAPI = REFERENCE / "lucca-openapi" / "lucca-api@2024-11-01.json"
