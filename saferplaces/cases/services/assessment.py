"""Risk in a case: keeping an assessment (DASH or the partnership's ASB
questions) and the MARAC criteria a case meets. The rules themselves are
plain functions over plain values in ``saferplaces.cases.risk`` (tested
without a database); this module reads the case for them and keeps what
they decide."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from saferplaces.cases import risk
from saferplaces.cases.models import (
    AsbRiskQuestion,
    AssessmentKind,
    Case,
    CasePerson,
    CasePolicy,
    CaseType,
    Incident,
    IncidentCategory,
    InvolvementRole,
    Referral,
    RiskAssessment,
)
from saferplaces.cases.services.workflow import record_change


def assess(
    case: Case,
    kind: str,
    answers: dict[int, str],
    user: Any,
    judged: str = "",
    judgement_reason: str = "",
    *,
    ip: str | None = None,
) -> RiskAssessment:
    """Score and keep an assessment (each answer yes, no or not known),
    audited; the case takes its level.
    ``risk.RiskError`` when the judgement breaks a rule, nothing written."""
    if kind == AssessmentKind.DASH:
        scored = risk.dash(answers, judged, judgement_reason)
    else:
        policy = CasePolicy.of(case.partnership_id)
        weights = dict(
            AsbRiskQuestion.objects.filter(
                partnership_id=case.partnership_id
            ).values_list("number", "weight")
        )
        scored = risk.asb(
            answers,
            weights,
            policy.asb_medium_score,
            policy.asb_high_score,
            judged,
            judgement_reason,
        )
    why = (
        "Re-assessment after new incidents"
        if case.needs_reassessment
        else ("Re-assessment" if case.assessments.exists() else "First assessment")
    )
    with transaction.atomic():
        assessment = RiskAssessment.objects.create(
            case=case,
            kind=kind,
            answers={str(k): v for k, v in answers.items()},
            score=scored.score,
            scored_level=scored.scored_level,
            level=scored.level,
            judgement_reason=scored.judgement_reason,
            reason=why,
            assessed_by=user,
        )
        Case.objects.filter(pk=case.pk).update(
            risk_level=scored.level,
            needs_reassessment=False,
            version=F("version") + 1,
            updated_by=user,
            updated_at=timezone.now(),
        )
        record_change(case, "assessed", user, ip, kind=kind, level=assessment.level)
    return assessment


@dataclass
class CaseFacts:
    """What the rules read about a case, fetched once for a page."""

    policy: CasePolicy
    involved: list[CasePerson]
    latest_dash: RiskAssessment | None

    def people(self, role: str) -> list[int]:
        return [row.person_id for row in self.involved if row.role == role]


def facts_of(case: Case) -> CaseFacts:
    latest = None
    if case.case_type == CaseType.DOMESTIC_ABUSE:
        latest = case.assessments.filter(kind=AssessmentKind.DASH).first()
    return CaseFacts(
        CasePolicy.of(case.partnership_id),
        list(
            case.involved.select_related("person__address").prefetch_related(
                "person__vulnerability_flags"
            )
        ),
        latest,
    )


def marac_criteria(
    case: Case, today: datetime.date, facts: CaseFacts | None = None
) -> list[str]:
    """The MARAC criteria a domestic abuse case meets (empty: none, or not
    a domestic abuse case)."""
    if case.case_type != CaseType.DOMESTIC_ABUSE:
        return []
    facts = facts or facts_of(case)
    latest, policy = facts.latest_dash, facts.policy
    victims = facts.people(InvolvementRole.VICTIM)
    incident_days = (
        Incident.objects.filter(
            involved__person__in=victims, involved__role=InvolvementRole.VICTIM
        )
        .filter(category=IncidentCategory.DOMESTIC)
        .values_list("occurred_on", flat=True)
        .distinct()
    )
    earlier = Referral.objects.filter(
        pathway=risk.MARAC, case__involved__person__in=victims
    ).values_list("made_at", flat=True)
    return risk.marac_criteria(
        level=latest.level if latest else case.risk_level,
        judged_high=bool(latest and latest.level == "high" and latest.judgement_reason),
        incident_dates=list(incident_days),
        earlier_marac_referrals=[moment.date() for moment in earlier],
        today=today,
        thresholds=risk.MaracThresholds(
            policy.marac_escalation_incidents, policy.marac_window_days
        ),
    )
