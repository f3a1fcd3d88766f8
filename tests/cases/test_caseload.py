"""A caseload: a worker's (or their agency's) open cases, case actions due
and overdue, and referrals waiting for a decision or an outcome (issue 30,
fault 1). One read entry per page; nothing of another agency or
partnership."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from saferplaces.accounts.models import AuditEvent, Role
from saferplaces.cases.models import CaseAction
from saferplaces.cases.services import routing, workflow
from saferplaces.partnership.models import Partnership
from tests.factories import UserFactory, make_case

TODAY = timezone.localdate()


def action(case, agency, days, description):
    return CaseAction.objects.create(
        case=case, description=description, owner_agency=agency,
        target_date=TODAY + datetime.timedelta(days=days),
    )  # fmt: skip


def test_a_workers_caseload_lists_their_cases_and_actions_due_and_overdue(
    casework, client
):
    mine = make_case(casework, officer=casework.officer)
    colleague = casework.worker("pc-colleague", casework.police)
    theirs = make_case(casework, given="Bilal", family="Coleby", officer=colleague)
    late = action(mine, casework.police, -3, "Visit the victim")
    action(mine, casework.police, 5, "Call the landlord")
    action(theirs, casework.police, -1, "Chase the landlord")
    client.force_login(casework.officer)
    url = reverse("cases:caseload")

    page = client.get(url).content.decode()

    assert mine.reference in page
    assert theirs.reference not in page
    assert "Visit the victim" in page
    assert "Call the landlord" in page
    assert "Chase the landlord" not in page
    agency = client.get(url, {"for": "agency"}).content.decode()
    assert theirs.reference in agency
    assert "Chase the landlord" in agency
    # Done, it leaves the caseload.
    workflow.mark_action_done(late, casework.officer)
    assert "Visit the victim" not in client.get(url).content.decode()


def test_the_caseload_lists_referrals_waiting_for_a_decision_or_an_outcome(
    casework, client
):
    case = make_case(casework)
    referral = routing.refer(case, casework.fire_safety, casework.officer)
    client.force_login(casework.firefighter)
    url = reverse("cases:caseload")
    page = client.get(url).content.decode()
    assert reverse("cases:referral_decide", args=[referral.public_id]) in page
    routing.decide(referral, True, "", casework.firefighter)
    page = client.get(url).content.decode()
    assert reverse("cases:referral_outcome", args=[referral.public_id]) in page
    client.force_login(casework.housing_officer)
    assert case.reference not in client.get(url).content.decode()


def test_each_caseload_is_read_once_in_the_audit_and_only_by_case_workers(
    casework, client
):
    make_case(casework, officer=casework.officer)
    url = reverse("cases:caseload")
    client.force_login(casework.officer)
    client.get(url)
    client.get(url, {"for": "agency"})
    reads = AuditEvent.objects.filter(action="read", object_type="cases:caseload")
    assert [e.detail["query"] for e in reads.order_by("id")] == [{}, {"for": "agency"}]
    assert client.post(url).status_code == 405
    client.force_login(casework.worker("analyst", casework.police, Role.ANALYST))
    assert client.get(url).status_code == 403


def test_a_caseload_keeps_partnerships_apart(casework, client):
    case = make_case(casework, officer=casework.officer)
    other = Partnership.objects.create(slug="other", name="Other")
    elsewhere = UserFactory(
        username="pc-elsewhere", agency=casework.police, role=Role.CASE_WORKER,
        role__partnerships=[other],
    )  # fmt: skip
    client.force_login(elsewhere)
    page = client.get(reverse("cases:caseload"), {"for": "agency"}).content.decode()
    assert case.reference not in page


def test_the_cases_page_links_to_the_caseload(casework, client):
    client.force_login(casework.officer)
    page = client.get(reverse("cases:list")).content.decode()
    assert f'href="{reverse("cases:caseload")}"' in page
