"""Arrows point down (ARCHITECTURE.md, rules of direction; issue 28).

``ALLOWED`` is the table of which package of saferplaces may import which;
every import of every module, including imports inside functions, must be
an arrow in it, and no two packages may import each other, directly or
round a longer circle. ``[tool.importlinter]`` in pyproject.toml states the
same layers for ``lint-imports`` (make lint).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import saferplaces

PACKAGE = Path(saferplaces.__file__).parent

# The bottom layer: plain Python importing nothing of ours. ``service`` is
# the data folder's lock, which the server and a restore share.
BOTTOM = {"codes", "vocabulary", "service"}
# Django-free, over the analytic store. ingest writes into the store, so it
# imports analytics (the store, the perturbation keys); analytics never
# imports ingest.
ANALYTICS = BOTTOM | {"analytics"}
# The toolbox below the apps (downloads, the store handle, page cache,
# methods, limits, form fields, the area-code field) and optimistic locking.
BELOW_APPS = ANALYTICS | {"ingest", "lib", "versions"}
APPS = {"accounts", "partnership", "cases", "tasking", "dashboard", "api"}
ALLOWED: dict[str, set[str]] = {
    "codes": set(),
    "vocabulary": set(),
    "service": set(),
    "analytics": BOTTOM,
    "ingest": ANALYTICS,
    "lib": ANALYTICS,
    "versions": set(),
    # The apps, each above those it uses: accounts lowest, then the plan.
    "accounts": BELOW_APPS,
    "partnership": BELOW_APPS | {"accounts"},
    "cases": BELOW_APPS | {"accounts", "partnership"},
    "tasking": BELOW_APPS | {"accounts", "partnership"},
    "dashboard": BELOW_APPS | {"accounts", "partnership"},
    "api": BELOW_APPS | {"accounts", "partnership"},
    # On top: the site shell, the demo (which seeds every app), backups,
    # configuration, the command line and its generated reference.
    "web": BELOW_APPS | APPS,
    "demo": BELOW_APPS | APPS,
    "backup": BELOW_APPS | APPS,
    "config": BELOW_APPS | APPS | {"web"},
    "cli": BELOW_APPS | APPS | {"web", "demo", "backup", "config"},
    "cli_reference": {"cli"},
}
# What an app offers the apps above it; anything else is its own business.
PUBLIC = {
    "accounts": {"audit", "models", "permissions", "read_audit"},
    # areas: the partnership's areas, as every app's forms pick them.
    "partnership": {"areas", "authoring", "history", "models", "progress", "scope"},
}
for _app in APPS - PUBLIC.keys():
    PUBLIC[_app] = set()

DJANGO_FREE = ["analytics", "ingest", "codes", "vocabulary", "service"]


def _package_of(source: Path) -> str:
    """'analytics' for saferplaces/analytics/..., 'codes' for codes.py."""
    first = source.relative_to(PACKAGE).parts[0]
    return first.removesuffix(".py")


def _module_of(source: Path) -> list[str]:
    parts = list(source.relative_to(PACKAGE.parent).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _sources(package: str | None = None) -> Iterator[Path]:
    for source in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in source.parts or source == PACKAGE / "__init__.py":
            continue
        if package is None or _package_of(source) == package:
            yield source


def imports(source: Path) -> Iterator[tuple[int, str]]:
    """Every module ``source`` imports, at any depth (inside functions too),
    relative imports resolved."""
    here = _module_of(source)
    is_package = source.name == "__init__.py"
    for node in ast.walk(ast.parse(source.read_text(), str(source))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here if is_package else here[:-1]
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            yield node.lineno, module
            # "from saferplaces.partnership import scope" imports a module.
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"


def _ours(source: Path) -> Iterator[tuple[int, str, list[str]]]:
    for line, module in imports(source):
        parts = module.split(".")
        if parts[0] == "saferplaces" and len(parts) > 1:
            yield line, module, parts[1:]


def _arrows() -> dict[tuple[str, str], list[str]]:
    arrows: dict[tuple[str, str], list[str]] = {}
    for source in _sources():
        package = _package_of(source)
        for line, module, parts in _ours(source):
            target = parts[0]
            if target == package or target == "__version__":
                continue
            if (PACKAGE / target).is_dir() or (PACKAGE / f"{target}.py").exists():
                where = f"{source.relative_to(PACKAGE.parent)}:{line} {module}"
                arrows.setdefault((package, target), []).append(where)
    return arrows


def test_every_package_has_a_place_in_the_table():
    packages = {_package_of(source) for source in _sources()}
    assert packages == set(ALLOWED)


def test_every_import_is_an_arrow_the_table_allows():
    wrong = [
        f"{package} -> {target}: {where[0]}"
        for (package, target), where in sorted(_arrows().items())
        if target not in ALLOWED[package]
    ]
    assert wrong == []


def test_no_circle_between_packages():
    graph: dict[str, set[str]] = {}
    for package, target in _arrows():
        graph.setdefault(package, set()).add(target)
    circles = []
    for start in graph:
        # Depth first from start: a path back to it is a circle.
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in graph.get(node, ()):
                if nxt == start:
                    circles.append(" -> ".join([*path, start]))
                elif nxt not in path:
                    stack.append((nxt, [*path, nxt]))
    assert circles == []


def test_apps_use_only_each_others_public_modules():
    wrong = []
    for source in _sources():
        package = _package_of(source)
        if package not in APPS:
            continue
        for line, module, parts in _ours(source):
            other = parts[0] in APPS and parts[0] != package and len(parts) > 1
            if other and parts[1] not in PUBLIC[parts[0]] and _is_module(parts[:2]):
                wrong.append(f"{source.relative_to(PACKAGE)}:{line} {module}")
    assert wrong == []


def _is_module(parts: list[str]) -> bool:
    path = PACKAGE.joinpath(*parts)
    return path.is_dir() or path.with_suffix(".py").exists()


def test_the_table_points_down():
    """The table itself has no circle: each package's allowed targets allow
    nothing back."""
    back = [
        f"{package} <-> {target}"
        for package, targets in ALLOWED.items()
        for target in targets
        if package in ALLOWED.get(target, set())
    ]
    assert back == []


@pytest.mark.parametrize("layer", DJANGO_FREE)
def test_layer_never_imports_django(layer):
    offenders = [
        f"{source.name}:{line} imports {module}"
        for source in _sources(layer)
        for line, module in imports(source)
        if module.split(".")[0] == "django"
        or module.startswith(("saferplaces.config", "saferplaces.accounts"))
    ]
    assert offenders == []
