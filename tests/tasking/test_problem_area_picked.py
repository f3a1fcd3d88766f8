"""A problem-solving record's areas are picked from the partnership's areas
(issue 30, fault 9: a record saved "Northfield" as its comparison area and
then could not be assessed: "no LSOAs are known within Northfield")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.tasking.models import ProblemSolving
from tests.analytics import hot_spot_record as hot_spot
from tests.factories import covering

# A district of the partnership named as one word, as the demo's were typed.
NORTHFIELD = """areas:
  - {code: ANY-NF, name: Northfield, level: district, contains: [E05900002]}
"""


@pytest.fixture
def analyst(db, settings, tmp_path, make_user):
    settings.DATA_DIR = tmp_path
    northfield = tmp_path / "northfield.yaml"
    northfield.write_text(NORTHFIELD)
    hot_spot.build_store(tmp_path, more_geography=[northfield])
    covering(hot_spot.DISTRICT)
    return make_user(Role.ANALYST, username="ana")


def typed(analyst, **changes) -> dict[str, object]:
    return {
        "title": "Burglary by the Oak Ward shops", "stage": "response",
        "owner": analyst.agency_id, "source": "street-crime",
        "area_code": hot_spot.OAK, "cells": hot_spot.TARGET_CELL,
        "compare_with": "rest-of-area", "comparison_area": "Northfield",
        "response_starts": hot_spot.RESPONSE_STARTS,
        "assessment_months": str(hot_spot.MONTHS), **changes,
    }  # fmt: skip


def test_a_record_compared_with_northfield_by_name_is_assessed(client, analyst):
    client.force_login(analyst)
    saved = client.post(reverse("tasking:problem_new"), typed(analyst))
    assert saved.status_code == 302
    record = ProblemSolving.objects.get()
    assert record.comparison_area == "ANY-NF"
    page = client.get(saved["Location"]).content.decode()
    assert "no LSOAs are known" not in page
    assert 'data-testid="assessment"' in page
    assert "the rest of Northfield" in page


def test_the_records_area_is_taken_by_name_too(client, analyst):
    client.force_login(analyst)
    saved = client.post(
        reverse("tasking:problem_new"), typed(analyst, area_code="oak ward")
    )
    assert saved.status_code == 302
    assert ProblemSolving.objects.get().area_code == hot_spot.OAK


def test_an_unknown_comparison_area_is_refused_and_kept_as_typed(client, analyst):
    client.force_login(analyst)
    refused = client.post(
        reverse("tasking:problem_new"), typed(analyst, comparison_area="Northfeld")
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Northfeld is not one of the partnership&#x27;s areas" in html
    assert "did you mean Northfield" in html
    assert 'value="Northfeld"' in html
    assert not ProblemSolving.objects.exists()
