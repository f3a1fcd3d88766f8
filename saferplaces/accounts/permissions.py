"""Who may do what: the one place permissions are decided.

Views are guarded by ``requires``; the links a person sees come from
``links_for``. Both read ``ROLE_CAPABILITIES``, so a page and its link can
never disagree, and templates never test roles themselves.
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
from saferplaces.accounts.models import Role


class Capability(StrEnum):
    """Something a role may do. Later features add their own."""

    USE_SERVICE = "use_service"
    VIEW_AUDIT_LOG = "view_audit_log"
    ADMINISTER = "administer"
    # Edit any action of the plan; without it, only your own groups' actions.
    EDIT_ANY_ACTION = "edit_any_action"


ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.ADMINISTRATOR: frozenset(Capability),
    Role.ANALYST: frozenset({Capability.USE_SERVICE, Capability.EDIT_ANY_ACTION}),
    Role.GROUP_LEAD: frozenset({Capability.USE_SERVICE}),
    Role.CASE_WORKER: frozenset({Capability.USE_SERVICE}),
    Role.VIEWER: frozenset({Capability.USE_SERVICE}),
}


def can(user: Any, capability: Capability) -> bool:
    """True if ``user`` is signed in, active and their role grants ``capability``."""
    if not (user.is_authenticated and user.is_active):
        return False
    return capability in ROLE_CAPABILITIES.get(Role(user.role), frozenset())


def can_edit_action(user: Any, action: Any) -> bool:
    """Administrators and analysts edit any action; a group's lead and
    members edit that group's actions; everyone else reads."""
    return can_edit_group_actions(user, action.group)


def can_edit_group_actions(user: Any, group: Any) -> bool:
    if can(user, Capability.EDIT_ANY_ACTION):
        return True
    if not can(user, Capability.USE_SERVICE):
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
        "Agencies, users and roles.",
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


@lru_cache(maxsize=64)
def _href(url_name: str) -> str:
    # Every page builds the navigation; the URLs never change while running.
    return reverse(url_name)
