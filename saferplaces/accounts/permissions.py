"""Who may do what: the one place permissions are decided.

Views are guarded by ``requires``; the links a person sees come from
``links_for``. Both read ``ROLE_CAPABILITIES``, so a page and its link can
never disagree, and templates never test roles themselves.

A role is held in a partnership (``Membership``): ``can(user, c, p)`` asks
about partnership ``p``; without ``p`` it asks whether any of the person's
partnerships grants ``c``. Site capabilities (the installation's admin and
its whole audit log) belong to site administrators alone, never to a role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache, wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse

from saferplaces.accounts import audit
from saferplaces.accounts.models import Membership, Role


class Capability(StrEnum):
    """Something a role may do. Later features add their own."""

    USE_SERVICE = "use_service"
    VIEW_AUDIT_LOG = "view_audit_log"
    ADMINISTER = "administer"
    # Edit any action of the plan; without it, only your own groups' actions.
    EDIT_ANY_ACTION = "edit_any_action"
    # Run the partnership's plan: publish or withdraw it (the partnership
    # administrator is its manager).
    MANAGE_PLAN = "manage_plan"
    # Open and work problem-solving records (tasking, SARA).
    SOLVE_PROBLEMS = "solve_problems"
    # Casework: open, read and change the cases your agency owns or that
    # are shared with it (need to know), refer, share, search.
    WORK_CASES = "work_cases"
    # Counts of cases by type, risk and area: never a person.
    COUNT_CASES = "count_cases"
    # The partnership's casework rules: routing, agreements, thresholds.
    CONFIGURE_CASES = "configure_cases"


# Held by site administrators only: no role in a partnership grants them.
SITE_CAPABILITIES = frozenset({Capability.VIEW_AUDIT_LOG, Capability.ADMINISTER})

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.ADMINISTRATOR: frozenset(
        {
            Capability.USE_SERVICE,
            Capability.EDIT_ANY_ACTION,
            Capability.MANAGE_PLAN,
            Capability.SOLVE_PROBLEMS,
            Capability.COUNT_CASES,
            Capability.CONFIGURE_CASES,
        }
    ),
    Role.ANALYST: frozenset(
        {
            Capability.USE_SERVICE,
            Capability.EDIT_ANY_ACTION,
            Capability.SOLVE_PROBLEMS,
            Capability.COUNT_CASES,
        }
    ),
    Role.GROUP_LEAD: frozenset({Capability.USE_SERVICE, Capability.SOLVE_PROBLEMS}),
    Role.CASE_WORKER: frozenset({Capability.USE_SERVICE, Capability.WORK_CASES}),
    Role.VIEWER: frozenset({Capability.USE_SERVICE}),
}


def roles(user: Any) -> dict[int, Role]:
    """The person's role in each partnership they belong to, by partnership id.

    Read once per request: kept on the user object, which lives as long as
    the request does.
    """
    cached: dict[int, Role] | None = getattr(user, "_partnership_roles", None)
    if cached is None:
        cached = {
            partnership_id: Role(role)
            for partnership_id, role in Membership.objects.filter(
                user_id=user.pk
            ).values_list("partnership_id", "role")
        }
        user._partnership_roles = cached
    return cached


def is_site_administrator(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_site_administrator)


def partnership_ids(user: Any) -> frozenset[int] | None:
    """The partnerships ``user`` may see: None means every one (a site
    administrator); an empty set means none."""
    if is_site_administrator(user):
        return None
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    return frozenset(roles(user))


def can(user: Any, capability: Capability, partnership_id: int | None = None) -> bool:
    """True if ``user`` is signed in and active, and a site administrator or
    holds a role granting ``capability`` in the partnership (in any of
    theirs when ``partnership_id`` is None)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_site_administrator:
        return True
    if capability in SITE_CAPABILITIES:
        return False
    held = roles(user)
    if partnership_id is not None:
        held = {partnership_id: held[partnership_id]} if partnership_id in held else {}
    return any(capability in ROLE_CAPABILITIES[role] for role in held.values())


