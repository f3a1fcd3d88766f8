"""Need to know: every case URL against the owner agency's worker, a worker
of an agency the case is shared with, a worker of another agency, every
other role, a site administrator and a member of another partnership."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saferplaces.accounts.models import AuditEvent, Role
from saferplaces.cases import services
from saferplaces.cases.models import Referral
from saferplaces.partnership.models import Partnership
from tests.cases.conftest import make_case
from tests.conftest import SITE_ADMIN, UserFactory

# What the owner agency's worker gets; "owner" pages are refused (403) to a
# worker the case is only shared with, who may read.
CASE_URLS = {
    "cases:list": "any",
    "cases:new": "any",
    "cases:search": "any",
    "cases:counts": "counts",
    "cases:settings": "settings",
    "cases:referral_decide": "receiver",
    "cases:case": "read",
    "cases:case_edit": "owner",
    "cases:case_export": "owner",
    "cases:person_add": "owner",
    "cases:incident_add": "owner",
    "cases:action_add": "owner",
    "cases:disposal_add": "owner",
    "cases:assess": "owner",
    "cases:refer": "owner",
    "cases:share": "owner",
    "cases:share_end": "posted",
    "cases:close": "owner",
    "cases:who_viewed": "owner",
}
CASE_PAGES = sorted(k for k, v in CASE_URLS.items() if v in ("read", "owner"))


@pytest.fixture
def shared_case(casework):
    """A police case referred to the fire service (so shared with it)."""
    case = make_case(casework)
    referral = services.refer(case, casework.fire_safety, casework.officer)
    return case, referral


def address(url_name, case, referral, rule):
    kwargs = {"reference": case.reference}
    if url_name == "cases:assess":
        kwargs["kind"] = "asb"
    elif url_name == "cases:refer":
        kwargs["rule"] = rule.pk
    elif url_name == "cases:share_end":
        kwargs["share"] = case.shares.first().pk
    elif url_name == "cases:referral_decide":
        kwargs = {"public_id": referral.public_id}
    elif CASE_URLS[url_name] in ("any", "counts", "settings"):
        kwargs = {}
    return reverse(url_name, kwargs=kwargs)


@pytest.mark.parametrize("url_name", CASE_PAGES)
def test_the_owner_reads_and_changes_a_shared_worker_reads_others_get_404(
    casework, shared_case, client, url_name
):
    case, referral = shared_case
    # The owner's referral pathway to the fire service is used up; housing
    # is another pathway the owner may still take.
    housing_rule = casework.fire_safety
    housing_rule.pk = None
    housing_rule.pathway, housing_rule.to_agency = "Housing support", casework.housing
    housing_rule.save()
    url = address(url_name, case, referral, housing_rule)
    expected = {
        casework.officer: 200,
        casework.firefighter: 200 if CASE_URLS[url_name] == "read" else 403,
        casework.housing_officer: 404,
    }
    got = {}
    for person in expected:
        client.force_login(person)
        got[person] = client.get(url).status_code
    assert got == expected


@pytest.mark.parametrize(
    "role", [Role.ADMINISTRATOR, Role.ANALYST, Role.GROUP_LEAD, Role.VIEWER]
)
@pytest.mark.parametrize("url_name", CASE_PAGES)
def test_other_roles_of_the_owner_agency_never_see_a_case(
    casework, shared_case, client, role, url_name
):
    case, referral = shared_case
    person = casework.worker(f"{role}-police", casework.police, role)
    client.force_login(person)
    assert (
        client.get(address(url_name, case, referral, casework.fire_safety)).status_code
        == 403
    )


@pytest.mark.parametrize("url_name", CASE_PAGES)
def test_a_site_administrator_sees_no_case(casework, shared_case, client, url_name):
    case, referral = shared_case
    client.force_login(UserFactory(role=SITE_ADMIN, agency=casework.police))
    assert (
        client.get(address(url_name, case, referral, casework.fire_safety)).status_code
        == 404
    )


def test_a_case_worker_of_the_owner_agency_in_another_partnership_sees_nothing(
    casework, shared_case, client
):
    case, _ = shared_case
    other = Partnership.objects.create(slug="other", name="Other")
    person = UserFactory(
        username="pc-elsewhere", agency=casework.police, role=Role.CASE_WORKER,
        role__partnerships=[other],
    )  # fmt: skip
    client.force_login(person)
    assert client.get(reverse("cases:case", args=[case.reference])).status_code == 404


def test_only_the_receiving_agency_decides_a_referral(casework, shared_case, client):
    _, referral = shared_case
    url = reverse("cases:referral_decide", args=[referral.public_id])
    for person, status in [
        (casework.firefighter, 200), (casework.officer, 404),
        (casework.housing_officer, 404),
    ]:  # fmt: skip
        client.force_login(person)
        assert client.get(url).status_code == status


def test_posting_to_a_case_one_may_not_see_changes_nothing(
    casework, shared_case, client
):
    case, _ = shared_case
    client.force_login(casework.housing_officer)
    url = reverse("cases:case_edit", args=[case.reference])
    response = client.post(url, {"case_type": "asb", "summary": "x", "version": 1})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.case_type == "vulnerable_adult"
    client.force_login(casework.firefighter)
    assert client.post(url, {"case_type": "asb", "version": 1}).status_code == 403
    case.refresh_from_db()
    assert case.case_type == "vulnerable_adult"


def test_every_case_read_is_audited_under_its_reference(casework, shared_case, client):
    case, _ = shared_case
    client.force_login(casework.firefighter)
    client.get(reverse("cases:case", args=[case.reference]))
    client.force_login(casework.officer)
    client.get(reverse("cases:case_export", args=[case.reference]))
    reads = AuditEvent.objects.filter(action="read", object_id=case.reference)
    assert sorted(
        (e.actor_username, e.object_type, e.detail["format"]) for e in reads
    ) == [
        ("fire-officer", "cases:case", "html"),
        ("pc-owner", "cases:case_export", "csv"),
    ]
    page = client.get(reverse("cases:who_viewed", args=[case.reference]))
    viewers = page.content.decode()
    assert "fire-officer" in viewers
    assert "Test Fire" in viewers


def test_the_declined_referral_takes_the_case_out_of_sight(
    casework, shared_case, client
):
    case, referral = shared_case
    client.force_login(casework.firefighter)
    url = reverse("cases:referral_decide", args=[referral.public_id])
    kept = client.post(url, {"decision": "decline", "reason": ""})
    assert kept.status_code == 400
    assert 'value="decline" checked' in kept.content.decode()
    client.post(url, {"decision": "decline", "reason": "Already visited last month"})
    referral.refresh_from_db()
    assert referral.status == "declined"
    assert client.get(reverse("cases:case", args=[case.reference])).status_code == 404
    assert AuditEvent.objects.filter(
        action="case_referral_declined", object_id=case.reference
    ).exists()


def test_no_personal_data_in_any_case_url(casework, shared_case):
    case, referral = shared_case
    person = case.involved.get().person
    for url_name in CASE_URLS:
        url = address(url_name, case, referral, casework.fire_safety)
        for value in (person.given_name, person.family_name, str(person.date_of_birth),
                      person.address.postcode.replace(" ", "")):  # fmt: skip
            assert value.lower() not in url.lower()


def test_referrals_count_for_the_fire_service_list(casework, shared_case, client):
    client.force_login(casework.firefighter)
    page = client.get(reverse("cases:list")).content.decode()
    assert "Home fire safety visit" in page
    assert Referral.objects.filter(to_agency=casework.fire).count() == 1
