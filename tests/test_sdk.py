"""The Singer SDK's private members: used by tap_lucca/sdk.py alone, and each still there,
as the adapter uses it, in the installed SDK. An SDK upgrade that changes one fails
here, naming it."""

from __future__ import annotations

import ast
from pathlib import Path
from types import ModuleType

import singer_sdk
from singer_sdk import Stream, Tap

from tap_lucca import sdk

PACKAGE = Path(sdk.__file__).parent
SDK_SOURCE = Path(singer_sdk.__file__).parent


def private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_names_in(tree: ast.AST) -> set[str]:
    """Private names a module defines or reaches: attributes, methods, assignments,
    and modules or names it imports."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.update(node.module.split("."))
            names.update(alias.name for alias in node.names)
    return {name for name in names if private(name)}


def sdk_private_names() -> set[str]:
    """Every private name the installed SDK defines or uses."""
    names: set[str] = set()
    for path in SDK_SOURCE.rglob("*.py"):
        names |= private_names_in(ast.parse(path.read_text()))
    return names


def test_every_private_sdk_member_the_adapter_uses_is_there_as_it_uses_it():
    assert sdk.changed_members() == []


def test_the_adapter_lists_every_private_sdk_member_it_uses():
    used = private_names_in(ast.parse((PACKAGE / "sdk.py").read_text())) & sdk_private_names()
    listed = {member.name for member in sdk.PRIVATE_MEMBERS if private(member.name)}
    modules = {
        member.owner.__name__.rpartition(".")[2]
        for member in sdk.PRIVATE_MEMBERS
        if isinstance(member.owner, ModuleType)
    }

    assert used == listed | modules


def test_no_other_module_of_the_tap_uses_a_private_sdk_member():
    sdk_names = sdk_private_names()
    used = {
        path.name: sorted(private_names_in(ast.parse(path.read_text())) & sdk_names)
        for path in sorted(PACKAGE.glob("*.py"))
        if path.name != "sdk.py"
    }

    assert {module: names for module, names in used.items() if names} == {}


def test_a_private_member_the_sdk_no_longer_has_is_named(monkeypatch):
    monkeypatch.delattr(Stream, "_write_activate_version_message")

    assert sdk.changed_members() == ["Stream._write_activate_version_message (singer_sdk) is gone"]


def test_a_private_member_whose_signature_changed_is_named(monkeypatch):
    def handle(self, signal_number, frame, reason):  # a new parameter
        pass

    monkeypatch.setattr(Tap, "_handle_termination", handle)

    [change] = sdk.changed_members()
    assert change.startswith("Tap._handle_termination (singer_sdk) now takes")
    assert "reason" in change


def test_instance_attributes_the_sdk_no_longer_sets_are_named(monkeypatch):
    original = Stream.__init__

    def init(self, *args, **kwargs):  # sets neither `_tap` nor `_stream_version` itself
        original(self, *args, **kwargs)

    monkeypatch.setattr(Stream, "__init__", init)

    assert sdk.changed_members() == [
        "Stream._tap (singer_sdk) is gone",
        "Stream._stream_version (singer_sdk) is gone",
    ]
