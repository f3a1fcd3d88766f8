"""The demo's SYNTHETIC casework gives a case worker of the README's users
domestic abuse and repeat-caller cases to own (issue 30): DASH, MARAC and
repeat callers can be tried by signing in as ``demo-police``. Built on a
bare partnership with the demo's users, not the whole demo."""

from __future__ import annotations

from collections import Counter

import pytest
from django.utils import timezone

from saferplaces.accounts.models import User
from saferplaces.cases.models import Case, CaseReviewApplication, CaseType
from saferplaces.cases.services import alerts, assessment
from saferplaces.demo.cases import DEMO_CASES, load_demo_cases
from saferplaces.demo.plan import DEMO_PARTNERSHIP_SLUG
from saferplaces.demo.users import seed_users
from saferplaces.partnership.models import Partnership

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_casework():
    Partnership.objects.create(slug=DEMO_PARTNERSHIP_SLUG, name="SYNTHETIC demo")
    seed_users()
    assert load_demo_cases([]) == DEMO_CASES


def test_demo_police_owns_domestic_abuse_and_repeat_caller_cases(demo_casework):
    police = User.objects.get(username="demo-police")
    theirs = Case.objects.filter(owner_agency=police.agency_id, status="open")
    kinds = Counter(theirs.values_list("case_type", flat=True))
    assert kinds[CaseType.DOMESTIC_ABUSE] >= 10
    assert kinds[CaseType.REPEAT_CALLER] >= 10
    today = timezone.localdate()
    callers = theirs.filter(case_type=CaseType.REPEAT_CALLER)
    found = [a.kind for case in callers for a in alerts.alerts(case, today)]
    assert "repeat_caller" in found
    abuse = theirs.filter(case_type=CaseType.DOMESTIC_ABUSE)
    assert any(assessment.marac_criteria(case, today) for case in abuse)


def test_every_type_of_case_keeps_its_number(demo_casework):
    """Only who owns a case moved: the type mix the counts publish stays."""
    kinds = Counter(Case.objects.values_list("case_type", flat=True))
    assert kinds == {
        "vulnerable_adult": 67, "asb": 67, "hate_crime": 67,
        "domestic_abuse": 67, "child_safeguarding": 66, "repeat_caller": 66,
    }  # fmt: skip


def test_the_demo_has_case_review_applications_at_every_stage(demo_casework):
    stages = {e.stage for e in CaseReviewApplication.objects.all()}
    assert {"Threshold not decided yet", "Threshold not met"} <= stages
    assert any(stage.startswith("Review held") for stage in stages)
    assert all(
        e.applicant_name.startswith("SYNTHETIC")
        for e in CaseReviewApplication.objects.all()
    )
