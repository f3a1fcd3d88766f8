"""An evaluation is set up on the action's page (issue 30, fault 7): it
could be only in the site administrator's Django admin or the plan file.
The comparison area is one of the partnership's areas, picked from a list
(an area box, names or codes);
errors keep what was typed; only those who may change the action may; and
every change is kept with who made it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.partnership.models import EvaluationPlan
from tests.support import area_box_options

TYPED = {
    "form": "evaluation",
    "evaluation-question": "Did KSI casualties in Selly Oak fall against Northfield's?",
    "evaluation-measure_id": "road-casualties-ksi",
    "evaluation-target_area": "SYN-D03",
    "evaluation-comparison_area": "SYN-D02",
    "evaluation-method": "did",
    "evaluation-baseline_from": "2012-04",
    "evaluation-baseline_to": "2014-03",
    "evaluation-followup_from": "2014-04",
    "evaluation-followup_to": "2015-03",
}


@pytest.fixture
def planning(plan):
    """Action 3.1.2, which has no evaluation yet."""
    return plan.actions.get(number="3.1.2")


def edit_url(action) -> str:
    return reverse("partnership:action_edit", kwargs={"reference": action.reference})


def test_an_analyst_sets_up_an_evaluation_on_the_actions_page(
    client, planning, make_user
):
    client.force_login(make_user(Role.ANALYST, username="analyst"))
    html = client.get(edit_url(planning)).content.decode()
    # The partnership's areas, picked from a list (no geography is loaded
    # here, so each is named by its code).
    offered = area_box_options(html, "evaluation-comparison_area")
    assert offered == ["SYN-D01", "SYN-D02", "SYN-D03"]
    assert client.post(edit_url(planning), TYPED).status_code == 302
    evaluation = EvaluationPlan.objects.get(action=planning)
    assert (evaluation.method, evaluation.target_area, evaluation.comparison_area) == (
        "did", "SYN-D03", "SYN-D02",
    )  # fmt: skip
    assert (evaluation.followup_from, evaluation.followup_to) == ("2014-04", "2015-03")
    page = client.get(
        reverse("partnership:action", kwargs={"reference": planning.reference})
    ).content.decode()
    assert "Did KSI casualties in Selly Oak fall against Northfield&#x27;s?" in page
    changes = page.split('data-testid="changes">')[1].split("</ul>")[0]
    assert "analyst: Evaluation added" in changes


@pytest.mark.parametrize(
    ("changed", "said"),
    [
        ({"evaluation-comparison_area": ""}, "Difference in differences needs one."),
        ({"evaluation-followup_from": "2013-04"},
         "The follow-up must start after the baseline."),
        ({"evaluation-baseline_from": "April 2012"},
         "Enter a month as YYYY-MM, like 2013-04."),
        ({"evaluation-comparison_area": "SYN-D03"},
         "The comparison area must be another area than the target."),
        # Not one of the partnership's areas: refused, never saved.
        ({"evaluation-comparison_area": "E05011118"},
         "Choose one of the partnership&#x27;s areas"),
    ],
)  # fmt: skip
def test_errors_are_said_and_what_was_typed_is_kept(
    client, planning, make_user, changed, said
):
    client.force_login(make_user(Role.ANALYST))
    refused = client.post(edit_url(planning), {**TYPED, **changed})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "There is a problem" in html
    assert said in html
    assert "Selly Oak fall against Northfield" in html  # the question kept
    assert not EvaluationPlan.objects.filter(action=planning).exists()


def test_only_those_who_may_change_the_action_set_it_up(client, planning, make_user):
    client.force_login(make_user(Role.VIEWER))
    assert client.post(edit_url(planning), TYPED).status_code == 403
    client.force_login(make_user(Role.ANALYST, username="analyst"))
    assert client.put(edit_url(planning), TYPED).status_code == 405
    assert not EvaluationPlan.objects.filter(action=planning).exists()


def test_a_change_is_kept_and_a_stale_form_refused(client, plan, make_user):
    """3.1.1's evaluation, changed by one person while another had it open."""
    ksi = plan.actions.get(number="3.1.1")
    evaluation = ksi.evaluation
    opened_at = evaluation.version
    client.force_login(make_user(Role.ANALYST, username="analyst"))
    changed = {**TYPED, "evaluation-version": opened_at,
               "evaluation-followup_to": "2016-03"}  # fmt: skip
    assert client.post(edit_url(ksi), changed).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.followup_to == "2016-03"
    stale = client.post(edit_url(ksi), {**changed, "evaluation-method": "before_after"})
    assert stale.status_code == 409
    evaluation.refresh_from_db()
    assert evaluation.method == "did"
