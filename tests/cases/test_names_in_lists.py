"""Search results and the case list name the people of each case a worker
may see (issue 30): a worker need not open, and be recorded opening, every
hit to know whose it is. Each list is recorded once, naming the cases it
showed, and each of those cases lists that look among who has looked."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from saferplaces.accounts.models import AuditEvent
from saferplaces.cases.models import CaseAction
from tests.factories import make_case

TODAY = timezone.localdate()


def test_searching_a_misspelt_name_shows_the_name_and_date_of_birth(casework, client):
    edna = make_case(casework)  # Edna Hollis, born 2 May 1939
    client.force_login(casework.officer)
    page = client.post(reverse("cases:search"), {"name": "Edna Holis"})
    shown = page.content.decode()
    assert edna.reference in shown
    assert "Edna Hollis" in shown
    assert "2 May 1939" in shown


def test_a_search_is_recorded_once_naming_every_case_it_showed(casework, client):
    first = make_case(casework, given="Margaret", family="Pellow")
    second = make_case(casework, given="Margret", family="Pellow")
    client.force_login(casework.officer)
    client.post(reverse("cases:search"), {"name": "Margaret Pellow"})
    entries = AuditEvent.objects.exclude(action="login")
    assert [e.action for e in entries] == ["case_search"]
    assert sorted(entries.get().detail["hits"]) == sorted(
        [first.reference, second.reference]
    )
    looks = client.get(reverse("cases:who_viewed", args=[first.reference]))
    assert "Found in a search" in looks.content.decode()


def test_the_case_list_names_people_summary_and_next_date(casework, client):
    case = make_case(casework, summary="SYNTHETIC: noise from the flat above")
    CaseAction.objects.create(
        case=case, description="Visit", owner_agency=casework.police,
        target_date=TODAY + datetime.timedelta(days=3),
    )  # fmt: skip
    CaseAction.objects.create(
        case=case, description="Done already", owner_agency=casework.police,
        target_date=TODAY - datetime.timedelta(days=9), done_on=TODAY,
    )  # fmt: skip
    client.force_login(casework.officer)
    page = client.get(reverse("cases:list")).content.decode()
    assert "Edna Hollis" in page
    assert "2 May 1939" in page
    assert "noise from the flat above" in page
    next_day = TODAY + datetime.timedelta(days=3)
    assert f"{next_day.day} {next_day:%b %Y}" in page


def test_the_case_list_is_recorded_once_naming_the_cases_shown(casework, client):
    mine = [make_case(casework, given=f"Person{n}") for n in range(3)]
    theirs = make_case(casework, owner=casework.housing)
    client.force_login(casework.officer)
    client.get(reverse("cases:list"))
    reads = AuditEvent.objects.filter(action="read")
    assert [e.object_type for e in reads] == ["cases:list"]
    assert sorted(reads.get().detail["cases"]) == sorted(c.reference for c in mine)
    assert theirs.reference not in str(reads.get().detail)
    looks = client.get(reverse("cases:who_viewed", args=[mine[0].reference]))
    assert "Listed among your cases" in looks.content.decode()
