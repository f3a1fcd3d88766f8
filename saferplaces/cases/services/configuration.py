"""A partnership's casework settings: its thresholds and retention
(``CasePolicy``) and its referral pathways (``RoutingRule``), each saved
with its audit entry in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from saferplaces.accounts import audit
from saferplaces.cases.models import CasePolicy, RoutingRule


def save_policy(
    policy: CasePolicy,
    changed: Iterable[str],
    user: Any,
    *,
    partnership_slug: str,
    ip: str | None = None,
) -> CasePolicy:
    """Save the thresholds and retention as set on ``policy``, audited with
    the names of the fields ``changed``."""
    with transaction.atomic():
        policy.save()
        audit.record(
            "case_policy_changed",
            actor=user,
            object_type="cases:policy",
            object_id=partnership_slug,
            detail={"fields": sorted(changed)},
            ip_address=ip,
        )
    return policy


def save_rule(
    rule: RoutingRule, changed: Iterable[str], user: Any, *, ip: str | None = None
) -> RoutingRule:
    """Save a referral pathway, new or changed, audited with the names of
    the fields ``changed``."""
    added = rule.pk is None
    with transaction.atomic():
        rule.save()
        audit.record(
            "routing_rule_added" if added else "routing_rule_changed",
            actor=user,
            object_type="cases:rule",
            object_id=rule.pk,
            detail={"pathway": rule.pathway, "fields": sorted(changed)},
            ip_address=ip,
        )
    return rule
