"""Print tap-lucca's Meltano Hub plugin definition, built from `tap-lucca --about`.

    python scripts/plugin_definition.py > hub/tap-lucca.yml

Run it again whenever a setting changes; tests/test_plugin_definition.py checks that
the committed file and `--about` agree.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

KINDS = {"string": "string", "integer": "integer", "boolean": "boolean"}
KINDS |= {"object": "object", "array": "array", "number": "decimal"}


def about() -> dict:
    executable = Path(sys.executable).parent / "tap-lucca"
    output = subprocess.run(
        [executable, "--about", "--format=json"], capture_output=True, check=True, text=True
    ).stdout
    return json.loads(output)


def kind(schema: dict) -> str:
    if schema.get("format") == "date-time":
        return "date_iso8601"
    types = schema.get("type", "object")
    names = [types] if isinstance(types, str) else [name for name in types if name != "null"]
    return KINDS.get(names[0] if names else "object", "string")


def settings(about: dict) -> list[dict]:
    listed = []
    for name, schema in about["settings"]["properties"].items():
        setting = {"name": name, "kind": kind(schema)}
        setting["label"] = schema.get("title") or name.replace("_", " ").capitalize()
        if "description" in schema:
            setting["description"] = schema["description"]
        if schema.get("secret"):
            setting["sensitive"] = True
        if "default" in schema:
            setting["value"] = schema["default"]
        listed.append(setting)
    return listed


def definition(about: dict) -> dict:
    return {
        "name": "tap-lucca",
        "namespace": "tap_lucca",
        "variant": "tap-lucca",
        "label": "Lucca",
        "description": "HR suite: employees, work contracts, departments and their history",
        "domain_url": "https://www.lucca.fr",
        "pip_url": "tap-lucca",
        "executable": "tap-lucca",
        "capabilities": sorted(about["capabilities"]),
        "keywords": ["meltano_sdk", "hr"],
        "maintenance_status": "active",
        "settings_group_validation": [sorted(about["settings"].get("required", []))],
        "settings": settings(about),
    }


if __name__ == "__main__":
    yaml.safe_dump(definition(about()), sys.stdout, sort_keys=False, allow_unicode=True, width=100)
