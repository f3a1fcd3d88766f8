"""A page that shows a person or a case has its read entry written before
the page is answered (issue 27): a worker killed after answering loses no
such entry, and a page whose entry cannot be written is not shown. Only
reads of figures and the plan wait in the worker's batch."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saferplaces.accounts.models import AuditEvent
from saferplaces.accounts.read_audit import READ, write_waiting_reads
from tests.factories import make_case

CASE_PAGES = ["cases:case", "cases:case_export", "cases:who_viewed"]


@pytest.fixture
def batching(settings, db):
    # Long enough that the timer cannot fire during the test (a timer
    # thread writing into the test's open transaction would deadlock).
    settings.AUDIT_READ_BATCH_SECONDS = 60
    yield
    write_waiting_reads()


@pytest.mark.usefixtures("batching")
@pytest.mark.parametrize("view", CASE_PAGES)
def test_a_case_page_read_is_written_before_the_page_is_answered(
    casework, client, view
):
    case = make_case(casework)
    client.force_login(casework.officer)
    page = client.get(reverse(view, kwargs={"reference": case.reference}))
    assert page.status_code == 200
    written = AuditEvent.objects.filter(action=READ, object_id=case.reference)
    assert [e.object_type for e in written] == [view]


@pytest.mark.usefixtures("batching")
def test_the_case_list_is_written_at_once_and_counts_may_wait(casework, client):
    make_case(casework)
    client.force_login(casework.officer)
    client.get(reverse("cases:list"))
    assert AuditEvent.objects.filter(action=READ).count() == 1
    analyst = casework.worker("analyst", casework.police, role="analyst")
    client.force_login(analyst)
    assert client.get(reverse("cases:counts")).status_code == 200
    assert AuditEvent.objects.filter(action=READ).count() == 1  # waiting
    assert write_waiting_reads() == 1


def test_a_case_page_whose_read_entry_fails_is_not_shown(casework, client, monkeypatch):
    case = make_case(casework)
    client.force_login(casework.officer)
    client.raise_request_exception = False

    def refused(self, *args, **kwargs):
        raise RuntimeError("the audit log could not be written")

    monkeypatch.setattr(AuditEvent, "save", refused)
    response = client.get(reverse("cases:case", kwargs={"reference": case.reference}))
    assert response.status_code == 500
    assert case.reference not in response.content.decode()
