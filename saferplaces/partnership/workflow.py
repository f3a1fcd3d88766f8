"""Changes to the plan that a page starts and that write more than one row:
posting progress on an action (the update, the action's new status, the
evidence and the audit entry commit together or not at all)."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from saferplaces.accounts import audit
from saferplaces.accounts.models import User
from saferplaces.partnership.forms import EVIDENCE_TYPES
from saferplaces.partnership.models import Action, Evidence, ProgressUpdate


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
    it."""
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
