"""Workflows live in services, not views (STYLE.md, issue 28): no module of
views opens a transaction. A change that writes more than one row is a
service function that writes it, with its audit entry, in one transaction;
a view parses, checks, calls the service and answers. (Each request that
may change something also runs in one transaction of its own:
``accounts.audit.ChangeWithItsAuditMiddleware``.)"""

from __future__ import annotations

import ast
from pathlib import Path

import saferplaces

PACKAGE = Path(saferplaces.__file__).parent


def view_modules() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if path.name == "views.py" or "views" in path.relative_to(PACKAGE).parts[:-1]
    )


def atomic_uses(source: Path, root: Path = PACKAGE) -> list[str]:
    """Every ``atomic`` a module names (``transaction.atomic``, an imported
    ``atomic``, as a decorator or a ``with``), and every import of it."""
    found = []
    for node in ast.walk(ast.parse(source.read_text(), str(source))):
        named = (
            (isinstance(node, ast.Attribute) and node.attr == "atomic")
            or (isinstance(node, ast.Name) and node.id == "atomic")
            or (
                isinstance(node, ast.ImportFrom)
                and any(alias.name == "atomic" for alias in node.names)
            )
        )
        if named:
            found.append(f"{source.relative_to(root)}:{node.lineno}")
    return found


def test_the_view_modules_are_found():
    names = {str(path.relative_to(PACKAGE)) for path in view_modules()}
    assert {"cases/views.py", "partnership/views.py"} <= names


def test_no_view_opens_a_transaction():
    offenders = [use for path in view_modules() for use in atomic_uses(path)]
    assert offenders == []


def test_the_check_finds_each_way_of_writing_it(tmp_path):
    written = {
        "with transaction.atomic():\n    pass\n": 1,
        "@transaction.atomic\ndef f():\n    pass\n": 1,
        "from django.db.transaction import atomic\nwith atomic():\n    pass\n": 2,
        "# atomic, in a comment, is not a transaction\n": 0,
    }
    for number, (text, expected) in enumerate(written.items()):
        source = tmp_path / f"views_{number}.py"
        source.write_text(text)
        assert len(atomic_uses(source, tmp_path)) == expected, text
