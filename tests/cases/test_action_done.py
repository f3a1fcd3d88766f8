"""A case action can be done: marked with who and when by a service that
writes its audit entry with it, after which it no longer reads "Overdue"
(issue 30, fault 1)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from saferplaces.accounts.models import AuditEvent
from saferplaces.cases.models import CaseAction
from saferplaces.cases.services import routing
from tests.factories import make_case

TODAY = timezone.localdate()
LAST_WEEK = TODAY - datetime.timedelta(days=7)


def overdue_action(casework, case, agency=None):
    return CaseAction.objects.create(
        case=case, description="Fit a door chain", target_date=LAST_WEEK,
        owner_agency=agency or casework.police,
    )  # fmt: skip


def test_an_overdue_action_marked_done_says_who_and_when_and_is_no_longer_overdue(
    casework, client
):
    case = make_case(casework)
    action = overdue_action(casework, case)
    client.force_login(casework.officer)
    page = reverse("cases:case", args=[case.reference])
    assert "Overdue" in client.get(page).content.decode()

    done = reverse("cases:action_done", args=[case.reference, action.pk])
    assert client.post(done).status_code == 302

    action.refresh_from_db()
    assert (action.done_on, action.done_by) == (TODAY, casework.officer)
    shown = " ".join(client.get(page).content.decode().split())
    assert "Overdue" not in shown
    assert f"Done on {TODAY.day} {TODAY:%B %Y} by pc-owner" in shown
    entry = AuditEvent.objects.get(action="case_action_done")
    assert (entry.object_id, entry.actor_username) == (case.reference, "pc-owner")
    case.refresh_from_db()
    assert case.version == 2, "a change to what the case holds moves its version"


def test_marking_done_is_by_post_only_and_once(casework, client):
    case = make_case(casework)
    action = overdue_action(casework, case)
    client.force_login(casework.officer)
    done = reverse("cases:action_done", args=[case.reference, action.pk])
    assert client.get(done).status_code == 405
    client.post(done)
    again = client.post(done, follow=True).content.decode()
    assert "already done" in again
    assert AuditEvent.objects.filter(action="case_action_done").count() == 1


def test_the_agency_doing_an_action_marks_it_on_a_case_shared_with_it(casework, client):
    case = make_case(casework)
    routing.refer(case, casework.fire_safety, casework.officer)
    theirs = overdue_action(casework, case, agency=casework.fire)
    police_own = overdue_action(casework, case)
    client.force_login(casework.firefighter)
    page = client.get(reverse("cases:case", args=[case.reference])).content.decode()
    mark = reverse("cases:action_done", args=[case.reference, theirs.pk])
    assert f'action="{mark}"' in page
    refused = reverse("cases:action_done", args=[case.reference, police_own.pk])
    assert f'action="{refused}"' not in page
    assert client.post(refused).status_code == 403
    assert client.post(mark).status_code == 302
    client.force_login(casework.housing_officer)  # cannot see the case
    assert client.post(refused).status_code == 404
    police_own.refresh_from_db()
    assert police_own.done_on is None
