"""Every change to a plan, or to anything its pages show, raises the plan's
revision, so pages kept under the old one are never served again
(lib/pagecache.py). Raised with an UPDATE, which neither records history
nor fires signals itself."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.models import F, Model
from django.db.models.signals import m2m_changed, post_delete, post_save

from saferplaces.accounts.models import Agency
from saferplaces.partnership import models as plan_models
from saferplaces.partnership.models import Plan


def _plans_of(instance: Model) -> dict[str, Any]:
    """The filter selecting the plans ``instance`` appears in."""
    match instance:
        case Plan():
            return {"pk": instance.pk}
        case plan_models.Partnership():
            return {"partnership_id": instance.pk}
        case plan_models.Group() | plan_models.Strand():
            return {"partnership_id": instance.partnership_id}
        case plan_models.StrandLink():
            return {"partnership__strands__id": instance.strand_id}
        case (
            plan_models.Action()
            | plan_models.Priority()
            | plan_models.Finding()
            | plan_models.Principle()
        ):
            return {"pk": instance.plan_id}
        case plan_models.Objective():
            return {"priorities__id": instance.priority_id}
        case (
            plan_models.ProgressUpdate()
            | plan_models.Milestone()
            | plan_models.ActionMeasure()
            | plan_models.EvaluationPlan()
        ):
            return {"actions__id": instance.action_id}
        case plan_models.Evidence():
            return {"actions__updates__id": instance.update_id}
        case Agency():
            return {}  # its name appears in every plan
    return {"pk": None}


_batch = threading.local()


@contextmanager
def one_revision_for_many_changes() -> Iterator[None]:
    """Inside, changes raise no revision one by one; at the end every plan's
    revision is raised once. For loads that make hundreds of rows (a plan
    file, the demo), where an UPDATE per row was most of the time."""
    if getattr(_batch, "active", False):
        yield
        return
    _batch.active = True
    try:
        yield
    finally:
        _batch.active = False
        Plan.objects.update(revision=F("revision") + 1)


def raise_revision(sender: Any, instance: Model, **kwargs: Any) -> None:
    if kwargs.get("raw") or getattr(_batch, "active", False):
        return  # loading fixtures, or raised once when the batch ends
    chosen = Plan.objects.filter(**_plans_of(instance)).values("pk")
    Plan.objects.filter(pk__in=chosen).update(revision=F("revision") + 1)


WATCHED = [
    Plan, Agency, plan_models.Partnership, plan_models.Group, plan_models.Strand,
    plan_models.StrandLink, plan_models.Action, plan_models.Priority,
    plan_models.Finding, plan_models.Principle, plan_models.Objective,
    plan_models.ProgressUpdate, plan_models.Milestone, plan_models.ActionMeasure,
    plan_models.EvaluationPlan, plan_models.Evidence,
]  # fmt: skip


def connect() -> None:
    for model in WATCHED:
        post_save.connect(raise_revision, sender=model, dispatch_uid=f"rev-{model}")
        post_delete.connect(raise_revision, sender=model, dispatch_uid=f"rd-{model}")
    for through in (
        plan_models.Group.members.through,
        plan_models.Group.member_agencies.through,
        plan_models.Priority.groups.through,
    ):
        m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"m-{through}")


def _m2m_changed(sender: Any, instance: Model, action: str, **kwargs: Any) -> None:
    if action.startswith("post_"):
        raise_revision(sender, instance)
