"""The ASB Case Review register (the community trigger, issue 30): an
application received, the threshold decided, the review held, its
recommendations and outcome; and the four figures a council publishes each
year, exact, within the partnership only."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from saferplaces.accounts.models import AuditEvent, Role
from saferplaces.cases.models import CasePolicy, CaseReviewApplication
from saferplaces.cases.services import case_reviews, retention
from saferplaces.partnership.models import Partnership
from tests.factories import UserFactory, make_case


def application(casework, received, met=None, held=None, recommendations="", **kw):
    return CaseReviewApplication.objects.create(
        partnership=casework.partnership, received_on=received,
        applicant_name="SYNTHETIC Applicant", threshold_met=met,
        decided_on=received if met is not None else None, review_held_on=held,
        recommendations=recommendations, **kw,
    )  # fmt: skip


def test_an_application_is_received_decided_and_reviewed(casework, client):
    case = make_case(casework, case_type="asb")
    client.force_login(casework.officer)
    received = client.post(reverse("cases:case_review_new"), {
        "received_on": "2025-06-02", "applicant_name": "Carys Dunmore",
        "applicant_contact": "0121 000 0000", "case_reference": case.reference,
        "area_code": "",
    })  # fmt: skip
    assert received.status_code == 302
    entry = CaseReviewApplication.objects.get()
    assert (entry.case, entry.threshold_met) == (case, None)
    url = reverse("cases:case_review", args=[entry.public_id])
    page = client.get(url).content.decode()
    assert "Carys Dunmore" in page
    assert "Threshold not decided yet" in page
    decided = client.post(url, {
        "version": entry.version, "threshold": "met", "decided_on": "2025-06-20",
        "decision_reason": "Three reports in six months",
        "review_held_on": "2025-07-10",
        "recommendations": "Mediation; a CPW for the neighbour", "outcome": "",
    })  # fmt: skip
    assert decided.status_code == 302
    entry.refresh_from_db()
    assert entry.threshold_met is True
    assert entry.review_held_on == datetime.date(2025, 7, 10)
    assert entry.stage == "Review held: recommendations made"
    actions = list(
        AuditEvent.objects.filter(object_id=str(entry.public_id)).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["case_review_received", "case_review_updated", "read"]


def test_a_review_cannot_be_held_where_the_threshold_was_not_met(casework, client):
    entry = application(casework, datetime.date(2025, 5, 1))
    client.force_login(casework.officer)
    url = reverse("cases:case_review", args=[entry.public_id])
    refused = client.post(url, {
        "version": entry.version, "threshold": "not_met", "decided_on": "2025-04-20",
        "decision_reason": "", "review_held_on": "2025-05-20",
        "recommendations": "Typed and kept", "outcome": "",
    })  # fmt: skip
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "The decision cannot come before the application was received" in page
    assert "A review is held only where the threshold is met" in page
    assert "Typed and kept" in page
    entry.refresh_from_db()
    assert entry.threshold_met is None


def test_an_unknown_case_reference_is_refused_in_words(casework, client):
    theirs = make_case(casework, owner=casework.housing)
    client.force_login(casework.officer)
    refused = client.post(reverse("cases:case_review_new"), {
        "received_on": "2025-06-02", "applicant_name": "Carys Dunmore",
        "applicant_contact": "", "case_reference": theirs.reference, "area_code": "",
    })  # fmt: skip
    assert refused.status_code == 400
    assert "No case you may see has the reference" in refused.content.decode()
    assert not CaseReviewApplication.objects.exists()


def test_the_yearly_figures_count_each_financial_year(casework):
    day = datetime.date
    application(casework, day(2024, 4, 1), met=False)
    application(casework, day(2024, 9, 1), met=True, held=day(2024, 10, 1),
                recommendations="Mediation")  # fmt: skip
    application(casework, day(2025, 3, 20), met=True, held=day(2025, 4, 15))
    application(casework, day(2025, 3, 31))  # not decided yet
    application(casework, day(2025, 4, 1), met=False)
    figures = case_reviews.yearly_figures(casework.partnership.pk)
    assert [
        (f.year, f.received, f.threshold_not_met, f.reviews, f.with_recommendations)
        for f in figures
    ] == [("2024/25", 4, 1, 1, 1), ("2025/26", 1, 1, 1, 0)]


def test_figures_and_register_are_the_partnerships_own(casework, client):
    ours = application(casework, datetime.date(2025, 5, 1), met=False)
    other = Partnership.objects.create(slug="other", name="Other CSP")
    theirs = CaseReviewApplication.objects.create(
        partnership=other, received_on=datetime.date(2025, 5, 2),
        applicant_name="SYNTHETIC Elsewhere",
    )  # fmt: skip
    client.force_login(casework.officer)
    register = client.get(reverse("cases:case_reviews")).content.decode()
    assert str(ours.public_id) in register
    assert str(theirs.public_id) not in register
    assert "SYNTHETIC Applicant" not in register  # applicants on their own page
    url = reverse("cases:case_review", args=[theirs.public_id])
    assert client.get(url).status_code == 404
    analyst = casework.worker("analyst", casework.police, Role.ANALYST)
    client.force_login(analyst)
    assert (
        client.get(reverse("cases:case_review", args=[ours.public_id])).status_code
        == 403
    )
    figures = client.get(reverse("cases:case_review_figures")).content.decode()
    assert "Test CSP" in figures
    assert "Other CSP" not in figures
    csv = client.get(reverse("cases:case_review_figures_csv")).content.decode()
    assert "test-csp,2025/26,1,1,0,0" in csv
    assert "other" not in csv.split("\n", 1)[1]
    client.force_login(casework.officer)
    assert client.get(reverse("cases:case_review_figures")).status_code == 403
    outsider = UserFactory(role=Role.CASE_WORKER, role__partnerships=[other])
    client.force_login(outsider)
    assert (
        client.get(reverse("cases:case_review", args=[ours.public_id])).status_code
        == 404
    )


def test_retention_removes_the_applicant_and_keeps_the_figures(casework):
    today = timezone.localdate()
    long_ago = today - datetime.timedelta(days=8 * 366)
    old = application(casework, long_ago, met=True,
                      held=long_ago + datetime.timedelta(days=30),
                      recommendations="SYNTHETIC: mediation for Carys")  # fmt: skip
    undecided = application(casework, long_ago)  # not finished: kept whole
    recent = application(casework, today - datetime.timedelta(days=30), met=False)
    before = case_reviews.yearly_figures(casework.partnership.pk)
    policy = CasePolicy.of(casework.partnership.pk)
    preview = retention.retention(policy, today, dry_run=True)
    assert preview.applications == 1
    assert CaseReviewApplication.objects.get(pk=old.pk).applicant_name
    report = retention.retention(policy, today, dry_run=False)
    assert "1 ASB Case Review application" in report.words()
    old.refresh_from_db()
    assert (old.applicant_name, old.applicant_contact) == ("", "")
    assert "Carys" not in old.recommendations
    for kept in (undecided, recent):
        kept.refresh_from_db()
        assert kept.applicant_name == "SYNTHETIC Applicant"
    assert case_reviews.yearly_figures(casework.partnership.pk) == before
