"""The JSON API: partners see every figure, everyone else the published ones."""

from __future__ import annotations

import io

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.analytics.measures import REGISTRY
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.conftest import ANONYMOUS
from tests.ingest.conftest import FEBRUARY, JANUARY

pytestmark = pytest.mark.django_db

SERIES = reverse("api:series", kwargs={"measure_id": "total-recorded-crime"})


@pytest.fixture
def loaded(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    run_load(
        Store(tmp_path / "store"), get_source("police-uk-street"), [JANUARY, FEBRUARY]
    )


def test_every_measure_is_listed_with_its_definition(client):
    body = client.get(reverse("api:measures")).json()
    assert [m["id"] for m in body] == sorted(REGISTRY)
    assert all(m["definition"] and m["unit"] for m in body)


def test_the_openapi_schema_is_valid_and_describes_the_series():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    series = schema["paths"]["/api/measures/{measure_id}/series/"]["get"]
    assert {p["name"] for p in series["parameters"]} >= {"area", "by", "group"}


def test_the_schema_is_served(client):
    response = client.get(reverse("api:schema"))
    assert response.status_code == 200
    assert b"openapi" in response.content


def test_partners_see_small_counts(loaded, client_as):
    body = client_as(Role.ANALYST).get(SERIES, {"area": "E01009002"}).json()
    assert body["public"] is False
    assert [(p["period"], p["numerator"]) for p in body["points"]] == [
        ("2024-01", 1),
        ("2024-02", 2),
    ]


def test_the_public_get_small_counts_withheld(loaded, client_as):
    body = client_as(ANONYMOUS).get(SERIES, {"area": "E01009002"}).json()
    assert body["public"] is True
    january = body["points"][0]
    assert january["suppressed"] is True
    assert january["value"] is january["numerator"] is january["lower"] is None


def test_bad_queries_are_clear_errors(loaded, client):
    assert client.get(SERIES).json() == {"area": ["This field is required."]}
    response = client.get(SERIES, {"area": "E01009002", "by": "fortnight"})
    assert response.status_code == 400
    assert "by" in response.json()
    unknown = client.get(SERIES, {"area": "E05999999"})
    assert unknown.status_code == 400
    assert "no LSOAs are known for area" in unknown.json()["detail"]
    nope = client.get(reverse("api:series", kwargs={"measure_id": "nope"}))
    assert nope.status_code == 404


def test_the_api_is_read_only(loaded, client_as):
    response = client_as(Role.ADMINISTRATOR).post(SERIES, {"area": "E01009002"})
    assert response.status_code in (403, 405)  # CSRF first, then no POST at all
