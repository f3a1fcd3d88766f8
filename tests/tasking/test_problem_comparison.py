"""A problem-solving record's comparison (issue 26, fault 7): the rest of
the district by default, the target and its ring taken out; the ring
counted across the ward boundary; records saved before keep their whole
area comparison and the page says which comparison was used."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.tasking.models import ProblemSolving
from tests.analytics import hot_spot_record as hot_spot
from tests.factories import covering


@pytest.fixture
def analyst(db, settings, tmp_path, make_user):
    settings.DATA_DIR = tmp_path
    hot_spot.build_store(tmp_path)
    covering(hot_spot.DISTRICT)  # the analyst's partnership's own area
    return make_user(Role.ANALYST, username="ana")


def open_record(user, **fields):
    values = {
        "partnership": user.memberships.first().partnership,
        "title": "Burglary on the Oak and Elm boundary",
        "source": "street-crime",
        "area_code": hot_spot.OAK,
        "cells": [hot_spot.TARGET_CELL],
        "owner": user.agency,
        "response_starts": hot_spot.RESPONSE_STARTS,
        "assessment_months": hot_spot.MONTHS,
        **fields,
    }
    return ProblemSolving.objects.create(**values)


def page_of(client, record) -> str:
    return client.get(reverse("tasking:problem", args=[record.pk])).content.decode()


def cells_of(html: str, place: str) -> list[str]:
    row = html.split(f'<th scope="row" class="govuk-table__header">{place}</th>')[1]
    row = row.split("</tr>")[0]
    return [part.split(">")[1].split("<")[0] for part in row.split("<td")[1:]]


def test_a_new_record_compares_with_the_rest_of_the_district_by_default(
    client, analyst
):
    client.force_login(analyst)
    form = client.get(reverse("tasking:problem_new")).content.decode()
    assert '<option value="rest-of-district" selected>' in form
    assert "whole-area" not in form  # only records saved before offer it


def test_a_hot_spot_on_a_ward_boundary_is_set_against_the_rest_of_the_district(
    client, analyst
):
    # As typed before this change: the district named as the comparison.
    record = open_record(analyst, comparison_area=hot_spot.DISTRICT)
    client.force_login(analyst)
    html = page_of(client, record)
    assert cells_of(html, "Surrounding cells") == ["20", "12"]
    assert cells_of(html, "Comparison area") == ["60", "60"]
    assert "weighted displacement quotient 0.80" in html  # was 0.03
    assert "the rest of North district" in html


def test_a_record_saved_before_keeps_its_whole_area_comparison_and_says_so(
    client, analyst
):
    record = open_record(
        analyst, comparison_area=hot_spot.DISTRICT, compare_with="whole-area"
    )
    client.force_login(analyst)
    html = page_of(client, record)
    assert cells_of(html, "Comparison area") == ["100", "82"]
    assert "the whole of North district" in html
    assert "saved before" in html
    edit = client.get(reverse("tasking:problem_edit", args=[record.pk]))
    assert '<option value="whole-area" selected>' in edit.content.decode()


def test_the_migration_keeps_whole_area_comparisons_of_saved_records(analyst):
    chosen = open_record(analyst, comparison_area=hot_spot.DISTRICT)
    unchosen = open_record(analyst, comparison_area="")
    migration = importlib.import_module(
        "saferplaces.tasking.migrations.0002_problem_compare_with"
    )
    migration.keep_saved_comparisons(apps, None)
    chosen.refresh_from_db()
    unchosen.refresh_from_db()
    assert chosen.compare_with == "whole-area"  # as it was assessed
    assert unchosen.compare_with == "rest-of-district"  # never assessed


def test_the_rest_of_another_area_needs_that_area(client, analyst):
    client.force_login(analyst)
    data = {
        "title": "Burglary", "stage": "response", "owner": analyst.agency_id,
        "source": "street-crime", "area_code": hot_spot.OAK, "cells": "",
        "compare_with": "rest-of-area", "comparison_area": "",
        "assessment_months": "3",
    }  # fmt: skip
    refused = client.post(reverse("tasking:problem_new"), data)
    assert refused.status_code == 400
    assert "Choose the area to compare with" in refused.content.decode()
    saved = client.post(reverse("tasking:problem_new"), {**data, "compare_with": ""})
    assert saved.status_code == 400  # a choice is needed
