"""Issue 16's journey in chromium, with axe on every casework page: a
police officer refers a vulnerable victim to the fire service in two
clicks, the fire service officer sees only that case and decides, the
owner sees who looked, and an analyst counts cases without seeing anyone."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.cases.models import CaseReviewApplication
from tests.browser.support import axe_violations, sign_in_as
from tests.factories import build_casework, make_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def casework(transactional_db):
    return build_casework()


def test_refer_in_two_clicks_decide_and_see_who_looked(page, live_server, casework):
    edna = make_case(casework, summary="Lives alone; smoke alarms not working.")
    other = make_case(casework, given="Bilal", family="Coleby", case_type="asb")
    sign_in_as(page, live_server, casework.officer)
    page.goto(reverse("cases:list"))
    assert axe_violations(page) == []
    page.get_by_role("link", name=edna.reference).click()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Refer to Test Fire: Home fire safety visit").click()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Send the referral").click()
    page.get_by_text("Referred to Test Fire").wait_for()
    assert (
        "Test Fire: Referral: Home fire safety visit"
        in page.get_by_test_id("shares").inner_text()
    )

    for url in (reverse("cases:search"), reverse("cases:new"),
                reverse("cases:assess", args=[edna.reference, "dash"])):  # fmt: skip
        page.goto(url)
        page.locator("main form button[type=submit]").click()
        page.get_by_text("There is a problem").or_(page.get_by_text("Assessed")).or_(
            page.get_by_text("Cases found")
        ).first.wait_for()
        assert axe_violations(page) == [], url

    sign_in_as(page, live_server, casework.firefighter)
    page.goto(reverse("cases:list"))
    listed = page.locator("main").inner_text()
    assert edna.reference in listed
    assert other.reference not in listed
    page.get_by_role("link", name=re.compile("Home fire safety visit")).first.click()
    assert axe_violations(page) == []
    page.get_by_label("Accept the referral").check()
    page.get_by_role("button", name="Save the decision").click()
    page.get_by_test_id("shared-notice").wait_for()
    assert axe_violations(page) == []

    sign_in_as(page, live_server, casework.officer)
    page.goto(reverse("cases:who_viewed", args=[edna.reference]))
    assert "fire-officer" in page.get_by_test_id("viewers").inner_text()
    assert axe_violations(page) == []

    analyst = casework.worker("counter", casework.police, Role.ANALYST)
    sign_in_as(page, live_server, analyst)
    page.goto(reverse("cases:counts"))
    text = page.locator("main").inner_text()
    assert "Hollis" not in text
    assert "CASE-" not in text
    assert axe_violations(page) == []


CASE_FORMS = [
    ("cases:case_edit", {}), ("cases:person_add", {}), ("cases:incident_add", {}),
    ("cases:action_add", {}), ("cases:disposal_add", {}),
    ("cases:assess", {"kind": "asb"}), ("cases:share", {}), ("cases:close", {}),
    ("cases:assess", {"kind": "dash"}), ("cases:vulnerability", {"row": "{row}"}),
]  # fmt: skip


def test_every_case_form_and_rules_page_passes_axe_blank_and_refused(
    page, live_server, casework
):
    """Each form of a case, as the owner sees it and as it comes back with
    errors, and the partnership administrator's rules pages."""
    case = make_case(casework, case_type="asb")
    sign_in_as(page, live_server, casework.officer)
    failures = {}
    row = str(case.involved.get().pk)
    for name, extra in CASE_FORMS:
        kwargs = {k: v.format(row=row) for k, v in extra.items()}
        url = reverse(name, kwargs={"reference": case.reference, **kwargs})
        page.goto(url)
        if violations := axe_violations(page):
            failures[url] = violations
        if name in ("cases:action_add", "cases:share", "cases:close") or (
            extra.get("kind") == "dash"
        ):
            page.locator("main form button[type=submit]").first.click()
            page.get_by_text("There is a problem").wait_for()
            if violations := axe_violations(page):
                failures[f"{url} refused"] = violations

    entry = CaseReviewApplication.objects.create(
        partnership=casework.partnership, received_on=datetime.date(2025, 5, 1),
        applicant_name="SYNTHETIC Applicant",
    )  # fmt: skip
    for url in (
        reverse("cases:case_reviews"),
        reverse("cases:case_review", args=[entry.public_id]),
        reverse("cases:case_review_new"),
    ):
        page.goto(url)
        if violations := axe_violations(page):
            failures[url] = violations
    page.locator("main form button[type=submit]").first.click()
    page.get_by_text("There is a problem").wait_for()
    if violations := axe_violations(page):
        failures["case_review_new refused"] = violations

    admin = casework.worker("csp-admin", casework.police, Role.ADMINISTRATOR)
    sign_in_as(page, live_server, admin)
    slug = casework.partnership.slug
    for url in (
        reverse("cases:settings"),
        reverse("cases:settings_policy", kwargs={"partnership": slug}),
        reverse("cases:rule_new", kwargs={"partnership": slug}),
        reverse("cases:rule_edit",
                kwargs={"partnership": slug, "pk": casework.fire_safety.pk}),
        reverse("cases:case_review_figures"),
    ):  # fmt: skip
        page.goto(url)
        if violations := axe_violations(page):
            failures[url] = violations
    page.goto(reverse("cases:rule_new", kwargs={"partnership": slug}))
    page.locator("main form button[type=submit]").first.click()
    page.get_by_text("There is a problem").wait_for()
    if violations := axe_violations(page):
        failures["rule_new refused"] = violations
    assert failures == {}


