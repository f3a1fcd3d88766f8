"""A bug under the API's figures is a server error, not a 400 saying the
question cannot be answered (issue 28)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from saferplaces.analytics.measures import series as series_engine
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import FEBRUARY, JANUARY

pytestmark = pytest.mark.django_db

SERIES = reverse("api:series", kwargs={"measure_id": "total-recorded-crime"})
AREA = "E01009002"  # an LSOA of the street crime fixtures


@pytest.fixture
def loaded(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    run_load(Store(tmp_path / "store"), get_source("police-uk-street"),
             [JANUARY, FEBRUARY])  # fmt: skip


@pytest.mark.parametrize("error", [KeyError("planted"), ValueError("planted")])
def test_a_bug_under_a_series_is_a_server_error(loaded, monkeypatch, error):
    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(series_engine, "_monthly_counts", broken)
    response = Client(raise_request_exception=False).get(SERIES, {"area": AREA})
    assert response.status_code == 500
    assert b"planted" not in response.content


def test_a_refused_question_is_still_a_400_in_words(loaded):
    response = Client().get(SERIES, {"area": "E05999999"})
    assert response.status_code == 400
    assert response.json()["detail"] == "No LSOAs are known for area 'E05999999'."
