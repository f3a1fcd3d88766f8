"""A new installation before its first load (issue 29, finding 10): the map
page printed DuckDB's "Catalog Error: Table with name street_crime does not
exist!" and the tasking pack was a bare "Page not found". Each says what to
load instead."""

from __future__ import annotations

import pytest
from django.test import Client

from saferplaces.accounts.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(settings, tmp_path) -> Client:
    settings.DATA_DIR = tmp_path  # an empty store: nothing loaded yet
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(role=Role.ANALYST, username="analyst"))
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/map/",
        "/dashboard/map/?measure=total-recorded-crime&within=E08000025",
        "/tasking/E08000025/",
    ],
)
def test_a_page_before_the_first_load_says_what_to_load(analyst, url):
    response = analyst.get(url)
    text = response.content.decode()
    assert "Catalog Error" not in text
    assert "does not exist" not in text
    assert response.status_code in {200, 400}, (response.status_code, text[:300])
    assert "load" in text.lower(), text[:500]
