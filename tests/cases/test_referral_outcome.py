"""After accepting a referral the receiving agency records its outcome,
from the list its pathway defines plus free text, and completes it; the
referrer sees the outcome on the case (issue 30, faults 2 and 4)."""

from __future__ import annotations

from django.urls import reverse

from saferplaces.accounts.models import AuditEvent
from saferplaces.cases.models import Referral
from saferplaces.cases.services import routing
from tests.factories import make_case

OUTCOMES = ["Alarms fitted", "Declined", "No access"]


def accepted_referral(casework):
    casework.fire_safety.outcomes = OUTCOMES
    casework.fire_safety.save()
    case = make_case(casework)
    referral = routing.refer(case, casework.fire_safety, casework.officer)
    routing.decide(referral, True, "", casework.firefighter)
    return case, referral


def test_the_receiving_case_page_links_to_deciding_the_referral(casework, client):
    case = make_case(casework)
    referral = routing.refer(case, casework.fire_safety, casework.officer)
    client.force_login(casework.firefighter)
    page = client.get(reverse("cases:case", args=[case.reference])).content.decode()
    decide = reverse("cases:referral_decide", args=[referral.public_id])
    assert f'href="{decide}"' in page
    client.force_login(casework.officer)  # the referrer does not decide
    page = client.get(reverse("cases:case", args=[case.reference])).content.decode()
    assert f'href="{decide}"' not in page


def test_the_fire_service_records_alarms_fitted_and_the_police_see_it(casework, client):
    case, referral = accepted_referral(casework)
    client.force_login(casework.firefighter)
    page = client.get(reverse("cases:case", args=[case.reference])).content.decode()
    url = reverse("cases:referral_outcome", args=[referral.public_id])
    assert f'href="{url}"' in page
    form = client.get(url).content.decode()
    for outcome in OUTCOMES:
        assert f'value="{outcome}"' in form

    done = client.post(url, {"outcome": "Alarms fitted",
                             "note": "Two alarms fitted, hallway and landing.",
                             "complete": "on"})  # fmt: skip
    assert done.status_code == 302

    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == ("completed", "Alarms fitted")
    assert referral.completed_by == casework.firefighter
    assert referral.completed_at is not None
    entry = AuditEvent.objects.get(action="case_referral_completed")
    assert entry.object_id == case.reference
    assert "Two alarms" not in str(entry.detail), "the audit names no free text"
    client.force_login(casework.officer)
    seen = client.get(reverse("cases:case", args=[case.reference])).content.decode()
    assert "Alarms fitted" in seen
    assert "Two alarms fitted, hallway and landing." in seen
    # The work is done: the fire service's sight of the case ends with it.
    client.force_login(casework.firefighter)
    assert client.get(reverse("cases:case", args=[case.reference])).status_code == 404


def test_an_outcome_can_be_saved_before_the_referral_is_completed(casework, client):
    case, referral = accepted_referral(casework)
    client.force_login(casework.firefighter)
    url = reverse("cases:referral_outcome", args=[referral.public_id])
    client.post(url, {"outcome": "No access", "note": "Nobody in; card left."})
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == ("accepted", "No access")
    assert client.get(reverse("cases:case", args=[case.reference])).status_code == 200


def test_an_outcome_outside_the_pathways_list_is_refused_keeping_what_was_typed(
    casework, client
):
    _, referral = accepted_referral(casework)
    client.force_login(casework.firefighter)
    url = reverse("cases:referral_outcome", args=[referral.public_id])
    refused = client.post(url, {"outcome": "Made up", "note": "Kept text"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Choose the outcome" in page
    assert "Kept text" in page
    referral.refresh_from_db()
    assert referral.outcome == ""


def test_only_the_receiving_agency_records_an_outcome_and_only_once_accepted(
    casework, client
):
    case = make_case(casework)
    waiting = routing.refer(case, casework.fire_safety, casework.officer)
    url = reverse("cases:referral_outcome", args=[waiting.public_id])
    client.force_login(casework.officer)
    assert client.get(url).status_code == 404
    client.force_login(casework.housing_officer)
    assert client.get(url).status_code == 404
    client.force_login(casework.firefighter)
    page = client.post(url, {"outcome": "Alarms fitted", "complete": "on"})
    assert page.status_code == 400
    assert "Accept the referral before recording its outcome" in page.content.decode()
    assert Referral.objects.get(pk=waiting.pk).status == "waiting"


def test_the_pathway_form_takes_its_outcomes_one_a_line(casework, client):
    from saferplaces.accounts.models import Role

    manager = casework.worker("manager", casework.police, Role.ADMINISTRATOR)
    client.force_login(manager)
    url = reverse(
        "cases:rule_edit", args=[casework.partnership.slug, casework.fire_safety.pk]
    )
    assert "Outcomes" in client.get(url).content.decode()
    form = {
        "pathway": "Home fire safety visit", "to_agency": casework.fire.pk,
        "agreement": casework.agreement.pk, "order": 10, "response_days": 7,
        "is_active": "on", "outcomes": "Alarms fitted\n\n No access \nDeclined",
    }  # fmt: skip
    assert client.post(url, form).status_code == 302
    casework.fire_safety.refresh_from_db()
    assert casework.fire_safety.outcomes == ["Alarms fitted", "No access", "Declined"]
