"""Every command the README shows works as written in this project: make targets exist,
programs and files are where it says, every `meltano invoke` names a plugin command of
meltano.yml, and every `meltano run` names plugins, jobs and an environment that
Meltano resolves (checked with `meltano run --dry-run`)."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
import yaml

from tests.conftest import run_in_project

ROOT = Path(__file__).parents[1]
SHELL_BLOCK = re.compile(r"^```(?:sh|bash|console)\n(.*?)^```", re.M | re.S)


def readme_commands() -> list[list[str]]:
    """Each command line of the README's shell blocks, as words, with comments and
    variable assignments left out."""
    commands = []
    for block in SHELL_BLOCK.findall((ROOT / "README.md").read_text()):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            while words and (words[0] == "export" or re.match(r"\w+=", words[0])):
                words = words[1:]
            if words:
                commands.append(words)
    return commands


COMMANDS = readme_commands()


def make_targets() -> set[str]:
    return set(re.findall(r"^([\w-]+):", (ROOT / "Makefile").read_text(), re.M))


def plugin_commands() -> set[str]:
    """`plugin:command` for every command of every plugin in meltano.yml."""
    plugins = yaml.safe_load((ROOT / "meltano.yml").read_text())["plugins"]
    return {
        f"{plugin['name']}:{command}"
        for kind in plugins.values()
        for plugin in kind
        for command in plugin.get("commands", {})
    }


@pytest.mark.parametrize("words", COMMANDS, ids=shlex.join)
def test_the_readme_command_works_as_written(words: list[str]):
    program = words[0]
    if program == "make":
        assert set(words[1:]) <= make_targets()
        return
    if program == "cp":
        assert all((ROOT / source).exists() for source in words[1:-1])
        return
    assert (ROOT / program).exists(), program
    if Path(program).name == "meltano" and "invoke" in words:
        assert words[words.index("invoke") + 1] in plugin_commands()
    if Path(program).name == "meltano" and "run" in words:
        at = words.index("run") + 1
        # Meltano's dry run resolves plugins and jobs, not a plugin's command names.
        assert {block for block in words[at:] if ":" in block} <= plugin_commands()
        dry_run = [str(ROOT / program), *words[1:at], "--dry-run", *words[at:]]
        env = {**os.environ, "MELTANO_CLI_DISABLE_VERSION_CHECK": "true"}
        answer = run_in_project(env, *dry_run)
        assert answer.returncode == 0, answer.stderr[-2000:]
