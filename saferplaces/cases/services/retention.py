"""Retention: closed cases kept longer than the partnership's policy are
anonymised or deleted, with the people, addresses and incidents no kept
case still needs (``saferplaces cases retention``); finished ASB Case
Review applications lose their applicant's details (the register's yearly
figures stay)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from saferplaces.cases.models import (
    Address,
    Case,
    CaseAction,
    CasePolicy,
    CaseReviewApplication,
    CaseStatus,
    Disposal,
    Incident,
    Person,
    Referral,
    RiskAssessment,
    VulnerableVictimFlag,
)


@dataclass
class RetentionReport:
    cutoff: datetime.date
    action: str
    cases: list[str]
    people: int
    addresses: int
    incidents: int
    done: bool
    # ASB Case Review applications whose applicant's details go.
    applications: int = 0

    def words(self) -> str:
        verb = {"anonymise": "anonymised", "delete": "deleted"}[self.action]
        tense = verb if self.done else f"would be {verb}"
        words = (
            f"{len(self.cases)} cases closed before {self.cutoff:%d %B %Y} {tense}, "
            f"with {self.people} people, {self.addresses} addresses and "
            f"{self.incidents} incidents no open or kept case still needs."
        )
        if self.applications:
            many = "application" if self.applications == 1 else "applications"
            words += (
                f" {self.applications} ASB Case Review {many} finished before then "
                f"{tense} of the applicant's details."
            )
        return words


def retention(
    policy: CasePolicy, today: datetime.date, dry_run: bool
) -> RetentionReport:
    """Cases closed longer ago than the policy keeps them: anonymise (keep
    type, risk, area and month; remove every name, date of birth, address
    and description) or delete them, with the people, addresses and
    incidents no other kept case needs. ``dry_run``: report only."""
    cutoff = _years_before(today, policy.retention_years)
    due = Case.objects.filter(
        partnership_id=policy.partnership_id,
        status=CaseStatus.CLOSED,
        closed_on__lt=cutoff,
        anonymised_at=None,
    )
    references = list(due.values_list("reference", flat=True))
    kept = (
        Case.objects.filter(partnership_id=policy.partnership_id)
        .exclude(pk__in=due.values("pk"))
        .filter(anonymised_at=None)
    )
    people = (
        Person.objects.filter(cases__case__in=due, anonymised_at=None)
        .exclude(cases__case__in=kept)
        .distinct()
    )
    incidents = (
        Incident.objects.filter(cases__in=due).exclude(cases__in=kept).distinct()
    )
    addresses = (
        Address.objects.filter(Q(people__in=people) | Q(incidents__in=incidents))
        .exclude(people__cases__case__in=kept)
        .exclude(incidents__cases__in=kept)
        .distinct()
    )
    report = RetentionReport(
        cutoff,
        policy.after_retention,
        references,
        people.count(),
        addresses.count(),
        incidents.count(),
        done=not dry_run,
    )
    finished = _finished_applications(policy.partnership_id, cutoff)
    report.applications = finished.count()
    if dry_run or not (references or report.applications):
        return report
    with transaction.atomic():
        # The figures count the recommendations made: their text goes, the
        # fact stays.
        finished.exclude(recommendations="").update(recommendations="(removed)")
        finished.update(
            applicant_name="", applicant_contact="", decision_reason="", outcome=""
        )
        person_ids = list(people.values_list("pk", flat=True))
        incident_ids = list(incidents.values_list("pk", flat=True))
        address_ids = list(addresses.values_list("pk", flat=True))
        case_ids = list(due.values_list("pk", flat=True))
        if policy.after_retention == CasePolicy.AfterRetention.DELETE:
            Case.objects.filter(pk__in=case_ids).delete()
            Incident.objects.filter(pk__in=incident_ids).delete()
            Person.objects.filter(pk__in=person_ids).delete()
            Address.objects.filter(pk__in=address_ids).delete()
        else:
            _anonymise(case_ids, person_ids, incident_ids, address_ids)
    return report


def _anonymise(
    case_ids: list[int],
    person_ids: list[int],
    incident_ids: list[int],
    address_ids: list[int],
) -> None:
    now = timezone.now()
    Case.objects.filter(pk__in=case_ids).update(
        summary="",
        anonymised_at=now,
        officer=None,
        version=F("version") + 1,
        updated_by=None,
        updated_at=now,
    )
    CaseAction.objects.filter(case_id__in=case_ids).update(description="(removed)")
    Disposal.objects.filter(case_id__in=case_ids).update(note="")
    RiskAssessment.objects.filter(case_id__in=case_ids).update(
        answers={}, judgement_reason=""
    )
    Referral.objects.filter(case_id__in=case_ids).update(reason="", decision_reason="")
    # Why someone was vulnerable says much about who they were.
    VulnerableVictimFlag.objects.filter(person_id__in=person_ids).delete()
    Person.objects.filter(pk__in=person_ids).update(
        given_name="",
        family_name="",
        search_name="",
        date_of_birth=None,
        address=None,
        anonymised_at=now,
    )
    Incident.objects.filter(pk__in=incident_ids).update(description="", address=None)
    Address.objects.filter(pk__in=address_ids).delete()


def _finished_applications(
    partnership_id: int, cutoff: datetime.date
) -> QuerySet[CaseReviewApplication]:
    """ASB Case Review applications decided (and reviewed, where met) whose
    last step came before ``cutoff``, with an applicant still named. An
    application still waiting for a step is kept whole."""
    last = Greatest(
        "received_on",
        Coalesce("decided_on", "received_on"),
        Coalesce("review_held_on", "received_on"),
    )
    return (
        CaseReviewApplication.objects.filter(partnership_id=partnership_id)
        .exclude(applicant_name="")
        .exclude(threshold_met=None)
        .exclude(threshold_met=True, review_held_on=None)
        .annotate(last_step=last)
        .filter(last_step__lt=cutoff)
    )


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
