"""Someone else saves an action while it is open in the browser (issue 27,
finding 7): the save is refused on a page that says who and what, keeps
what was typed, and passes axe. And a plan copied forward in the browser
keeps its targets and evaluations (issue 30)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.partnership.models import Action
from tests.browser.support import axe_violations, sign_in_as
from tests.factories import UserFactory, road_safety_plan, small_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_change_saved_meanwhile_is_shown_not_saved_over(page, live_server):
    small_plan()
    me = UserFactory(role=Role.ADMINISTRATOR, username="me")
    them = UserFactory(role=Role.ADMINISTRATOR, username="them", first_name="Tam")
    sign_in_as(page, live_server, me)
    page.goto(reverse("partnership:action_edit", args=["plan-2014-15-3-1"]))
    page.get_by_label("What the action is").fill("Enforce at five schools")

    action = Action.objects.get()
    action.text = "Enforce at every school"
    action._history_user = them  # as the history middleware records a person
    action.save()

    page.get_by_role("button", name="Save the details").click()
    stale = page.get_by_test_id("stale")
    stale.wait_for()
    said = stale.inner_text()
    assert "Someone else changed this action while you had it open" in said
    assert "Tam saved a change" in said
    assert "What the action is: now Enforce at every school" in said
    typed = page.get_by_label("What the action is").input_value()
    assert typed == "Enforce at five schools"
    assert page.title().startswith("Error: ")
    assert Action.objects.get().text == "Enforce at every school"
    assert axe_violations(page) == []


def test_the_manager_copies_the_plan_forward_and_every_target_and_evaluation_is_there(
    page, live_server
):
    """Issue 30's done-when: copying the 2014/15 plan forward in the browser
    keeps action 3.1.1's KSI target, its evaluation and its unmet milestone."""
    built = road_safety_plan()
    manager = UserFactory(role=Role.ADMINISTRATOR, username="manager")
    sign_in_as(page, live_server, manager)
    page.goto(
        live_server.url
        + reverse("partnership:plan_copy_forward", args=[built.plan.slug])
    )
    page.get_by_label("Title of the new plan").fill("Birmingham South LDG plan 2015/16")
    page.get_by_label("Short name for addresses").fill("birmingham-south-2015-16")
    page.get_by_label("Starts (YYYY-MM-DD)").fill("2015-04-01")
    page.get_by_label("Ends (YYYY-MM-DD)").fill("2016-03-31")
    page.get_by_role("button", name=re.compile("start", re.I)).click()
    page.wait_for_url(re.compile(r"plan=birmingham-south-2015-16"))

    carried = Action.objects.get(plan__slug="birmingham-south-2015-16", number="3.1.1")
    page.goto(
        live_server.url
        + reverse("partnership:action", kwargs={"reference": carried.reference})
    )
    shown = page.locator("main").inner_text()
    assert "to 4 a month" in shown
    assert "Did KSI road casualties in Selly Oak fall against" in shown
    missed = built.ksi.milestones.exclude(state="met").values_list("title", flat=True)
    assert missed
    assert all(title in shown for title in missed)
    assert axe_violations(page) == []
