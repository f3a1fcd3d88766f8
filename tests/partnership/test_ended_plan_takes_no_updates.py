"""An ended plan is a record of where things stood at its end (issue 30,
fault 8): updates to it were accepted and changed its statuses. Now they
are refused in words unless its manager reopens it, which is audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saferplaces.accounts.models import AuditEvent, Role
from saferplaces.partnership import workflow
from saferplaces.partnership.models import Status


@pytest.fixture
def planning(plan):
    """Action 3.1.2 of the 2014/15 plan, on track when the plan ended."""
    return plan.actions.get(number="3.1.2")


def action_url(action) -> str:
    return reverse("partnership:action", kwargs={"reference": action.reference})


def reopening_url(plan) -> str:
    return reverse("partnership:plan_reopening", kwargs={"slug": plan.slug})


TYPED = {"status": "complete", "text": "SYNTHETIC: delivered late."}


def test_an_update_on_an_ended_plan_is_refused_in_words(client, planning, make_user):
    client.force_login(make_user(Role.ANALYST))
    refused = client.post(action_url(planning), TYPED)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "This plan ended on 31 March 2015: its actions stand as they were" in html
    assert "SYNTHETIC: delivered late." in html  # what was typed is kept
    planning.refresh_from_db()
    assert planning.status == Status.ON_TRACK
    assert not planning.updates.filter(text=TYPED["text"]).exists()
    # The page says so before anyone types.
    page = client.get(action_url(planning)).content.decode()
    assert 'data-testid="plan-closed"' in page
    assert "Post update" not in page


def test_the_service_refuses_too(planning, make_user):
    with pytest.raises(workflow.PlanClosed, match="ended on 31 March 2015"):
        workflow.post_progress(planning, make_user(Role.ANALYST), "x", Status.COMPLETE)


def test_the_manager_reopens_it_and_closes_it_again(client, plan, planning, make_user):
    client.force_login(make_user(Role.ANALYST, username="analyst"))
    assert client.post(reopening_url(plan), {"reopened": "yes"}).status_code == 403
    manager = make_user(Role.ADMINISTRATOR, username="manager")
    client.force_login(manager)
    assert client.get(reopening_url(plan)).status_code == 405
    assert (
        "Reopen the plan for updates"
        in client.get(reverse("partnership:plan")).content.decode()
    )
    assert client.post(reopening_url(plan), {"reopened": "yes"}).status_code == 302
    reopened = AuditEvent.objects.filter(action="plan_reopened", actor_id=manager.pk)
    assert reopened.exists()
    assert client.post(action_url(planning), TYPED).status_code == 302
    planning.refresh_from_db()
    assert planning.status == Status.COMPLETE
    client.post(reopening_url(plan), {"reopened": "no"})
    assert AuditEvent.objects.filter(action="plan_closed", actor_id=manager.pk).exists()
    again = {"status": "on_track", "text": "SYNTHETIC: reopened."}
    assert client.post(action_url(planning), again).status_code == 400
