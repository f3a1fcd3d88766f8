"""The command line's reference, docs/cli.md, written from the commands'
own help, so the page cannot drift from what ``saferplaces --help`` says.

Run ``python -m saferplaces.cli_reference > docs/cli.md`` after changing a
command; ``tests/config/test_cli_reference.py`` fails until it is run.
"""

from __future__ import annotations

import click

from saferplaces.cli import main

# The width help is wrapped to, whatever the terminal that writes the page.
WIDTH = 80


def reference() -> str:
    """Every command and group's ``--help``, in the order ``--help`` lists
    them, under a heading of its full name."""
    parts = [
        "# The command line\n",
        "Written from each command's own help by `python -m "
        "saferplaces.cli_reference > docs/cli.md`; a test checks it is up to date.\n",
    ]
    parts += _sections(main, ["saferplaces"], None)
    return "\n".join(parts)


def _sections(
    command: click.Command, names: list[str], parent: click.Context | None
) -> list[str]:
    settings = {**command.context_settings, "terminal_width": WIDTH}
    settings["max_content_width"] = WIDTH
    context = click.Context(command, info_name=names[-1], parent=parent, **settings)
    found = [f"## `{' '.join(names)}`\n", "```", command.get_help(context), "```\n"]
    if isinstance(command, click.Group):
        for name in command.list_commands(context):
            child = command.get_command(context, name)
            if child is not None and not child.hidden:
                found += _sections(child, [*names, name], context)
    return found


if __name__ == "__main__":
    click.echo(reference(), nl=False)
