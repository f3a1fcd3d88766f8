"""Flags on a case's people: a person flagged as a vulnerable victim, for
reasons from a list (``VulnerabilityReason``). A case's hate crime flag is
one of its details (``workflow.change_details``). Each change is written
with its audit entry, on the case it was made from, in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from saferplaces.cases.models import Case, CasePerson, VulnerableVictimFlag
from saferplaces.cases.services.workflow import record_change
from saferplaces.versions import claim


def set_vulnerability(
    case: Case,
    row: CasePerson,
    reasons: Iterable[str],
    read_version: int,
    user: Any,
    *,
    ip: str | None = None,
) -> tuple[list[str], list[str]]:
    """Flag ``row``'s person as a vulnerable victim for exactly ``reasons``
    (none: not flagged), from ``case``; the reasons added and removed.
    ``versions.StaleEdit`` if the case changed since ``read_version``, and
    nothing written."""
    wanted = set(reasons)
    with transaction.atomic():
        claim(case, read_version)
        Case.objects.filter(pk=case.pk).update(
            updated_by=user, updated_at=timezone.now()
        )
        held = set(
            VulnerableVictimFlag.objects.filter(person=row.person).values_list(
                "reason", flat=True
            )
        )
        added, removed = sorted(wanted - held), sorted(held - wanted)
        VulnerableVictimFlag.objects.filter(
            person=row.person, reason__in=removed
        ).delete()
        VulnerableVictimFlag.objects.bulk_create(
            VulnerableVictimFlag(person=row.person, reason=r, flagged_by=user)
            for r in added
        )
        record_change(
            case, "vulnerability_flagged", user, ip, added=added, removed=removed
        )
    return added, removed