def can_edit_action(user: Any, action: Any) -> bool:
    """Partnership administrators and analysts edit any action of their
    partnership; a group's lead and members edit that group's actions;
    everyone else reads."""
    return can_edit_group_actions(user, action.group)


def can_edit_group_actions(user: Any, group: Any) -> bool:
    if can(user, Capability.EDIT_ANY_ACTION, group.partnership_id):
        return True
    if not can(user, Capability.USE_SERVICE, group.partnership_id):
        return False
    return bool(group.lead_id == user.pk or group.members.filter(pk=user.pk).exists())


View = Callable[..., HttpResponseBase]


def requires(capability: Capability) -> Callable[[View], View]:
    """Guard a view: anonymous users go to sign in, others without the
    capability get a 403 page and an audit entry."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(
            request: HttpRequest, *args: Any, **kwargs: Any
        ) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can(request.user, capability):
                audit.record(
                    "permission_denied",
                    request=request,
                    detail={"path": request.path, "capability": str(capability)},
                )
                return render(request, "403.html", status=403)
            return view(request, *args, **kwargs)

        guarded.required_capability = capability  # type: ignore[attr-defined]
        return guarded

    return decorate


@dataclass(frozen=True)
class Link:
    """A link in the service navigation and on the signed-in home page."""

    label: str
    url_name: str
    capability: Capability
    description: str


LINKS: list[Link] = [
    Link(
        "Dashboard",
        "dashboard:overview",
        Capability.USE_SERVICE,
        "The plan's outcome measures: latest figures, trends and signals.",
    ),
    Link(
        "Map",
        "dashboard:map",
        Capability.USE_SERVICE,
        "Any measure by ward or LSOA, as a map and a table.",
    ),
    Link(
        "Partnership plan",
        "partnership:plan",
        Capability.USE_SERVICE,
        "Priorities, groups and actions, and posting progress on your actions.",
    ),
    Link(
        "Progress against the plan",
        "partnership:progress",
        Capability.USE_SERVICE,
        "Actions on track, at risk, overdue and complete, by priority and group.",
    ),
    Link(
        "Tasking",
        "tasking:choose",
        Capability.USE_SERVICE,
        "Hot spots, the places with most incidents and concerns, for an area.",
    ),
    Link(
        "Cases",
        "cases:list",
        Capability.WORK_CASES,
        "Cases your agency owns or that are shared with it; referrals to decide.",
    ),
    Link(
        "Caseload",
        "cases:caseload",
        Capability.WORK_CASES,
        "Your open cases, actions due and overdue, and referrals waiting on you.",
    ),
    Link(
        "Case counts",
        "cases:counts",
        Capability.COUNT_CASES,
        "Cases by type, risk and area each month: counts only, never a person.",
    ),
    Link(
        "Casework rules",
        "cases:settings",
        Capability.CONFIGURE_CASES,
        "Referral pathways, sharing agreements and thresholds for casework.",
    ),
    Link(
        "Your account",
        "accounts:account",
        Capability.USE_SERVICE,
        "Your agency and role, and changing your password.",
    ),
    Link(
        "Audit log",
        "accounts:audit_log",
        Capability.VIEW_AUDIT_LOG,
        "Who signed in, what they looked at and what they changed.",
    ),
    Link(
        "Administration",
        "admin:index",
        Capability.ADMINISTER,
        "Partnerships, agencies, users and their roles.",
    ),
]


@dataclass(frozen=True)
class ResolvedLink:
    label: str
    href: str
    description: str


def links_for(user: Any) -> list[ResolvedLink]:
    """The links ``user`` may follow, in navigation order."""
    return [
        ResolvedLink(link.label, _href(link.url_name), link.description)
        for link in LINKS
        if can(user, link.capability)
    ]


def navigation_labels(user: Any) -> list[str]:
    """The links a reader's navigation shows: part of what a kept page
    depends on (``partnership.scope.page_reader``)."""
    return [link.label for link in links_for(user)]


@lru_cache(maxsize=64)
def _href(url_name: str) -> str:
    # Every page builds the navigation; the URLs never change while running.
    return reverse(url_name)
