"""What a person may see of the partnerships: every query of plans, groups,
actions, updates and evidence made for a person starts here.

A person sees the partnerships they belong to (a site administrator sees
all). An object of another partnership is treated as if it did not exist:
its pages answer 404, never 403, so its existence is not given away.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from saferplaces.accounts.permissions import partnership_ids
from saferplaces.partnership.models import (
    Action,
    Evidence,
    Group,
    Partnership,
    Plan,
    ProgressUpdate,
)

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
