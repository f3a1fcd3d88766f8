"""What a newcomer saw on screen (issue 14), read back from the drawn pages
in chromium: each assertion names the fault it would have caught."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from tests.browser.support import axe_violations, sign_in_as
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAN = "birmingham-south-2014-15"
ACTION = f"/plan/actions/{PLAN}-3-1-1/"


def main_text(page) -> str:
    return page.locator("main").inner_text()


def test_an_analyst_reads_plain_pages(page, live_server, seeded_plan):
    sign_in_as(page, live_server, UserFactory(role=Role.ANALYST, username="an"))
    for url in (reverse("dashboard:overview"), reverse("dashboard:map")):
        page.goto(url)
        # The synthetic-data label was missing on the dashboard and map.
        assert page.get_by_test_id("synthetic-data").is_visible(), url
        text = main_text(page)
        # Labels ran words together: the templates stripped underscores.
        for joined in ("commoncause", "improvementlow", "By crimetype"):
            assert joined not in text, (url, joined)
        # Counts carried decimals ("805.0 crimes").
        assert not re.search(r"\d\.0 crimes", text), url
    page.goto(reverse("dashboard:overview"))
    text = main_text(page)
    # The overview left out priorities 1, 4 and 5.
    for number in range(1, 6):
        assert re.search(rf"\b{number}\. [A-Z]", text), number
    # "(a real change)" beside "common cause", with no word on the two tests.
    assert page.get_by_text("Why a card can say").is_visible()
    # The map had no area labels.
    page.goto(reverse("dashboard:map"))
    assert page.locator(".leaflet-tooltip, .app-map-label").count() > 0
    # The default comparison read "lowest of 1 partnerships".
    page.goto(
        reverse("dashboard:measure", kwargs={"measure_id": "total-recorded-crime"})
    )
    text = main_text(page)
    assert "of 1 partnerships" not in text
    # "Data loaded" listed 5 of 60 files.
    loaded = page.locator("dt", has_text="Data loaded").locator("xpath=..").inner_text()
    assert re.search(r"\d+ files", loaded), loaded


def test_the_plan_pages_name_things_and_link_measures(page, live_server, seeded_plan):
    viewer = UserFactory(role=Role.VIEWER, username="vi")
    sign_in_as(page, live_server, viewer)
    page.goto(ACTION)
    text = main_text(page)
    # Raw codes where names belong ("Target areas SYN-D03").
    target_row = page.locator("dt", has_text="Target areas").locator("xpath=..")
    assert "Selly Oak" in target_row.inner_text()
    # Outcome measures on the action page were not links.
    measures = page.locator("dt", has_text="Outcome measures").locator("xpath=..")
    assert measures.get_by_role("link").count() >= 1
    # Viewers got no word on why they could not post an update.
    why = page.get_by_test_id("why-no-update").inner_text()
    assert "posted by the lead and members of the Road Safety" in why
    assert page.get_by_role("button", name="Post update").count() == 0
    # An ended plan was "overdue by a decade": it is judged on its last day.
    assert "This plan ended on 31 March 2015" in text
    # The progress table ran out of its column: it scrolls in its own box.
    page.goto(reverse("partnership:progress"))
    column = page.locator("main").bounding_box()
    for box in page.locator(".app-table-scroll").all():
        assert box.bounding_box()["width"] <= column["width"] + 1
    # One body had three names: the header and the plan agree.
    header = page.locator("header").inner_text()
    assert "Birmingham South Local Delivery Group" in header
    assert axe_violations(page) == []


def test_a_resident_finds_their_ward_by_postcode(page, live_server, seeded_plan):
    """A postcode gave an error (issue 14)."""
    page.goto(
        reverse("dashboard:neighbourhood", kwargs={"slug": "birmingham-south-ldg"})
    )
    hint = page.locator("#place-hint").inner_text()
    postcode = re.search(r"ZZ\d+ \d[A-Z]{2}", hint).group(0)
    page.get_by_label("Type your postcode or the name of your area").fill(
        postcode.lower().replace(" ", "")
    )
    page.get_by_role("button", name="Show my area").click()
    page.wait_for_url(re.compile(r".*/neighbourhood/E\d+/$"))
    assert page.get_by_test_id("synthetic-data").is_visible()
    page.goto(
        reverse("dashboard:neighbourhood", kwargs={"slug": "birmingham-south-ldg"})
    )
    page.get_by_label("Type your postcode or the name of your area").fill("B29 6BD")
    page.get_by_role("button", name="Show my area").click()
    page.get_by_text("There is a problem").wait_for()
    assert (
        page.get_by_label("Type your postcode or the name of your area").input_value()
        == "B29 6BD"
    )
    assert axe_violations(page) == []


def test_a_manager_writes_the_plan_and_sees_the_change_kept(
    page, live_server, seeded_plan
):
    manager = UserFactory(role=Role.ADMINISTRATOR, username="manager")
    sign_in_as(page, live_server, manager)
    page.goto(reverse("partnership:plan"))
    page.get_by_role("link", name=re.compile("^Change the plan")).click()
    page.get_by_label("Title", exact=True).fill("Reducing reoffending")
    page.get_by_label("Number").fill("1")  # taken
    page.get_by_role("button", name="Add the priority").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "The plan has a priority 1 already." in summary.inner_text()
    # What was typed is kept, and the summary's link goes to the field.
    assert (
        page.get_by_label("Title", exact=True).input_value() == "Reducing reoffending"
    )
    assert axe_violations(page) == []
    page.get_by_label("Number").fill("6")
    delivering = page.get_by_role("group", name="Groups that deliver it (optional)")
    delivering.get_by_label("Road Safety Tasking Group").check()
    page.get_by_role("button", name="Add the priority").click()
    page.get_by_text("Your change has been saved.").wait_for()
    changes = page.get_by_test_id("changes").inner_text()
    assert "manager: Priority added: Reducing reoffending" in changes
    page.get_by_role("link", name=re.compile("^Change priority 6")).click()
    page.get_by_label("Number, e.g. 3.1.4").fill("6.1")
    page.get_by_label("What the action is").fill("Offender management panel")
    page.get_by_label("Group that delivers it").select_option(
        label="Road Safety Tasking Group"
    )
    page.get_by_label("Starts (YYYY-MM-DD)").fill("2014-06-01")
    page.get_by_label("Due (YYYY-MM-DD)").fill("2015-03-31")
    page.get_by_role("button", name="Add the action").click()
    page.get_by_text("Your change has been saved.").wait_for()
    assert page.get_by_role("link", name="Change action 6.1").is_visible()
    assert axe_violations(page) == []
