"""A caseload: what is waiting on a case worker, or on their whole agency.
Read only: open cases, case actions not done (overdue first), and referrals
sent to the agency waiting for a decision or, once accepted, for their
outcome. Everything comes through ``access.visible_cases`` (need to know),
so nothing of another agency's unshared cases or another partnership is in
it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from saferplaces.cases import access
from saferplaces.cases.models import (
    Case,
    CaseAction,
    CaseStatus,
    Referral,
    ReferralStatus,
)


@dataclass(frozen=True)
class Caseload:
    whole_agency: bool
    cases: QuerySet[Case]
    overdue: list[CaseAction]
    due: list[CaseAction]
    to_decide: QuerySet[Referral]
    to_finish: QuerySet[Referral]


def caseload(user: Any, today: datetime.date, *, whole_agency: bool) -> Caseload:
    """``user``'s caseload (the cases they are officer of, and those cases'
    actions), or with ``whole_agency`` their agency's (every open case it
    owns, and every action it does on a case it may see). Referrals are the
    agency's either way: any of its case workers may decide one."""
    visible = access.visible_cases(user)
    open_cases = visible.filter(status=CaseStatus.OPEN)
    owned = open_cases.filter(owner_agency_id=user.agency_id)
    actions = CaseAction.objects.filter(
        case__in=open_cases, done_on__isnull=True
    ).select_related("case", "owner_agency")
    if whole_agency:
        cases = owned
        actions = actions.filter(owner_agency_id=user.agency_id)
    else:
        cases = owned.filter(officer=user)
        actions = actions.filter(case__officer=user)
    received = Referral.objects.filter(
        to_agency_id=user.agency_id, case__in=visible
    ).select_related("case", "from_agency")
    pending = list(actions)
    return Caseload(
        whole_agency=whole_agency,
        cases=cases.select_related("owner_agency"),
        overdue=[a for a in pending if a.is_overdue(today)],
        due=[a for a in pending if not a.is_overdue(today)],
        to_decide=received.filter(status=ReferralStatus.WAITING).order_by("due_by"),
        to_finish=received.filter(status=ReferralStatus.ACCEPTED).order_by(
            "decided_at"
        ),
    )
