"""Problem-solving records (issue 15): opened from a hot spot, worked
through SARA, and assessed from the data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.analytics import geography
from saferplaces.analytics.store import Store
from saferplaces.partnership.models import Partnership
from saferplaces.tasking.models import ProblemSolving
from tests.factories import road_safety_plan


@pytest.fixture
def site(db, settings, demo_data, tmp_path):
    settings.DATA_DIR = demo_data
    settings.MEDIA_ROOT = tmp_path / "uploads"
    road_safety_plan()
    store = Store(demo_data / "store")
    wards = {a.name: a.code for a in geography.areas_of_level(store, "ward")}
    districts = {a.name: a.code for a in geography.areas_of_level(store, "district")}
    northfield = next(c for n, c in districts.items() if "Northfield" in n)
    return {"bournville": wards["Bournville"], "northfield": northfield}


def typed(site, **changes):
    data = {
        "title": "ASB around the Bournville shops", "stage": "response",
        "owner": "", "source": "street-crime", "kind": "Anti-social behaviour",
        "area_code": site["bournville"], "cells": "",
        "compare_with": "rest-of-area", "comparison_area": site["northfield"],
        "response": "Patrols and CCTV.",
        "response_starts": "2014-04", "assessment_months": "12",
    }  # fmt: skip
    data.update(changes)
    return data


def test_a_group_lead_opens_a_record_and_sees_whether_it_worked(
    client, site, make_user
):
    lead = make_user(Role.GROUP_LEAD, username="lead")
    client.force_login(lead)
    url = reverse("tasking:problem_new")
    form = client.get(url, {"area": site["bournville"], "source": "street-crime"})
    # Prefilled, shown by its name in the partnership's list of areas.
    assert 'value="Bournville (ward)"' in form.content.decode()
    refused = client.post(url, typed(site, owner=lead.agency_id,
                                     response_starts="2014-4"))  # fmt: skip
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "There is a problem" in html
    assert "Enter a month as YYYY-MM" in html
    assert "Patrols and CCTV." in html  # kept as typed
    done = client.post(url, typed(site, owner=lead.agency_id))
    assert done.status_code == 302
    record = ProblemSolving.objects.get()
    page = client.get(done["Location"]).content.decode()
    assessment = page.split('data-testid="assessment">')[1].split("</")[0]
    assert "more than chance" in assessment  # the planted drop from April 2014
    assert "lead: Record added" in page
    assert record.created_by == lead


def test_hot_spot_cells_are_assessed_with_their_surroundings(client, site, make_user):
    analyst = make_user(Role.ANALYST, username="ana")
    client.force_login(analyst)
    data = typed(site, owner=analyst.agency_id, cells="404000-281000, 404250-281000")
    done = client.post(reverse("tasking:problem_new"), data)
    assert done.status_code == 302
    page = client.get(done["Location"]).content.decode()
    assert "Surrounding cells" in page
    bad = client.post(reverse("tasking:problem_new"), {**data, "cells": "nowhere"})
    assert "is not a cell" in bad.content.decode()


def test_a_viewer_reads_but_cannot_open_or_change(client, site, make_user):
    viewer = make_user(Role.VIEWER, username="vi")
    record = ProblemSolving.objects.create(
        partnership=Partnership.objects.get(slug="birmingham-south-ldg"),
        title="Speeding",
        source="concerns", area_code="SYN-D03", owner=viewer.agency,
    )  # fmt: skip
    client.force_login(viewer)
    assert client.get(reverse("tasking:problem_new")).status_code == 403
    assert client.get(reverse("tasking:problem", args=[record.pk])).status_code == 200
    edit = reverse("tasking:problem_edit", args=[record.pk])
    assert client.post(edit, typed(site, title="Changed")).status_code == 403
    record.refresh_from_db()
    assert record.title == "Speeding"


def test_an_assessment_waits_for_its_follow_up_data(client, site, make_user):
    analyst = make_user(Role.ANALYST, username="ana")
    client.force_login(analyst)
    data = typed(site, owner=analyst.agency_id, response_starts="2015-10")
    done = client.post(reverse("tasking:problem_new"), data)
    page = client.get(done["Location"]).content.decode()
    assert "Come back after the next load." in page
