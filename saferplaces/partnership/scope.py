"""What a person may see of the partnerships: every query of plans, groups,
actions, updates and evidence made for a person starts here.

A person sees the partnerships they belong to (a site administrator sees
all). An object of another partnership is treated as if it did not exist:
its pages answer 404, never 403, so its existence is not given away.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, QuerySet

from saferplaces.accounts.permissions import partnership_ids
from saferplaces.partnership.models import (
    Action,
    Evidence,
    Group,
    Partnership,
    PartnershipArea,
    Plan,
    ProgressUpdate,
)

if TYPE_CHECKING:
    from saferplaces.analytics.results import Clearance

M = TypeVar("M", bound=Model)

# How each model reaches its partnership.
_PATH: dict[type[Model], str] = {
    Partnership: "id",
    Plan: "partnership_id",
    Group: "partnership_id",
    Action: "plan__partnership_id",
    ProgressUpdate: "action__plan__partnership_id",
    Evidence: "update__action__plan__partnership_id",
}


def visible(user: Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """``queryset`` narrowed to the partnerships ``user`` belongs to."""
    ids = partnership_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{_PATH[queryset.model]}__in": ids})


def plans(user: Any) -> QuerySet[Plan]:
    return visible(user, Plan.objects.select_related("partnership"))


def groups(user: Any) -> QuerySet[Group]:
    return visible(user, Group.objects.all())


def actions(user: Any) -> QuerySet[Action]:
    return visible(user, Action.objects.all())


def evidence(user: Any) -> QuerySet[Evidence]:
    return visible(user, Evidence.objects.all())


def updates(user: Any) -> QuerySet[ProgressUpdate]:
    return visible(user, ProgressUpdate.objects.all())


def partnerships_where(user: Any, capability: Any) -> QuerySet[Partnership]:
    """The partnerships where ``user`` holds ``capability`` (every one a
    site administrator may act in)."""
    from saferplaces.accounts.permissions import can

    allowed = [p.pk for p in Partnership.objects.all() if can(user, capability, p.pk)]
    return Partnership.objects.filter(pk__in=allowed)


def clearance(user: Any) -> Clearance:
    """Where ``user`` sees exact figures (``results.Clearance``): the areas
    of the partnerships they belong to, and for case-derived counts those of
    the partnerships where they may count cases; everywhere for a site
    administrator (whose reads are audited like everyone's); nowhere for
    anyone not signed in. Kept on the user object for the request."""
    from saferplaces.accounts.permissions import Capability, can, roles
    from saferplaces.analytics import results

    kept: Clearance | None = getattr(user, "_clearance", None)
    if kept is not None:
        return kept
    if partnership_ids(user) is None:
        found = results.EVERYWHERE
    elif not (user.is_authenticated and user.is_active):
        found = results.NOWHERE
    else:
        codes: dict[int, set[str]] = {}
        for partnership_id, code in PartnershipArea.objects.filter(
            partnership_id__in=roles(user)
        ).values_list("partnership_id", "code"):
            codes.setdefault(partnership_id, set()).add(code)
        counting = {pk for pk in codes if can(user, Capability.COUNT_CASES, pk)}
        found = results.Clearance(
            exact=frozenset().union(*codes.values()),
            cases=frozenset().union(*(codes[pk] for pk in counting)),
        )
    user._clearance = found
    return found


def home_area(user: Any, store: Any) -> str:
    """The area a person's dashboard opens on: the first area of their
    partnerships (no installation setting names one: issue 29)."""
    ids = partnership_ids(user)
    areas = PartnershipArea.objects.order_by("partnership__name", "code")
    if ids is not None:
        areas = areas.filter(partnership_id__in=ids)
    return areas.values_list("code", flat=True).first() or ""


def not_exact_for(user: Any, store: Any, *codes: str) -> str:
    """Why exact figures of ``codes`` cannot be shown to ``user`` ("" if
    they can): a tasking pack or an assessment counts exactly, so it is for
    areas wholly inside the person's own partnerships."""
    from saferplaces.analytics import geography

    seen = clearance(user)
    outside = [code for code in codes if code and not seen.covers(store, code)]
    if not outside:
        return ""
    names = ", ".join(geography.name_of(store, code) for code in outside)
    return (
        f"{names} is not wholly inside your partnership's areas: its exact "
        "figures are for its own partnership, and its published figures are "
        "on each measure's page."
    )
