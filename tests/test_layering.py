"""analytics and ingest stay free of Django (ARCHITECTURE.md, rules of direction)."""

import ast
from pathlib import Path

import pytest

import saferplaces

PACKAGE = Path(saferplaces.__file__).parent


@pytest.mark.parametrize("layer", ["analytics", "ingest"])
def test_layer_never_imports_django(layer):
    offenders = []
    for source in (PACKAGE / layer).rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{source.name}:{node.lineno} imports {name}"
                for name in names
                if name.split(".")[0] == "django"
                or name.startswith(("saferplaces.config", "saferplaces.accounts"))
            ]
    assert offenders == []
