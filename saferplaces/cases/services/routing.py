"""Where a case goes: the referral pathways a case can take (the
partnership's routing rules), referring and deciding on a referral, and
sharing a case with another agency under a sharing agreement. Each change
is written with its audit entry in one transaction."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from saferplaces.cases.models import (
    RISK_ORDER,
    Case,
    CaseShare,
    InvolvementRole,
    Referral,
    ReferralStatus,
    RoutingRule,
    SharingAgreement,
)
from saferplaces.cases.risk import MARAC
from saferplaces.cases.services.assessment import CaseFacts, facts_of, marac_criteria
from saferplaces.cases.services.workflow import CaseworkError, record_change, touch


@dataclass(frozen=True)
class Pathway:
    name: str
    rule: RoutingRule


def pathways(
    case: Case,
    ancestors: Callable[[str], list[str]],
    facts: CaseFacts | None = None,
    marac: list[str] | None = None,
) -> list[Pathway]:
    """The referrals this case can make: for each pathway, the first rule
    (in order) whose conditions the case meets. ``ancestors`` gives an area
    code and the codes of the areas containing it; ``marac`` the MARAC
    criteria met, when already worked out."""
    facts = facts or facts_of(case)
    places = set(ancestors(case.area_code)) if case.area_code else set()
    today = timezone.localdate()
    ages = [
        age
        for row in facts.involved
        if row.role == InvolvementRole.VICTIM
        and (age := row.person.age_on(today)) is not None
    ]
    chosen: dict[str, Pathway] = {}
    rules = RoutingRule.objects.filter(
        partnership_id=case.partnership_id, is_active=True
    ).select_related("to_agency", "agreement")
    for rule in rules:
        if rule.pathway in chosen or rule.to_agency_id == case.owner_agency_id:
            continue
        if rule.pathway == MARAC:
            if marac is None:
                marac = marac_criteria(case, today, facts)
            if not marac:
                continue  # MARAC takes the cases that meet one of its criteria
        if _matches(rule, case, places, ages):
            chosen[rule.pathway] = Pathway(rule.pathway, rule)
    return list(chosen.values())


def _matches(rule: RoutingRule, case: Case, places: set[str], ages: list[int]) -> bool:
    if rule.case_types and case.case_type not in rule.case_types:
        return False
    if (
        rule.minimum_risk
        and RISK_ORDER[case.risk_level] < RISK_ORDER[rule.minimum_risk]
    ):
        return False
    if rule.area_codes and not places & set(rule.area_codes):
        return False
    if rule.minimum_age is not None or rule.maximum_age is not None:
        low = rule.minimum_age if rule.minimum_age is not None else 0
        high = rule.maximum_age if rule.maximum_age is not None else 200
        return any(low <= age <= high for age in ages)
    return True


def refer(
    case: Case,
    rule: RoutingRule,
    user: Any,
    reason: str = "",
    *,
    ip: str | None = None,
) -> Referral:
    """Refer ``case`` along ``rule``: the receiving agency sees the case
    (shared for the referral, under the rule's agreement) until it
    declines."""
    if rule.to_agency_id == case.owner_agency_id:
        raise CaseworkError("A case cannot be referred to the agency that owns it.")
    if Referral.objects.filter(
        case=case,
        to_agency_id=rule.to_agency_id,
        pathway=rule.pathway,
        status=ReferralStatus.WAITING,
    ).exists():
        raise CaseworkError(
            f"This case is already waiting for {rule.to_agency} to decide on a "
            f"{rule.pathway} referral."
        )
    today = timezone.localdate()
    with transaction.atomic():
        referral = Referral.objects.create(
            case=case,
            pathway=rule.pathway,
            rule=rule,
            from_agency_id=user.agency_id,
            to_agency_id=rule.to_agency_id,
            reason=reason,
            due_by=today + datetime.timedelta(days=rule.response_days),
            made_by=user,
        )
        _share(
            case, rule.to_agency_id, f"Referral: {rule.pathway}", rule.agreement, user
        )
        touch(case, user)
        record_change(
            case, "referred", user, ip, pathway=rule.pathway, to=rule.to_agency.name
        )
    return referral


def decide(
    referral: Referral, accept: bool, reason: str, user: Any, *, ip: str | None = None
) -> Referral:
    """Accept or decline; a decline needs its reason, and ends the
    receiving agency's sight of the case (unless shared for another
    purpose)."""
    if referral.status != ReferralStatus.WAITING:
        raise CaseworkError("This referral has already been decided.")
    if not accept and not reason.strip():
        raise CaseworkError("Say why the referral is declined.")
    referral.status = ReferralStatus.ACCEPTED if accept else ReferralStatus.DECLINED
    referral.decision_reason = reason.strip()
    referral.decided_by = user
    referral.decided_at = timezone.now()
    with transaction.atomic():
        referral.save()
        if not accept:
            _end_referral_share(referral)
        record_change(
            referral.case,
            f"referral_{referral.status}",
            user,
            ip,
            pathway=referral.pathway,
        )
    return referral


def _end_referral_share(referral: Referral) -> None:
    """The receiving agency's sight of the case for this referral ends (a
    share for another purpose stays)."""
    CaseShare.objects.filter(
        case=referral.case,
        agency_id=referral.to_agency_id,
        purpose=f"Referral: {referral.pathway}",
        ended_at__isnull=True,
    ).update(ended_at=timezone.now())


def record_outcome(
    referral: Referral,
    outcome: str,
    note: str,
    complete: bool,
    user: Any,
    *,
    ip: str | None = None,
) -> Referral:
    """The receiving agency's outcome of an accepted referral: one of its
    pathway's outcomes, with a note. ``complete`` also completes the
    referral, which ends the receiving agency's sight of the case (the work
    it was shared for is done); the referrer sees the outcome on the case.
    The audit entry names the outcome, never the note."""
    refusal = referral.outcome_refusal()
    if refusal:
        raise CaseworkError(refusal)
    if outcome not in referral.outcome_choices():
        raise CaseworkError("Choose the outcome from the pathway's list.")
    now = timezone.now()
    referral.outcome, referral.outcome_note = outcome, note.strip()
    referral.outcome_by, referral.outcome_at = user, now
    if complete:
        referral.status = ReferralStatus.COMPLETED
        referral.completed_by, referral.completed_at = user, now
    with transaction.atomic():
        referral.save()
        if complete:
            _end_referral_share(referral)
        touch(referral.case, user)
        record_change(
            referral.case,
            "referral_completed" if complete else "referral_outcome",
            user,
            ip,
            pathway=referral.pathway,
            outcome=outcome,
        )
    return referral


def share(
    case: Case,
    agency_id: int,
    purpose: str,
    agreement: SharingAgreement,
    user: Any,
    *,
    ip: str | None = None,
) -> CaseShare:
    if not purpose.strip():
        raise CaseworkError("Say why the case is shared: the purpose is required.")
    if agency_id == case.owner_agency_id:
        raise CaseworkError("The agency that owns the case already sees it.")
    with transaction.atomic():
        made = _share(case, agency_id, purpose.strip(), agreement, user)
        touch(case, user)
        record_change(
            case,
            "shared",
            user,
            ip,
            agency=made.agency.name,
            agreement=agreement.reference,
        )
    return made


def _share(
    case: Case, agency_id: int, purpose: str, agreement: SharingAgreement, user: Any
) -> CaseShare:
    if not agreement.is_active or agreement.partnership_id != case.partnership_id:
        raise CaseworkError(f"Agreement {agreement.reference} is not in force.")
    parties = set(agreement.parties.values_list("pk", flat=True))
    missing = {agency_id, case.owner_agency_id} - parties
    if missing:
        raise CaseworkError(
            f"Agreement {agreement.reference} does not cover sharing between "
            "these agencies: choose one both have signed."
        )
    return CaseShare.objects.create(
        case=case,
        agency_id=agency_id,
        purpose=purpose,
        agreement=agreement,
        shared_by=user,
    )


def stop_sharing(share_row: CaseShare, user: Any, *, ip: str | None = None) -> None:
    with transaction.atomic():
        CaseShare.objects.filter(pk=share_row.pk, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )
        touch(share_row.case, user)
        record_change(
            share_row.case, "share_ended", user, ip, agency=share_row.agency.name
        )
