"""Alerts on a case page: repeat callers, victims and locations across
every agency, and the ASB Case Review threshold."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from saferplaces.cases import risk
from saferplaces.cases.models import (
    Address,
    Case,
    CasePolicy,
    CaseType,
    Incident,
    IncidentCategory,
    IncidentPerson,
    InvolvementRole,
)
from saferplaces.cases.services.assessment import CaseFacts, facts_of
from saferplaces.lib.labels import plural

ASB_CATEGORIES = (
    IncidentCategory.ASB_PERSONAL,
    IncidentCategory.ASB_NUISANCE,
    IncidentCategory.ASB_ENVIRONMENTAL,
)


@dataclass(frozen=True)
class Alert:
    kind: str
    words: str


def alerts(
    case: Case, today: datetime.date | None = None, facts: CaseFacts | None = None
) -> list[Alert]:
    """Repeat callers, victims and locations across every agency, and the
    ASB Case Review threshold, for the people and places of ``case``."""
    today = today or timezone.localdate()
    facts = facts or facts_of(case)
    policy = facts.policy
    since = today - datetime.timedelta(days=policy.repeat_window_days)
    found: list[Alert] = []
    involved = facts.involved
    person_ids = {row.person_id for row in involved}
    counts = _incident_counts(person_ids, since, today)
    window = risk.window_words(policy.repeat_window_days)
    for row in involved:
        for role, noun in (
            (InvolvementRole.VICTIM, "victim"),
            (InvolvementRole.REPORTER, "caller"),
        ):
            n, agencies = counts.get((row.person_id, role), (0, 0))
            if row.role == role and n >= policy.repeat_count:
                found.append(
                    Alert(
                        f"repeat_{noun}",
                        f"Repeat {noun}: {row.person} is the {noun} in {n} "
                        f"incidents in the last {window}, recorded by {agencies} "
                        f"{plural(agencies, 'agency', 'agencies')}.",
                    )
                )
    found += _location_alerts(case, policy, since, today)
    if case.case_type == CaseType.ASB:
        found += _case_review(facts, today)
    return found


def _incident_counts(
    person_ids: set[int], since: datetime.date, today: datetime.date
) -> dict[tuple[int, str], tuple[int, int]]:
    rows = (
        IncidentPerson.objects.filter(
            person_id__in=person_ids,
            incident__occurred_on__gt=since,
            incident__occurred_on__lte=today,
        )
        .values("person_id", "role")
        .annotate(
            n=Count("incident", distinct=True),
            agencies=Count("incident__reporting_agency", distinct=True),
        )
    )
    return {(r["person_id"], r["role"]): (r["n"], r["agencies"]) for r in rows}


def _location_alerts(
    case: Case, policy: CasePolicy, since: datetime.date, today: datetime.date
) -> list[Alert]:
    places = case.incidents.exclude(address=None).values("address_id")
    rows = (
        Incident.objects.filter(
            address_id__in=places, occurred_on__gt=since, occurred_on__lte=today
        )
        .values("address_id")
        .annotate(n=Count("pk"), agencies=Count("reporting_agency", distinct=True))
        .filter(n__gte=policy.repeat_count)
    )
    addresses = Address.objects.in_bulk([r["address_id"] for r in rows])
    return [
        Alert(
            "repeat_location",
            f"Repeat location: {addresses[r['address_id']]} has {r['n']} incidents "
            f"in the last {risk.window_words(policy.repeat_window_days)}, recorded by "
            f"{r['agencies']} {plural(r['agencies'], 'agency', 'agencies')}.",
        )
        for r in rows
    ]


def _case_review(facts: CaseFacts, today: datetime.date) -> list[Alert]:
    policy = facts.policy
    since = today - datetime.timedelta(days=policy.case_review_window_days)
    reports = (
        Incident.objects.filter(
            involved__person_id__in=facts.people(InvolvementRole.VICTIM),
            involved__role__in=(InvolvementRole.VICTIM, InvolvementRole.REPORTER),
            category__in=ASB_CATEGORIES,
            occurred_on__gt=since,
            occurred_on__lte=today,
        )
        .distinct()
        .count()
    )
    if reports < policy.case_review_reports:
        return []
    window = risk.window_words(policy.case_review_window_days)
    return [
        Alert(
            "case_review",
            f"ASB Case Review threshold met: {reports} reports of anti-social "
            f"behaviour in the last {window} "
            f"(threshold {policy.case_review_reports}). The victim may ask for a "
            "case review.",
        )
    ]
