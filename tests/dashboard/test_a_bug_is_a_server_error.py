"""A bug under a measure's figures is a server error with a traceback in the
log, never a page with its table quietly missing (issue 28)."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.analytics.measures import series as series_engine
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.factories import covering
from tests.support import FEBRUARY, JANUARY

pytestmark = pytest.mark.django_db

AREA = "E01009002"  # an LSOA of the street crime fixtures
BUGS = [KeyError("planted"), ValueError("planted")]


@pytest.fixture
def analyst(settings, tmp_path, make_user) -> Client:
    settings.DATA_DIR = tmp_path
    run_load(Store(tmp_path / "store"), get_source("police-uk-street"),
             [JANUARY, FEBRUARY])  # fmt: skip
    covering(AREA)
    client = Client(raise_request_exception=False)
    client.force_login(make_user(Role.ANALYST))
    return client


def plant(monkeypatch, error: Exception) -> None:
    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(series_engine, "_monthly_counts", broken)


def test_the_measure_page_shows_its_table_without_a_bug(analyst):
    url = reverse("dashboard:measure", kwargs={"measure_id": "total-recorded-crime"})
    page = analyst.get(url, {"area": AREA})
    assert page.status_code == 200
    assert page.context["points"]


@pytest.mark.parametrize("error", BUGS)
def test_a_bug_under_the_measure_page_is_a_server_error(
    analyst, monkeypatch, caplog, error
):
    plant(monkeypatch, error)
    url = reverse("dashboard:measure", kwargs={"measure_id": "total-recorded-crime"})
    with caplog.at_level(logging.ERROR, logger="django.request"):
        page = analyst.get(url, {"area": AREA})
    assert page.status_code == 500
    assert b"planted" not in page.content  # never the error's text on a page
    logged = [r for r in caplog.records if r.name == "django.request"]
    assert any(r.exc_info and r.exc_info[0] is type(error) for r in logged)


@pytest.mark.parametrize("error", BUGS)
def test_a_bug_under_an_overview_card_is_a_server_error(analyst, monkeypatch, error):
    plant(monkeypatch, error)
    assert analyst.get(reverse("dashboard:overview")).status_code == 500
