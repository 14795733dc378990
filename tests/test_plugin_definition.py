"""The Hub plugin definition and meltano.yml agree with what the tap says of itself."""

from __future__ import annotations

from pathlib import Path

import yaml

from scripts.plugin_definition import about, definition, printed_about

ROOT = Path(__file__).parents[1]


def committed_hub_file() -> dict:
    return yaml.safe_load((ROOT / "hub" / "tap-lucca.yml").read_text())


def meltano_tap_lucca() -> dict:
    project = yaml.safe_load((ROOT / "meltano.yml").read_text())
    return next(e for e in project["plugins"]["extractors"] if e["name"] == "tap-lucca")


def test_hub_file_is_what_about_says_today():
    assert committed_hub_file() == definition(about())


def test_meltano_yml_declares_the_same_settings_as_the_hub_file():
    assert meltano_tap_lucca()["settings"] == committed_hub_file()["settings"]


def test_meltano_yml_declares_every_capability_the_tap_has():
    assert sorted(meltano_tap_lucca()["capabilities"]) == sorted(about()["capabilities"])


def test_api_key_and_client_secret_are_the_sensitive_settings():
    sensitive = [s["name"] for s in committed_hub_file()["settings"] if s.get("sensitive")]
    assert sensitive == ["api_key", "client_secret"]


def test_every_setting_has_a_kind_label_and_description():
    for setting in committed_hub_file()["settings"]:
        assert {"name", "kind", "label", "description"} <= setting.keys(), setting["name"]


def test_the_docs_settings_table_is_what_about_prints():
    markdown = printed_about("markdown")
    table = [line for line in markdown.splitlines() if line.startswith("|")]

    assert "\n".join(table) in (ROOT / "docs" / "reference.md").read_text()
