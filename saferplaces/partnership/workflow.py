"""Changes to the plan that a page starts, each written with its audit
entry in one transaction: posting progress on an action (the update, the
action's new status and the evidence), publishing or withdrawing a plan,
reopening an ended plan for updates, and starting the next plan from this
one."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from saferplaces.accounts import audit
from saferplaces.accounts.models import User
from saferplaces.partnership import services
from saferplaces.partnership.forms import EVIDENCE_TYPES
from saferplaces.partnership.models import Action, Evidence, Plan, ProgressUpdate


class PlanClosed(Exception):
    """The action's plan has ended and is not reopened: no update is taken
    (the message says so in words)."""


def post_progress(
    action: Action,
    author: User,
    text: str,
    status: str,
    evidence: UploadedFile | None = None,
    *,
    ip: str | None = None,
) -> ProgressUpdate:
    """Post an update on ``action`` (``ProgressForm``'s checked data): the
    action takes its status, and the evidence file, if any, is kept with
    it. ``PlanClosed`` if the plan has ended and is not reopened."""
    if not action.plan.takes_updates():
        raise PlanClosed(action.plan.why_no_updates())
    with transaction.atomic():
        update = ProgressUpdate.objects.create(
            action=action,
            author=author,
            text=text,
            status=status,
            previous_status=action.status,
        )
        action.status = status
        action.save(update_fields=["status"])
        if evidence:
            suffix = "." + str(evidence.name).rsplit(".", 1)[-1].lower()
            Evidence.objects.create(
                update=update,
                file=evidence,
                name=str(evidence.name)[:200],
                content_type=EVIDENCE_TYPES[suffix],
                size=evidence.size or 0,  # the form refused a file without one
            )
        audit.record(
            "plan_progress_posted",
            actor=author,
            detail={"action": action.reference, "status": update.status},
            ip_address=ip,
        )
    return update


def publish(plan: Plan, published: bool, user: User, *, ip: str | None = None) -> bool:
    """Publish ``plan`` (the public sees it at /our-plan/) or withdraw it;
    whether that changed anything (a change is audited)."""
    if plan.published == published:
        return False
    with transaction.atomic():
        plan.published = published
        plan.save(update_fields=["published"])
        audit.record(
            "plan_published" if published else "plan_withdrawn",
            actor=user,
            obj=plan,
            ip_address=ip,
        )
    return True


def reopen(plan: Plan, reopened: bool, user: User, *, ip: str | None = None) -> bool:
    """Open an ended ``plan`` for progress updates again, or close it; whether
    that changed anything (a change is audited)."""
    if plan.reopened == reopened:
        return False
    with transaction.atomic():
        plan.reopened = reopened
        plan.save(update_fields=["reopened"])
        audit.record(
            "plan_reopened" if reopened else "plan_closed",
            actor=user,
            obj=plan,
            ip_address=ip,
        )
    return True


def start_next_plan(
    plan: Plan,
    user: User,
    *,
    title: str,
    slug: str,
    starts: datetime.date,
    ends: datetime.date,
    ip: str | None = None,
) -> Plan:
    """Start the next period's plan from ``plan`` (``services.copy_forward``)."""
    with transaction.atomic():
        new = services.copy_forward(
            plan, title=title, slug=slug, starts=starts, ends=ends
        )
        audit.record(
            "plan_copied_forward",
            actor=user,
            obj=new,
            detail={"from": plan.slug},
            ip_address=ip,
        )
    return new
