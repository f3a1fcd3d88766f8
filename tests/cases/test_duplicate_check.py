"""The duplicate-person check (issue 27, finding 6): each check is audited
with the cases it matched, limited per person, and says of cases the
worker cannot see neither how many there are nor whose they are.

Personas: the police officer owns one case and types a person; housing
owns the cases the officer cannot see."""

from __future__ import annotations

from django.urls import reverse

from saferplaces.accounts.models import AuditEvent
from tests.factories import make_case

NEW_CASE = {
    "case_type": "vulnerable_adult", "hate_strand": "", "summary": "",
    "role": "victim", "given_name": "Edna", "family_name": "Holis",
    "date_of_birth": "1939-05-02", "address_line": "", "postcode": "",
}  # fmt: skip


def _same_person_in_two_housing_cases(casework):
    first = make_case(casework, owner=casework.housing)
    second = make_case(casework, owner=casework.housing)
    _same_person(first, second)
    return first, second


def _same_person(case, other):
    """``other`` is about ``case``'s person (its own one removed)."""
    orphan = other.involved.get().person
    other.involved.update(person=case.involved.get().person)
    orphan.delete()


def test_a_hit_in_cases_one_cannot_see_is_audited_with_the_cases_matched(
    casework, client
):
    first, second = _same_person_in_two_housing_cases(casework)
    client.force_login(casework.firefighter)
    page = client.post(reverse("cases:new"), NEW_CASE).content.decode()
    check = AuditEvent.objects.get(action="duplicate_check")
    assert check.actor_username == "fire-officer"
    assert sorted(check.detail["matched_cases"]) == sorted(
        [first.reference, second.reference]
    )
    assert check.detail["searched"] == ["name", "date_of_birth"]
    assert "1939" not in str(check.detail)  # what was typed is not kept
    assert first.reference not in page
    assert second.reference not in page


def test_the_owner_sees_the_hit_among_those_who_looked(casework, client):
    first, _ = _same_person_in_two_housing_cases(casework)
    client.force_login(casework.firefighter)
    client.post(reverse("cases:new"), NEW_CASE)
    client.force_login(casework.housing_officer)
    url = reverse("cases:who_viewed", kwargs={"reference": first.reference})
    page = client.get(url).content.decode()
    assert "fire-officer" in page
    assert "Found by a duplicate check" in page


def test_a_check_that_finds_nobody_is_audited_too(casework, client):
    client.force_login(casework.officer)
    client.post(reverse("cases:new"), NEW_CASE)
    check = AuditEvent.objects.get(action="duplicate_check")
    assert check.detail["matched_cases"] == []


def test_of_cases_one_cannot_see_neither_count_nor_agency_is_named(casework, client):
    _same_person_in_two_housing_cases(casework)
    client.force_login(casework.firefighter)
    response = client.post(reverse("cases:new"), NEW_CASE)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="duplicates"' in page
    assert "Test Housing" not in page
    assert "2 cases" not in page
    assert "in 1 case" not in page
    assert "Hollis" not in page


def test_cases_one_can_see_are_linked_and_only_they_are_counted(casework, client):
    mine = make_case(casework)
    theirs = make_case(casework, owner=casework.housing)
    _same_person(mine, theirs)
    client.force_login(casework.officer)
    page = client.post(reverse("cases:new"), NEW_CASE).content.decode()
    assert reverse("cases:case", kwargs={"reference": mine.reference}) in page
    assert theirs.reference not in page
    assert "in 1 case you can see" in page
    assert "Test Housing" not in page


def test_the_check_is_limited_per_person_with_a_clear_message(
    casework, client, settings
):
    settings.DUPLICATE_CHECK_RATE = "2/h"
    make_case(casework, owner=casework.housing)
    client.force_login(casework.firefighter)
    for _ in range(2):
        assert client.post(reverse("cases:new"), NEW_CASE).status_code == 200
    over = client.post(reverse("cases:new"), NEW_CASE)
    assert over.status_code == 429
    page = over.content.decode()
    assert "checked for possible duplicates 2 times" in page
    assert 'value="Holis"' in page  # what was typed is kept
    assert AuditEvent.objects.filter(action="duplicate_check").count() == 2
    assert AuditEvent.objects.filter(action="duplicate_check_limited").count() == 1
    client.force_login(casework.officer)  # another person is not limited
    assert client.post(reverse("cases:new"), NEW_CASE).status_code == 200


def test_adding_a_person_to_a_case_is_checked_the_same_way(casework, client):
    mine = make_case(casework, given="Someone", family="Else", born=None)
    make_case(casework, owner=casework.housing)
    client.force_login(casework.officer)
    form = {k: NEW_CASE[k] for k in ("role", "given_name", "family_name")}
    form.update(date_of_birth="1939-05-02", address_line="", postcode="")
    url = reverse("cases:person_add", kwargs={"reference": mine.reference})
    page = client.post(url, form).content.decode()
    assert "Test Housing" not in page
    assert AuditEvent.objects.get(action="duplicate_check").detail["matched_cases"]
