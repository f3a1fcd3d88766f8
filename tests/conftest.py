"""Shared fixtures: a person for every role, a site administrator, and an
anonymous visitor; the demo's store; and the count of modules that seed
the whole demo plan."""

from __future__ import annotations

import functools
import importlib
import inspect
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from saferplaces.accounts.models import Role, User
from tests.factories import (
    ANONYMOUS,
    UserFactory,
)
from tests.support import ON_POSTGRES


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory):
    """The SYNTHETIC demo's files and store, built once for the whole run,
    and the reports of its loads."""
    from saferplaces.demo import build_demo

    folder = tmp_path_factory.mktemp("demo")
    return folder, build_demo(folder)


@pytest.fixture(scope="session")
def demo_data(demo_build):
    """The SYNTHETIC demo's files and store, built once for the whole run.
    Tests read it; one that loads more works on a copy."""
    return demo_build[0]


# The audit log's guard against deletion, paused and put back around a test
# whose rows are committed (tests/test_backup.py, tests/cases).
RETENTION = importlib.import_module(
    "saferplaces.accounts.migrations.0007_audit_retention"
)
TABLE = "accounts_auditevent"


@pytest.fixture
def audit_guard_back_after_flush(django_db_blocker):
    """Requested before the database: its teardown runs after the test
    database is emptied, and puts back the guard paused for that."""
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for statement in RETENTION.SQLITE:
                cursor.execute(statement)
        else:
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")


@pytest.fixture
def committed_db(audit_guard_back_after_flush, transactional_db):
    """Committed rows (pg_dump and pg_restore see only those). Emptying the
    test database afterwards deletes audit entries, which the database
    refuses: the guard is paused for the flush, and put back after it."""
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_delete")
        else:
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")


@pytest.fixture(autouse=True)
def _fast_test_settings(settings):
    # Real hashing costs ~0.3 s a password; tests need no protection from it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Read entries written at once, so a test sees them (test_read_audit
    # tests the batches).
    settings.AUDIT_READ_BATCH_SECONDS = 0
    # Abuse limits counted afresh for each test, never in a file that
    # outlives the run (tests/web/test_abuse_limits.py tests the shared ones).
    settings.CACHES = {
        **settings.CACHES,
        # Kept pages in this process alone, emptied below for each test (the
        # shared one is tested in tests/dashboard/test_dashboard_warmed_by_load.py).
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "limits": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "saferplaces-test-limits",
        },
    }
    from django.core.cache import caches

    caches["limits"].clear()
    # Kept pages are keyed by database ids, which the next test reuses.
    caches["default"].clear()
    # The manifest storage needs collectstatic; tests read static via finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    def make(role: str = Role.VIEWER, partnerships=None, **fields) -> User:
        fields.setdefault("username", f"{role}-user")
        return UserFactory(role=role, role__partnerships=partnerships, **fields)

    return make


@pytest.fixture
def client_as(make_user) -> Callable[[str], Client]:
    """A test client signed in as a persona (or anonymous)."""

    def make(persona: str) -> Client:
        client = Client()
        if persona != ANONYMOUS:
            client.force_login(make_user(persona))
        return client

    return make


# Fixtures through which a test reaches the database (pytest-django refuses
# any other access, so a test without one cannot touch it in this process).
DATABASE_FIXTURES = frozenset({
    "db", "transactional_db", "django_db_reset_sequences",
    "django_db_serialized_rollback", "live_server",
})  # fmt: skip


# The demo's whole plan (saferplaces.demo.seed, the seed plan file, or its
# loader) is for the few tests that need all of it: the demo's own, the
# permission matrix and the browser's. Every other test builds what it needs
# with tests/factories.py, which is quicker and says what the test is about.
WHOLE_PLAN_MODULES = 5
SEEDS_THE_WHOLE_PLAN = re.compile(
    r"\bload_demo_plan\b|\bDEMO_PLAN\b|\bdemo\.seed\(|(?<![\w.])(?<!def )seed\("
)


def _count_whole_plan_modules(items) -> None:
    """At most WHOLE_PLAN_MODULES test modules use the whole demo plan, by
    themselves or through a fixture; more stops the run, naming them."""
    users = sorted({item.nodeid.split("::")[0] for item in items if _seeds(item)})
    if len(users) > WHOLE_PLAN_MODULES:
        raise pytest.UsageError(
            f"{len(users)} test modules use the whole demo plan (at most "
            f"{WHOLE_PLAN_MODULES} may; build what a test needs with "
            "tests/factories.py instead):\n  " + "\n  ".join(users)
        )


def _seeds(item) -> bool:
    """Whether ``item``'s module, or a fixture it uses, seeds the whole plan."""
    if SEEDS_THE_WHOLE_PLAN.search(_source_of(getattr(item, "module", None))):
        return True
    info = getattr(item, "_fixtureinfo", None)
    for definitions in info.name2fixturedefs.values() if info else ():
        for definition in definitions:
            if SEEDS_THE_WHOLE_PLAN.search(_fixture_source(definition.func)):
                return True
    return False


@functools.cache
def _fixture_source(func) -> str:
    try:
        return inspect.getsource(func)
    except (OSError, TypeError):  # a fixture of pytest's or a plugin's
        return ""


def pytest_collection_modifyitems(config, items):
    """Too many modules using the whole demo plan stop the run. The
    PostgreSQL leg of `make test` runs the tests that reach the
    database: the rest (the analytic engine, ingest, risk arithmetic) would
    only repeat the SQLite leg's work. A test module that starts the app in
    another process names DATABASE_URL, and is kept."""
    _count_whole_plan_modules(items)
    if not ON_POSTGRES:
        return
    kept, repeated = [], []
    for item in items:
        (kept if _reaches_the_database(item) else repeated).append(item)
    if repeated:
        config.hook.pytest_deselected(items=repeated)
        items[:] = kept


def _reaches_the_database(item) -> bool:
    if item.get_closest_marker("django_db") is not None:
        return True
    if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    return "DATABASE_URL" in _source_of(item.module)


def _source_of(module) -> str:
    path = getattr(module, "__file__", None)
    return _read(path) if path else ""


@functools.cache
def _read(path: str) -> str:
    return Path(path).read_text()
