"""Each casework service writes its change and the change's audit entry in
one transaction of its own (issue 28): called from a command or a test, with
no request and no middleware around it, a change whose entry cannot be
written is not kept; and the entry names the acting user and the address
the page passed."""

from __future__ import annotations

import datetime

import pytest

from saferplaces.accounts.models import AuditEvent
from saferplaces.cases.models import (
    Case,
    CaseAction,
    CasePerson,
    CaseShare,
    Incident,
    Referral,
    RiskAssessment,
)
from saferplaces.cases.services import assessment, routing, workflow
from tests.factories import make_case

PERSON = {
    "given_name": "Ada", "family_name": "Quill", "date_of_birth": None,
    "address_line": "", "postcode": "", "role": "victim",
}  # fmt: skip
INCIDENT = {
    "occurred_on": datetime.date(2026, 1, 5), "category": "asb_personal",
    "description": "", "address_line": "", "postcode": "",
}  # fmt: skip


def no_area(postcode: str) -> str:
    return ""


def open_a_case(casework, case):
    data = {**PERSON, "case_type": "asb", "hate_strand": "", "summary": "New"}
    workflow.open_case(casework.partnership.pk, data, casework.officer, no_area)


def add_a_person(casework, case):
    workflow.add_person(case, PERSON, casework.officer, no_area)


def record_an_incident(casework, case):
    workflow.record_incident(case, INCIDENT, casework.officer, no_area)


def add_an_action(casework, case):
    row = CaseAction(
        description="Visit", owner_agency=casework.police,
        target_date=datetime.date(2026, 2, 1),
    )  # fmt: skip
    workflow.add_to_case(case, row, casework.officer)


def change_the_details(casework, case):
    case.summary = "Changed"
    workflow.change_details(case, case.version, casework.officer, ["summary"])


def close_the_case(casework, case):
    workflow.close(
        case, case.version, casework.officer, "resolved", datetime.date.today()
    )


def assess_the_risk(casework, case):
    assessment.assess(case, "asb", {}, casework.officer)


def refer_the_case(casework, case):
    routing.refer(case, casework.fire_safety, casework.officer)


def share_the_case(casework, case):
    routing.share(
        case, casework.housing.pk, "Tenancy", casework.agreement, casework.officer
    )


# Each service, and what it would have written.
SERVICES = [
    (open_a_case, lambda: Case.objects.filter(summary="New").exists()),
    (add_a_person, CasePerson.objects.filter(person__given_name="Ada").exists),
    (record_an_incident, Incident.objects.filter(occurred_on__year=2026).exists),
    (add_an_action, lambda: CaseAction.objects.exists()),
    (change_the_details, lambda: Case.objects.filter(summary="Changed").exists()),
    (close_the_case, lambda: Case.objects.filter(status="closed").exists()),
    (assess_the_risk, lambda: RiskAssessment.objects.exists()),
    (refer_the_case, lambda: Referral.objects.exists()),
    (share_the_case, lambda: CaseShare.objects.exists()),
]


@pytest.mark.parametrize(
    ("service", "written"), SERVICES, ids=[s.__name__ for s, _ in SERVICES]
)
def test_a_change_whose_entry_cannot_be_written_is_not_kept(
    casework, monkeypatch, service, written
):
    case = make_case(casework)
    version = case.version

    def refused(*args, **kwargs):
        raise RuntimeError("the audit log could not be written")

    monkeypatch.setattr("saferplaces.accounts.audit.record", refused)
    with pytest.raises(RuntimeError):
        service(casework, case)
    assert not written()
    assert Case.objects.get(pk=case.pk).version == version


@pytest.mark.parametrize(
    ("service", "written"), SERVICES, ids=[s.__name__ for s, _ in SERVICES]
)
def test_a_change_is_written_with_its_entry(casework, service, written):
    case = make_case(casework)
    service(casework, case)
    assert written()
    entry = AuditEvent.objects.filter(object_type="cases:change").get()
    assert entry.actor_id == casework.officer.pk
    assert entry.action.startswith("case_")


def test_the_entry_keeps_the_address_the_page_passed(casework):
    case = make_case(casework)
    routing.refer(case, casework.fire_safety, casework.officer, ip="192.0.2.7")
    entry = AuditEvent.objects.get(action="case_referred")
    assert (entry.ip_address, entry.object_id) == ("192.0.2.7", case.reference)
    assert entry.detail == {"pathway": "Home fire safety visit", "to": "Test Fire"}
