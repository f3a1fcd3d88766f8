"""Need to know: which cases a person may see, and the audit of every
read that is not a page view (search hits, exports).

A case is visible to case workers of its owner agency and of agencies it is
shared with (an active share), in the partnership where they hold the case
worker role. No other role sees a case, not even a site administrator:
running the installation is not a need to know. Analysts and partnership
administrators see counts (``aggregates``), never a person.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from saferplaces.accounts import audit
from saferplaces.accounts.models import AuditEvent
from saferplaces.accounts.permissions import ROLE_CAPABILITIES, Capability, roles
from saferplaces.cases.models import Case, CaseShare, Person

# Audit object types that record a look at one case (the read audit names
# entries by view; search hits and exports are recorded here).
SEARCH_HIT = "cases:search_hit"
DUPLICATE_HIT = "cases:duplicate_hit"
CASE_VIEWS = (
    "cases:case",
    "cases:case_edit",
    "cases:case_export",
    "cases:assess",
    "cases:refer",
    "cases:share",
    "cases:person_add",
    "cases:incident_add",
    "cases:action_add",
    "cases:disposal_add",
    "cases:close",
    "cases:who_viewed",
    "cases:change",
    SEARCH_HIT,
    DUPLICATE_HIT,
)


def casework_partnerships(user: Any) -> list[int]:
    """The partnerships where ``user`` holds a role that works cases."""
    if not (user.is_authenticated and user.is_active):
        return []
    return [
        pid
        for pid, role in roles(user).items()
        if Capability.WORK_CASES in ROLE_CAPABILITIES[role]
    ]


def visible_cases(user: Any) -> QuerySet[Case]:
    """The cases ``user`` may see: owned by their agency or shared with it,
    in a partnership where they work cases."""
    partnerships = casework_partnerships(user)
    if not partnerships:
        return Case.objects.none()
    shared = CaseShare.objects.filter(
        case=OuterRef("pk"), agency_id=user.agency_id, ended_at__isnull=True
    )
    return Case.objects.filter(partnership_id__in=partnerships).filter(
        Q(owner_agency_id=user.agency_id) | Exists(shared)
    )


def owns(user: Any, case: Case) -> bool:
    return bool(case.owner_agency_id == user.agency_id)


def visible_people(user: Any) -> QuerySet[Person]:
    """People involved in a case the user may see."""
    return Person.objects.filter(cases__case__in=visible_cases(user)).distinct()


def record_hits(request: Any, cases: list[Case], searched: list[str]) -> None:
    """A search hit is a look at a case: one entry per case shown, naming
    which fields were searched (never what was typed: that is personal
    data)."""
    audit.record(
        "case_search",
        request=request,
        object_type="cases:search",
        detail={"searched": searched, "hits": [c.reference for c in cases]},
    )
    for case in cases:
        audit.record(
            "case_search_hit",
            request=request,
            object_type=SEARCH_HIT,
            object_id=case.reference,
            detail={"searched": searched},
        )


def record_duplicate_check(
    request: Any, matched: list[str], searched: list[str]
) -> None:
    """A duplicate-person check tells the worker that someone is recorded,
    even in cases they cannot see: each check is kept with every case it
    matched (never shown to them), and each matched case shows it among
    those who looked. As for searches, what was typed is not kept."""
    audit.record(
        "duplicate_check",
        request=request,
        object_type="cases:duplicates",
        detail={"searched": searched, "matched_cases": matched},
    )
    for reference in matched:
        audit.record(
            "duplicate_check_hit",
            request=request,
            object_type=DUPLICATE_HIT,
            object_id=reference,
            detail={"searched": searched},
        )


def who_viewed(case: Case, limit: int = 200) -> QuerySet[AuditEvent]:
    """Every recorded look at ``case``: pages, changes, search hits,
    exports; newest first."""
    return AuditEvent.objects.filter(
        object_type__in=CASE_VIEWS, object_id=case.reference
    ).order_by("-at", "-id")[:limit]
