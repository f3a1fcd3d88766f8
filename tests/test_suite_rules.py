"""The suite's own rule: at most five test modules load the demo's whole plan,
by themselves or through a fixture (the hook in tests/conftest.py)."""

from __future__ import annotations

import importlib.util
from types import SimpleNamespace

import pytest

from tests import conftest

# Spelt in two parts, so that this module is not counted itself.
SEEDS = "from saferplaces.demo import seed\n\n" + "se" + "ed(data_dir)\n"
LOADS = "def plan():\n    load_demo" + "_plan()\n"


def _item(path, fixture=None) -> SimpleNamespace:
    definitions = {"plan": [SimpleNamespace(func=fixture)]} if fixture else {}
    return SimpleNamespace(
        nodeid=f"{path.name}::test_it",
        module=SimpleNamespace(__file__=str(path)),
        _fixtureinfo=SimpleNamespace(name2fixturedefs=definitions),
    )


def _module(path, text: str):
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_sixth_module_seeding_the_whole_plan_stops_the_run(tmp_path):
    items = []
    for n in range(6):
        path = tmp_path / f"test_seeding_{n}.py"
        path.write_text(SEEDS)
        items.append(_item(path))
    conftest._count_whole_plan_modules(items[:5])  # five may
    with pytest.raises(pytest.UsageError) as refused:
        conftest._count_whole_plan_modules(items)
    assert "6 test modules use the whole demo plan" in str(refused.value)
    assert "test_seeding_5.py" in str(refused.value)


def test_a_module_is_counted_through_the_fixture_it_uses(tmp_path):
    fixtures = _module(tmp_path / "fixtures_of_mine.py", LOADS)
    items = []
    for n in range(6):
        path = tmp_path / f"test_plain_{n}.py"
        path.write_text("def test_it(plan):\n    assert plan\n")
        items.append(_item(path, fixture=fixtures.plan))
    with pytest.raises(pytest.UsageError, match="6 test modules"):
        conftest._count_whole_plan_modules(items)
    # Without the fixture, none of them is.
    conftest._count_whole_plan_modules(
        [_item(tmp_path / f"test_plain_{n}.py") for n in range(6)]
    )


def test_building_with_factories_is_not_counted(tmp_path):
    items = []
    for n in range(6):
        path = tmp_path / f"test_small_{n}.py"
        path.write_text("from tests.factories import road_safety_plan\n")
        items.append(_item(path))
    conftest._count_whole_plan_modules(items)


def test_test_modules_import_shared_data_from_shared_modules_only():
    """Tests import what they share from tests.factories, tests.support and
    the like: never from another test module or a conftest."""
    import ast
    from pathlib import Path

    root = Path(__file__).parent
    stray = []
    # This module tests the conftest's hook, so it imports the conftest.
    for source in sorted(set(root.rglob("*.py")) - {Path(__file__)}):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            ours = [name.rsplit(".", 1)[-1] for name in names if name[:5] == "tests"]
            if any(part.startswith("test_") or part == "conftest" for part in ours):
                stray.append(f"{source.relative_to(root)}:{node.lineno}")
    assert stray == []
