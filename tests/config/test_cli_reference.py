"""docs/cli.md is the commands' own help, up to date (issue 28)."""

from __future__ import annotations

from pathlib import Path

import click

from saferplaces.cli import main
from saferplaces.cli_reference import reference

PAGE = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_the_page_is_the_commands_own_help():
    assert PAGE.read_text() == reference(), (
        "run: python -m saferplaces.cli_reference > docs/cli.md"
    )


def test_every_command_has_its_section():
    def names(command: click.Command, path: list[str]) -> list[str]:
        found = [" ".join(path)]
        if isinstance(command, click.Group):
            for name, child in command.commands.items():
                if not child.hidden:
                    found += names(child, [*path, name])
        return found

    page = PAGE.read_text()
    missing = [
        name for name in names(main, ["saferplaces"]) if f"## `{name}`" not in page
    ]
    assert missing == []