def test_the_loop_closes_an_outcome_comes_back_and_a_done_action_leaves_the_caseload(
    page, live_server, casework
):
    """Issue 30: the police refer, the fire service accepts, records "Alarms
    fitted" and completes the referral, and the police see the outcome; an
    action marked done leaves the officer's caseload."""
    import datetime

    from django.utils import timezone

    from saferplaces.cases.models import CaseAction

    casework.fire_safety.outcomes = ["Alarms fitted", "Declined", "No access"]
    casework.fire_safety.save()
    edna = make_case(casework, officer=casework.officer)
    CaseAction.objects.create(
        case=edna, description="Visit Edna with the fire service",
        owner_agency=casework.police,
        target_date=timezone.localdate() - datetime.timedelta(days=2),
    )  # fmt: skip
    sign_in_as(page, live_server, casework.officer)
    page.goto(reverse("cases:case", args=[edna.reference]))
    page.get_by_role("link", name="Refer to Test Fire: Home fire safety visit").click()
    page.get_by_role("button", name="Send the referral").click()
    page.get_by_text("Referred to Test Fire").wait_for()

    sign_in_as(page, live_server, casework.firefighter)
    page.goto(reverse("cases:case", args=[edna.reference]))
    page.get_by_role("link", name=re.compile("^Decide")).click()
    page.get_by_label("Accept the referral").check()
    page.get_by_role("button", name="Save the decision").click()
    page.get_by_role("link", name=re.compile("^Record the outcome")).click()
    assert axe_violations(page) == []
    page.get_by_label("Alarms fitted").check()
    page.get_by_label("What was done (optional)").fill("Two alarms fitted.")
    page.get_by_label(re.compile("complete the referral")).check()
    page.get_by_role("button", name="Save the outcome").click()
    page.get_by_text("Referral completed: Alarms fitted").wait_for()
    assert axe_violations(page) == []

    sign_in_as(page, live_server, casework.officer)
    page.goto(reverse("cases:case", args=[edna.reference]))
    outcome = page.get_by_test_id("referrals").inner_text()
    assert "Completed" in outcome
    assert "Alarms fitted" in outcome
    assert "Two alarms fitted." in outcome

    page.goto(reverse("cases:caseload"))
    assert axe_violations(page) == []
    overdue = page.get_by_test_id("overdue")
    assert "Visit Edna with the fire service" in overdue.inner_text()
    overdue.get_by_role("button", name=re.compile("^Mark done")).click()
    page.get_by_text("Done: Visit Edna with the fire service").wait_for()
    assert "Visit Edna" not in page.get_by_test_id("overdue").inner_text()
    assert "Visit Edna" not in page.get_by_test_id("due").inner_text()
