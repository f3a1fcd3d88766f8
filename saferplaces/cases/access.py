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

from django.db.models import Exists, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast

from saferplaces.accounts import audit
from saferplaces.accounts.models import AuditEvent
from saferplaces.accounts.permissions import ROLE_CAPABILITIES, Capability, roles
from saferplaces.cases.models import Case, CaseShare, Person

# Audit object types that record a look at one case (the read audit names
# entries by view; search hits and exports are recorded here). Search hits
# were once recorded one entry per case; older entries keep that type.
SEARCH_HIT = "cases:search_hit"
SEARCH = "cases:search"
CASE_LIST = "cases:list"
# Lists recorded as one entry naming the cases shown (issue 30): the key of
# the detail that holds their references, and what the look was in words.
LISTS: dict[str, tuple[str, str]] = {
    SEARCH: ("hits", "Found in a search"),
    CASE_LIST: ("cases", "Listed among your cases"),
}
DUPLICATE_HIT = "cases:duplicate_hit"
CASE_VIEWS = (
    "cases:case",
    "cases:case_edit",
    "cases:case_export",
    "cases:assess",
    "cases:refer",
    "cases:share",
    "cases:person_add",
    "cases:vulnerability",
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
    """A search hit is a look at a case: one entry for the search, naming
    every case it showed and which fields were searched (never what was
    typed: that is personal data)."""
    audit.record(
        "case_search",
        request=request,
        object_type=SEARCH,
        detail={"searched": searched, "hits": [c.reference for c in cases]},
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
    """Every recorded look at ``case``: pages, changes, searches and lists
    that showed it, exports; newest first. A list's one entry names its
    cases in its detail; references are random and of fixed length, so
    one found in the detail's text is that case's."""
    in_a_list = AuditEvent.objects.annotate(
        detail_text=Cast("detail", output_field=TextField())
    ).filter(object_type__in=LISTS, detail_text__contains=f'"{case.reference}"')
    return AuditEvent.objects.filter(
        Q(object_type__in=CASE_VIEWS, object_id=case.reference)
        | Q(pk__in=in_a_list.values("pk"))
    ).order_by("-at", "-id")[:limit]


def list_look(event: AuditEvent) -> str:
    """What a search or a list that showed the case was, in words ("" for
    any other look)."""
    if event.object_type == SEARCH_HIT:
        return LISTS[SEARCH][1]
    return LISTS[event.object_type][1] if event.object_type in LISTS else ""
