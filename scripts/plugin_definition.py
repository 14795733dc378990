"""tap-lucca's settings, declared once in `tap_lucca/tap.py`, copied where Meltano and
people read them: the Meltano Hub definition, the `tap-lucca` entry of meltano.yml and
the table in docs/reference.md, all built from `tap-lucca --about`.

    python scripts/plugin_definition.py           # print the Hub definition
    python scripts/plugin_definition.py --write   # write all three copies

Run it with `--write` whenever a setting changes; tests/test_plugin_definition.py
checks that the three copies and `--about` agree.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

KINDS = {"string": "string", "integer": "integer", "boolean": "boolean"}
KINDS |= {"object": "object", "array": "array", "number": "decimal"}


ROOT = Path(__file__).parents[1]


def printed_about(form: str) -> str:
    """What `tap-lucca --about --format=<form>` prints."""
    executable = Path(sys.executable).parent / "tap-lucca"
    return subprocess.run(
        [executable, "--about", f"--format={form}"], capture_output=True, check=True, text=True
    ).stdout


def about() -> dict:
    return json.loads(printed_about("json"))


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


def dumped(data: object, indent: str = "", width: int = 100) -> str:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=width)
    return "".join(indent + line if line.strip() else line for line in text.splitlines(True))


def with_settings(meltano_yml: str, settings: list[dict]) -> str:
    """meltano.yml with the `tap-lucca` extractor's settings replaced, the rest as is."""
    entry = meltano_yml.index("  - name: tap-lucca\n")
    start = meltano_yml.index("    settings:\n", entry) + len("    settings:\n")
    end = re.compile(r"^(?!    |\s*$)", re.M).search(meltano_yml, start)
    stop = end.start() if end else len(meltano_yml)
    body = dumped(settings, "    ", width=112)  # with the indent, meltano.yml's line length
    blank = "\n" if meltano_yml[start:stop].endswith("\n\n") else ""
    return meltano_yml[:start] + body + blank + meltano_yml[stop:]


def with_table(page: str, markdown: str) -> str:
    """The docs page with its settings table replaced by the one `--about` prints."""
    table = "\n".join(line for line in markdown.splitlines() if line.startswith("|")) + "\n"
    first = page.index("| Setting | Required |")
    last = page.index("\n\n", first) + 1
    return page[:first] + table + page[last:]


def write_all() -> None:
    described = definition(about())
    (ROOT / "hub" / "tap-lucca.yml").write_text(dumped(described))
    meltano = ROOT / "meltano.yml"
    meltano.write_text(with_settings(meltano.read_text(), described["settings"]))
    reference = ROOT / "docs" / "reference.md"
    reference.write_text(with_table(reference.read_text(), printed_about("markdown")))


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write_all()
    else:
        sys.stdout.write(dumped(definition(about())))
