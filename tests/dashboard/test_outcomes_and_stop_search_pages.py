"""Outcome and stop and search measures on the dashboard and in the API, on
the SYNTHETIC demo (its outcomes and stop and search files)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.analytics.measures.outcomes import PROVISIONAL_MONTHS
from saferplaces.demo.partnership import FORCE_AREA


@pytest.fixture
def analyst(client, demo_data, settings, make_user):
    settings.DATA_DIR = demo_data
    settings.DASHBOARD_AREA = "SYN-PARTNERSHIP"
    client.force_login(make_user(Role.ANALYST))
    return client


def page_of(measure: str, **query: str) -> str:
    url = reverse("dashboard:measure", kwargs={"measure_id": measure})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_an_outcome_page_states_the_outcome_lag(analyst):
    charged = "outcome-charged-or-summonsed"
    page = analyst.get(page_of(charged, area="SYN-D03", by="year"))
    assert page.status_code == 200
    assert page.context["points"], page.context["problem"]
    html = page.content.decode()
    assert f"latest {PROVISIONAL_MONTHS} months of crimes are provisional" in html


def test_the_stop_search_page_opens_on_the_force_with_its_rates_table(analyst):
    page = analyst.get(page_of("stop-searches", by="year"))
    assert page.status_code == 200
    assert page.context["area"].code == FORCE_AREA
    assert page.context["points"], page.context["problem"]
    rates = {rate.group: rate for rate in page.context["search_rates"].rates}
    # The demo plants about three times White's rate for Black residents.
    assert rates["Black"].against_white.lower > 1
    assert "Rate against White (95% interval)" in page.content.decode()


def test_stop_search_for_a_district_says_it_is_counted_for_forces(analyst):
    page = analyst.get(page_of("stop-searches", area="SYN-D03"))
    assert page.status_code == 200
    assert f"Forces loaded: {FORCE_AREA}" in page.context["problem"]


def test_the_api_gives_a_forces_searches_to_anyone_exactly(client, demo_data, settings):
    settings.DATA_DIR = demo_data
    url = reverse("api:series", kwargs={"measure_id": "stop-search-arrest"})
    body = client.get(url, {"area": FORCE_AREA, "by": "year"}).json()
    assert body["points"], body
    assert {row["treatment"] for row in body["points"]} == {"open"}
    assert body["measure"]["counted_at"] == "force"
