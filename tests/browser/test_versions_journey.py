"""Someone else saves an action while it is open in the browser (issue 27,
finding 7): the save is refused on a page that says who and what, keeps
what was typed, and passes axe."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.partnership.models import Action
from tests.browser.support import axe_violations, sign_in_as
from tests.factories import UserFactory, small_plan

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
