"""Shared fixtures: a person for every role, a site administrator, and an
anonymous visitor."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path

import factory
import pytest
from django.test import Client

from saferplaces.accounts.models import Agency, AgencyKind, Membership, Role, User

PASSWORD = "correct horse battery staple"
ANONYMOUS = "anonymous"
# Runs the installation; holds no role in any partnership.
SITE_ADMIN = "site_administrator"
PERSONAS = [ANONYMOUS, SITE_ADMIN, *[role.value for role in Role]]


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.COUNCIL


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    agency = factory.SubFactory(AgencyFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    @factory.post_generation
    def role(obj, create, extracted, partnerships=None, **kwargs):
        """``role=`` a role held in ``role__partnerships`` (by default every
        partnership there is, or a test partnership when there is none), or
        SITE_ADMIN for a site administrator with no membership."""
        if not create:
            return
        if extracted == SITE_ADMIN:
            obj.is_site_administrator = True
            obj.save()
            return
        for partnership in partnerships or _every_partnership():
            Membership.objects.get_or_create(
                user=obj,
                partnership=partnership,
                defaults={"role": extracted or Role.VIEWER},
            )


def _every_partnership():
    from saferplaces.partnership.models import Partnership

    return list(Partnership.objects.all()) or [
        Partnership.objects.get_or_create(
            slug="test-partnership", defaults={"name": "Test partnership"}
        )[0]
    ]


def covering(*codes: str) -> None:
    """Give every partnership there is (or the test partnership) the areas
    ``codes``: its members see exact figures for what lies inside them."""
    from saferplaces.partnership.models import PartnershipArea

    for partnership in _every_partnership():
        for code in codes:
            PartnershipArea.objects.get_or_create(partnership=partnership, code=code)


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory):
    """The SYNTHETIC demo's files and store, built once for the whole run.
    Tests read it; one that loads more works on a copy."""
    from saferplaces.demo import build_demo

    folder = tmp_path_factory.mktemp("demo")
    build_demo(folder)
    return folder


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


ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
# A test of serving or of files that runs the same without a database
# (a server it starts uses embedded SQLite whatever the leg): once is enough.
SQLITE_LEG_ONLY = pytest.mark.skipif(
    ON_POSTGRES, reason="serving and files, not the database: runs on the SQLite leg"
)
# Fixtures through which a test reaches the database (pytest-django refuses
# any other access, so a test without one cannot touch it in this process).
DATABASE_FIXTURES = frozenset({
    "db", "transactional_db", "django_db_reset_sequences",
    "django_db_serialized_rollback", "live_server",
})  # fmt: skip


def pytest_collection_modifyitems(config, items):
    """The PostgreSQL leg of `make test` runs the tests that reach the
    database: the rest (the analytic engine, ingest, risk arithmetic) would
    only repeat the SQLite leg's work. A test module that starts the app in
    another process names DATABASE_URL, and is kept."""
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
