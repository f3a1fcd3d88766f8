"""A district tasking group's journey in chromium (issue 15): open the
pack, see the hot cells on the map, open a problem-solving record from one,
and read its assessment."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from tests.browser.support import axe_violations, sign_in_as
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_the_pack_to_a_record_of_what_worked(page, live_server, road_plan):
    lead = UserFactory(role=Role.GROUP_LEAD, username="lead")
    sign_in_as(page, live_server, lead)
    page.goto(reverse("tasking:choose"))
    page.get_by_label("Area").select_option(label="Selly Oak district (district)")
    page.get_by_label("From (YYYY-MM, optional)").fill("2014-04")
    page.get_by_label("To (YYYY-MM, optional)").fill("2015-03")
    page.get_by_role("button", name="Show the pack").click()
    page.wait_for_url(re.compile(r".*/tasking/SYN-D03/\?.*"))
    # The map draws its cells, hot ones darkest, from the same figures.
    page.wait_for_selector(".leaflet-container path.app-bin-4")
    hot_on_map = page.locator(".leaflet-container path.app-bin-4").count()
    hot_in_table = page.get_by_test_id("hot-cells").locator("tbody tr").count()
    assert hot_on_map >= min(hot_in_table, 15) > 0
    assert axe_violations(page) == []

    page.get_by_test_id("hot-cells").get_by_role(
        "link", name=re.compile("Open a problem-solving record")
    ).first.click()
    page.get_by_label("What the problem is").fill("Burglary in the student area")
    page.get_by_label("Agency that owns it").select_option(index=1)
    # The rest of the district is offered first; here another area.
    page.get_by_label("Compare with").select_option(label="The rest of another area")
    # The area is picked from the partnership's areas (issue 30, fault 9):
    # typing part of a name offers the areas that hold it.
    comparison = page.get_by_label("Comparison area (for another area)")
    comparison.fill("northf")
    page.get_by_role("option", name="Northfield district (district)").click()
    assert comparison.input_value() == "Northfield district (district)"
    page.get_by_label("Response starts (YYYY-MM, optional)").fill("2014-13")
    page.get_by_role("button", name="Save the record").click()
    page.get_by_text("There is a problem").wait_for()
    # The picked area is kept, as a picker at phone width as at desk width.
    assert comparison.input_value() == "Northfield district (district)"
    comparison.fill("Selly")
    page.get_by_role("option", name="Selly Oak (ward)").wait_for()
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        assert axe_violations(page) == []
    comparison.fill("Northfield district (district)")
    page.get_by_label("Response starts (YYYY-MM, optional)").fill("2014-10")
    page.get_by_role("button", name="Save the record").click()
    page.get_by_test_id("assessment").wait_for()
    main = page.locator("main").inner_text()
    assert "Surrounding cells" in main
    assert "the rest of Northfield district" in main
    assert axe_violations(page) == []
