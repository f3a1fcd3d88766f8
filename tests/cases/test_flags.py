"""A hate crime flag, with its strand, on a case of any type; a person
flagged as a vulnerable victim for reasons from a list (issue 30). Both
set through the casework services, audited, shown on the case."""

from __future__ import annotations

from django.urls import reverse

from saferplaces.accounts.models import AuditEvent
from saferplaces.cases.models import Case, VulnerableVictimFlag
from tests.factories import make_case

NEW_ASB_CASE = {
    "case_type": "asb", "hate_strand": "disability", "summary": "", "role": "victim",
    "given_name": "Nia", "family_name": "Oakes", "date_of_birth": "",
    "address_line": "", "postcode": "", "duplicates_seen": "on",
}  # fmt: skip


def test_an_asb_case_is_opened_with_a_hate_crime_flag(casework, client):
    client.force_login(casework.officer)
    opened = client.post(reverse("cases:new"), NEW_ASB_CASE)
    assert opened.status_code == 302
    case = Case.objects.get()
    assert (case.case_type, case.hate_strand) == ("asb", "disability")
    page = client.get(reverse("cases:case", args=[case.reference])).content.decode()
    assert "Hate crime flag" in page
    assert "Disability" in page


def test_a_domestic_abuse_case_is_flagged_later_and_the_change_audited(
    casework, client
):
    case = make_case(casework, case_type="domestic_abuse")
    client.force_login(casework.officer)
    url = reverse("cases:case_edit", args=[case.reference])
    saved = client.post(url, {
        "case_type": "domestic_abuse", "hate_strand": "transgender", "summary": "",
        "officer": "", "version": case.version,
    })  # fmt: skip
    assert saved.status_code == 302
    case.refresh_from_db()
    assert case.hate_strand == "transgender"
    change = AuditEvent.objects.get(action="case_changed", object_id=case.reference)
    assert "hate_strand" in change.detail["fields"]


def test_a_hate_crime_case_still_needs_its_strand(casework, client):
    client.force_login(casework.officer)
    refused = client.post(
        reverse("cases:new"),
        {**NEW_ASB_CASE, "case_type": "hate_crime", "hate_strand": ""},
    )
    assert refused.status_code == 400
    assert "Choose the hate crime strand" in refused.content.decode()


def test_a_person_is_flagged_a_vulnerable_victim_for_reasons_from_a_list(
    casework, client
):
    case = make_case(casework)
    row = case.involved.get()
    client.force_login(casework.officer)
    url = reverse("cases:vulnerability", args=[case.reference, row.pk])
    form = client.get(url).content.decode()
    assert "Edna Hollis" in form
    assert 'value="isolated"' in form
    saved = client.post(url, {"reasons": ["age", "isolated"], "version": case.version})
    assert saved.status_code == 302
    assert sorted(
        VulnerableVictimFlag.objects.filter(person=row.person).values_list(
            "reason", flat=True
        )
    ) == ["age", "isolated"]
    change = AuditEvent.objects.get(
        action="case_vulnerability_flagged", object_id=case.reference
    )
    assert change.detail == {"added": ["age", "isolated"], "removed": []}
    page = client.get(reverse("cases:case", args=[case.reference])).content.decode()
    assert "Vulnerable victim" in page
    assert "Isolated or living alone" in page
    client.post(url, {"reasons": ["age"], "version": case.version + 1})
    assert list(
        VulnerableVictimFlag.objects.filter(person=row.person).values_list(
            "reason", flat=True
        )
    ) == ["age"]


def test_only_the_owner_flags_a_person_and_an_unknown_reason_is_refused(
    casework, client
):
    case = make_case(casework)
    row = case.involved.get()
    url = reverse("cases:vulnerability", args=[case.reference, row.pk])
    client.force_login(casework.housing_officer)
    assert client.post(url, {"reasons": ["age"]}).status_code == 404
    client.force_login(casework.officer)
    refused = client.post(url, {"reasons": ["nosy"], "version": case.version})
    assert refused.status_code == 400
    assert not VulnerableVictimFlag.objects.exists()
    other = make_case(casework, given="Bilal")
    elsewhere = reverse(
        "cases:vulnerability", args=[case.reference, other.involved.get().pk]
    )
    assert client.get(elsewhere).status_code == 404
