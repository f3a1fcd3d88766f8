"""Shared fixtures: a person for every role, plus an anonymous visitor."""

from __future__ import annotations

from collections.abc import Callable

import factory
import pytest
from django.test import Client

from saferplaces.accounts.models import Agency, AgencyKind, Role, User

PASSWORD = "correct horse battery staple"
ANONYMOUS = "anonymous"
PERSONAS = [ANONYMOUS, *[role.value for role in Role]]


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
    role = Role.VIEWER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


@pytest.fixture(autouse=True)
def _fast_test_settings(settings):
    # Real hashing costs ~0.3 s a password; tests need no protection from it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The manifest storage needs collectstatic; tests read static via finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    def make(role: str = Role.VIEWER, **fields) -> User:
        fields.setdefault("username", f"{role}-user")
        return UserFactory(role=role, **fields)

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
