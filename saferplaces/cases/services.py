"""The casework rules: opening and changing cases (optimistic locking),
risk assessment, routing and referral, sharing, alerts, duplicates and
retention. Views call these; none of them renders anything."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from saferplaces.cases import risk, search
from saferplaces.cases.models import (
    RISK_ORDER,
    Address,
    AsbRiskQuestion,
    AssessmentKind,
    Case,
    CaseAction,
    CasePerson,
    CasePolicy,
    CaseShare,
    CaseStatus,
    CaseType,
    Disposal,
    Incident,
    IncidentCategory,
    IncidentPerson,
    InvolvementRole,
    Person,
    Referral,
    ReferralStatus,
    RiskAssessment,
    RoutingRule,
    SharingAgreement,
    postcode_form,
)
from saferplaces.versions import claim

MARAC = "MARAC"
ASB_CATEGORIES = (
    IncidentCategory.ASB_PERSONAL,
    IncidentCategory.ASB_NUISANCE,
    IncidentCategory.ASB_ENVIRONMENTAL,
)


class CaseworkError(ValueError):
    """A change the rules refuse, with a message fit to show."""


# --- changing a case ----------------------------------------------------


def save_case(case: Case, read_version: int, user: Any, fields: Iterable[str]) -> Case:
    """Write ``fields`` of ``case`` if nobody changed it since it was read
    at ``read_version``; otherwise raise ``versions.StaleEdit`` and write
    nothing."""
    values = {name: getattr(case, name) for name in fields}
    with transaction.atomic():
        claim(case, read_version)
        Case.objects.filter(pk=case.pk).update(
            **values, updated_by=user, updated_at=timezone.now()
        )
    case.refresh_from_db()
    return case


def touch(case: Case, user: Any) -> None:
    """A change to what a case holds (a person, an incident, an action)
    is a change to the case: its version moves, so an open form of the
    case's details is refused rather than silently overwriting."""
    Case.objects.filter(pk=case.pk).update(
        version=F("version") + 1, updated_by=user, updated_at=timezone.now()
    )


def close(
    case: Case, read_version: int, user: Any, reason: str, on: datetime.date
) -> Case:
    if not reason:
        raise CaseworkError("Choose why the case is closed.")
    case.status = CaseStatus.CLOSED
    case.closure_reason = reason
    case.closed_on = on
    return save_case(
        case, read_version, user, ["status", "closure_reason", "closed_on"]
    )


def add_incident(case: Case, incident: Incident, people: dict[Person, str]) -> Incident:
    """Record ``incident`` on ``case`` with its people and roles. A case
    already assessed needs assessing again."""
    with transaction.atomic():
        incident.save()
        IncidentPerson.objects.bulk_create(
            IncidentPerson(incident=incident, person=p, role=r)
            for p, r in people.items()
        )
        case.incidents.add(incident)
        if case.assessments.exists():
            Case.objects.filter(pk=case.pk).update(needs_reassessment=True)
    return incident


# --- risk ---------------------------------------------------------------


def assess(
    case: Case,
    kind: str,
    answers: dict[int, bool],
    user: Any,
    judged: str = "",
    judgement_reason: str = "",
) -> RiskAssessment:
    """Score and keep an assessment; the case takes its level."""
    if kind == AssessmentKind.DASH:
        scored = risk.dash(answers, judged, judgement_reason)
    else:
        policy = CasePolicy.of(case.partnership_id)
        weights = dict(
            AsbRiskQuestion.objects.filter(
                partnership_id=case.partnership_id
            ).values_list("number", "weight")
        )
        scored = risk.asb(
            answers,
            weights,
            policy.asb_medium_score,
            policy.asb_high_score,
            judged,
            judgement_reason,
        )
    why = (
        "Re-assessment after new incidents"
        if case.needs_reassessment
        else ("Re-assessment" if case.assessments.exists() else "First assessment")
    )
    with transaction.atomic():
        assessment = RiskAssessment.objects.create(
            case=case,
            kind=kind,
            answers={str(k): v for k, v in answers.items()},
            score=scored.score,
            scored_level=scored.scored_level,
            level=scored.level,
            judgement_reason=scored.judgement_reason,
            reason=why,
            assessed_by=user,
        )
        Case.objects.filter(pk=case.pk).update(
            risk_level=scored.level,
            needs_reassessment=False,
            version=F("version") + 1,
            updated_by=user,
            updated_at=timezone.now(),
        )
    return assessment


@dataclass
class CaseFacts:
    """What the rules read about a case, fetched once for a page."""

    policy: CasePolicy
    involved: list[CasePerson]
    latest_dash: RiskAssessment | None

    def people(self, role: str) -> list[int]:
        return [row.person_id for row in self.involved if row.role == role]


def facts_of(case: Case) -> CaseFacts:
    latest = None
    if case.case_type == CaseType.DOMESTIC_ABUSE:
        latest = case.assessments.filter(kind=AssessmentKind.DASH).first()
    return CaseFacts(
        CasePolicy.of(case.partnership_id),
        list(case.involved.select_related("person__address")),
        latest,
    )


def marac_criteria(
    case: Case, today: datetime.date, facts: CaseFacts | None = None
) -> list[str]:
    """The MARAC criteria a domestic abuse case meets (empty: none, or not
    a domestic abuse case)."""
    if case.case_type != CaseType.DOMESTIC_ABUSE:
        return []
    facts = facts or facts_of(case)
    latest, policy = facts.latest_dash, facts.policy
    victims = facts.people(InvolvementRole.VICTIM)
    incident_days = (
        Incident.objects.filter(
            involved__person__in=victims, involved__role=InvolvementRole.VICTIM
        )
        .filter(category=IncidentCategory.DOMESTIC)
        .values_list("occurred_on", flat=True)
        .distinct()
    )
    earlier = Referral.objects.filter(
        pathway=MARAC, case__involved__person__in=victims
    ).values_list("made_at", flat=True)
    return risk.marac_criteria(
        level=latest.level if latest else case.risk_level,
        judged_high=bool(latest and latest.level == "high" and latest.judgement_reason),
        incident_dates=list(incident_days),
        earlier_marac_referrals=[moment.date() for moment in earlier],
        today=today,
        thresholds=risk.MaracThresholds(
            policy.marac_escalation_incidents, policy.marac_window_days
        ),
    )


# --- routing, referral and sharing --------------------------------------


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


def refer(case: Case, rule: RoutingRule, user: Any, reason: str = "") -> Referral:
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
    return referral


def decide(referral: Referral, accept: bool, reason: str, user: Any) -> Referral:
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
            CaseShare.objects.filter(
                case=referral.case,
                agency_id=referral.to_agency_id,
                purpose=f"Referral: {referral.pathway}",
                ended_at__isnull=True,
            ).update(ended_at=timezone.now())
    return referral


def share(
    case: Case, agency_id: int, purpose: str, agreement: SharingAgreement, user: Any
) -> CaseShare:
    if not purpose.strip():
        raise CaseworkError("Say why the case is shared: the purpose is required.")
    if agency_id == case.owner_agency_id:
        raise CaseworkError("The agency that owns the case already sees it.")
    with transaction.atomic():
        made = _share(case, agency_id, purpose.strip(), agreement, user)
        touch(case, user)
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


def stop_sharing(share_row: CaseShare, user: Any) -> None:
    CaseShare.objects.filter(pk=share_row.pk, ended_at__isnull=True).update(
        ended_at=timezone.now()
    )
    touch(share_row.case, user)


# --- alerts -------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    kind: str
    words: str


def alerts(
    case: Case, today: datetime.date | None = None, facts: CaseFacts | None = None
) -> list[Alert]:
    """Repeat callers, victims and locations across every agency, and the
    ASB Case Review threshold, for the people and places of ``case``."""
    today = today or timezone.localdate()
    facts = facts or facts_of(case)
    policy = facts.policy
    since = today - datetime.timedelta(days=policy.repeat_window_days)
    found: list[Alert] = []
    involved = facts.involved
    person_ids = {row.person_id for row in involved}
    counts = _incident_counts(person_ids, since, today)
    window = risk.window_words(policy.repeat_window_days)
    for row in involved:
        for role, noun in (
            (InvolvementRole.VICTIM, "victim"),
            (InvolvementRole.REPORTER, "caller"),
        ):
            n, agencies = counts.get((row.person_id, role), (0, 0))
            if row.role == role and n >= policy.repeat_count:
                found.append(
                    Alert(
                        f"repeat_{noun}",
                        f"Repeat {noun}: {row.person} is the {noun} in {n} "
                        f"incidents in the last {window}, recorded by {agencies} "
                        f"{_plural(agencies, 'agency', 'agencies')}.",
                    )
                )
    found += _location_alerts(case, policy, since, today)
    if case.case_type == CaseType.ASB:
        found += _case_review(facts, today)
    return found


def _incident_counts(
    person_ids: set[int], since: datetime.date, today: datetime.date
) -> dict[tuple[int, str], tuple[int, int]]:
    rows = (
        IncidentPerson.objects.filter(
            person_id__in=person_ids,
            incident__occurred_on__gt=since,
            incident__occurred_on__lte=today,
        )
        .values("person_id", "role")
        .annotate(
            n=Count("incident", distinct=True),
            agencies=Count("incident__reporting_agency", distinct=True),
        )
    )
    return {(r["person_id"], r["role"]): (r["n"], r["agencies"]) for r in rows}


def _location_alerts(
    case: Case, policy: CasePolicy, since: datetime.date, today: datetime.date
) -> list[Alert]:
    places = case.incidents.exclude(address=None).values("address_id")
    rows = (
        Incident.objects.filter(
            address_id__in=places, occurred_on__gt=since, occurred_on__lte=today
        )
        .values("address_id")
        .annotate(n=Count("pk"), agencies=Count("reporting_agency", distinct=True))
        .filter(n__gte=policy.repeat_count)
    )
    addresses = Address.objects.in_bulk([r["address_id"] for r in rows])
    return [
        Alert(
            "repeat_location",
            f"Repeat location: {addresses[r['address_id']]} has {r['n']} incidents "
            f"in the last {risk.window_words(policy.repeat_window_days)}, recorded by "
            f"{r['agencies']} {_plural(r['agencies'], 'agency', 'agencies')}.",
        )
        for r in rows
    ]


def _case_review(facts: CaseFacts, today: datetime.date) -> list[Alert]:
    policy = facts.policy
    since = today - datetime.timedelta(days=policy.case_review_window_days)
    reports = (
        Incident.objects.filter(
            involved__person_id__in=facts.people(InvolvementRole.VICTIM),
            involved__role__in=(InvolvementRole.VICTIM, InvolvementRole.REPORTER),
            category__in=ASB_CATEGORIES,
            occurred_on__gt=since,
            occurred_on__lte=today,
        )
        .distinct()
        .count()
    )
    if reports < policy.case_review_reports:
        return []
    window = risk.window_words(policy.case_review_window_days)
    return [
        Alert(
            "case_review",
            f"ASB Case Review threshold met: {reports} reports of anti-social "
            f"behaviour in the last {window} "
            f"(threshold {policy.case_review_reports}). The victim may ask for a "
            "case review.",
        )
    ]


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


# --- duplicates ---------------------------------------------------------


@dataclass
class PossibleDuplicate:
    """A person already recorded who may be the one typed. ``cases`` are
    the references of their cases the worker may see (linked on the page);
    ``matched`` all of their cases, for the audit entry only: of cases the
    worker cannot see, neither how many nor whose is said (finding 6)."""

    person: Person
    why: str
    cases: list[str]
    matched: list[str] = field(default_factory=list)

    @property
    def visible(self) -> bool:
        return bool(self.cases)


def possible_duplicates(
    partnership_id: int,
    given_name: str,
    family_name: str,
    date_of_birth: datetime.date | None,
    postcode: str,
    visible_case_ids: set[int],
) -> list[PossibleDuplicate]:
    """People already recorded who may be this one: a similar name with the
    same date of birth, or a similar name at the same postcode."""
    similar = search.similar_names(
        Person.objects.filter(partnership_id=partnership_id, anonymised_at=None),
        f"{given_name} {family_name}",
    )
    condition = Q(pk__in=[])
    if date_of_birth:
        condition |= Q(date_of_birth=date_of_birth)
    if postcode.strip():
        condition |= Q(address__postcode=postcode_form(postcode))
    found = []
    for person in similar.filter(condition).select_related("address")[:10]:
        why = (
            "same date of birth"
            if date_of_birth and person.date_of_birth == date_of_birth
            else "same postcode"
        )
        cases = person.cases.order_by("case__reference").values_list(
            "case_id", "case__reference"
        )
        found.append(
            PossibleDuplicate(
                person,
                f"a similar name and the {why}",
                [ref for pk, ref in cases if pk in visible_case_ids],
                [ref for _, ref in cases],
            )
        )
    return found


# --- retention ----------------------------------------------------------


@dataclass
class RetentionReport:
    cutoff: datetime.date
    action: str
    cases: list[str]
    people: int
    addresses: int
    incidents: int
    done: bool

    def words(self) -> str:
        verb = {"anonymise": "anonymised", "delete": "deleted"}[self.action]
        tense = verb if self.done else f"would be {verb}"
        return (
            f"{len(self.cases)} cases closed before {self.cutoff:%d %B %Y} {tense}, "
            f"with {self.people} people, {self.addresses} addresses and "
            f"{self.incidents} incidents no open or kept case still needs."
        )


def retention(
    policy: CasePolicy, today: datetime.date, dry_run: bool
) -> RetentionReport:
    """Cases closed longer ago than the policy keeps them: anonymise (keep
    type, risk, area and month; remove every name, date of birth, address
    and description) or delete them, with the people, addresses and
    incidents no other kept case needs. ``dry_run``: report only."""
    cutoff = _years_before(today, policy.retention_years)
    due = Case.objects.filter(
        partnership_id=policy.partnership_id,
        status=CaseStatus.CLOSED,
        closed_on__lt=cutoff,
        anonymised_at=None,
    )
    references = list(due.values_list("reference", flat=True))
    kept = (
        Case.objects.filter(partnership_id=policy.partnership_id)
        .exclude(pk__in=due.values("pk"))
        .filter(anonymised_at=None)
    )
    people = (
        Person.objects.filter(cases__case__in=due, anonymised_at=None)
        .exclude(cases__case__in=kept)
        .distinct()
    )
    incidents = (
        Incident.objects.filter(cases__in=due).exclude(cases__in=kept).distinct()
    )
    addresses = (
        Address.objects.filter(Q(people__in=people) | Q(incidents__in=incidents))
        .exclude(people__cases__case__in=kept)
        .exclude(incidents__cases__in=kept)
        .distinct()
    )
    report = RetentionReport(
        cutoff,
        policy.after_retention,
        references,
        people.count(),
        addresses.count(),
        incidents.count(),
        done=not dry_run,
    )
    if dry_run or not references:
        return report
    with transaction.atomic():
        person_ids = list(people.values_list("pk", flat=True))
        incident_ids = list(incidents.values_list("pk", flat=True))
        address_ids = list(addresses.values_list("pk", flat=True))
        case_ids = list(due.values_list("pk", flat=True))
        if policy.after_retention == CasePolicy.AfterRetention.DELETE:
            Case.objects.filter(pk__in=case_ids).delete()
            Incident.objects.filter(pk__in=incident_ids).delete()
            Person.objects.filter(pk__in=person_ids).delete()
            Address.objects.filter(pk__in=address_ids).delete()
        else:
            _anonymise(case_ids, person_ids, incident_ids, address_ids)
    return report


def _anonymise(
    case_ids: list[int],
    person_ids: list[int],
    incident_ids: list[int],
    address_ids: list[int],
) -> None:
    now = timezone.now()
    Case.objects.filter(pk__in=case_ids).update(
        summary="",
        anonymised_at=now,
        officer=None,
        version=F("version") + 1,
        updated_by=None,
        updated_at=now,
    )
    CaseAction.objects.filter(case_id__in=case_ids).update(description="(removed)")
    Disposal.objects.filter(case_id__in=case_ids).update(note="")
    RiskAssessment.objects.filter(case_id__in=case_ids).update(
        answers={}, judgement_reason=""
    )
    Referral.objects.filter(case_id__in=case_ids).update(reason="", decision_reason="")
    Person.objects.filter(pk__in=person_ids).update(
        given_name="",
        family_name="",
        search_name="",
        date_of_birth=None,
        address=None,
        anonymised_at=now,
    )
    Incident.objects.filter(pk__in=incident_ids).update(description="", address=None)
    Address.objects.filter(pk__in=address_ids).delete()


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# --- aggregates ---------------------------------------------------------


def monthly_counts(partnership_ids: list[int]) -> list[dict[str, Any]]:
    """Cases opened per month by type, risk level and area: counts only.
    The one place case data leaves casework, for the measures engine and
    the counts page (which withholds small counts)."""
    from django.db.models.functions import TruncMonth

    rows = (
        Case.objects.filter(partnership_id__in=partnership_ids)
        .annotate(month=TruncMonth("opened_on"))
        .values("month", "case_type", "risk_level", "area_code")
        .annotate(cases=Count("pk"), key_sum=Sum("record_key"))
        .order_by("month", "case_type", "risk_level", "area_code")
    )
    return [{**row, "month": f"{row['month']:%Y-%m}"} for row in rows]


@dataclass(frozen=True)
class CountTable:
    periods: list[str]  # column labels: four quarters, then the year
    rows: list[tuple[str, list[str]]]  # label, a cell per period


QUARTER_NAMES = {1: "Jan to Mar", 2: "Apr to Jun", 3: "Jul to Sep", 4: "Oct to Dec"}


def count_table(counts: list[dict[str, Any]], ptable: Any) -> CountTable:
    """Cases opened by type and by risk level in each of the last four
    calendar quarters and in the 12 months to the latest month. Each cell is
    the cell key perturbed count of its own cases (as published figures
    are: docs/publication.md), withheld under the threshold, so no total
    less its parts gives a small count back."""
    if not counts:
        return CountTable([], [])
    latest = max(row["month"] for row in counts)
    year, month = int(latest[:4]), int(latest[5:])
    quarters = [
        _quarter_back(year, (month - 1) // 3 + 1, back) for back in (3, 2, 1, 0)
    ]
    first_month = f"{year - 1}-{month + 1:02d}" if month < 12 else f"{year}-01"
    today = timezone.localdate()
    current = (today.year, (today.month - 1) // 3 + 1)
    # The quarter still running is labelled so: its count is not final.
    periods = [
        f"{QUARTER_NAMES[q]} {y}" + (" (so far)" if (y, q) == current else "")
        for y, q in quarters
    ]
    periods.append(f"12 months to {_month_name(latest)}")
    sums: dict[str, dict[str, tuple[int, int]]] = {}
    for row in counts:
        y, m = int(row["month"][:4]), int(row["month"][5:])
        columns = []
        if (y, (m - 1) // 3 + 1) in quarters:
            columns.append(periods[quarters.index((y, (m - 1) // 3 + 1))])
        if first_month <= row["month"] <= latest:
            columns.append(periods[-1])
        for label in (
            CaseType(row["case_type"]).label,
            f"Risk: {row['risk_level']}",
            "All cases",
        ):
            for period in columns:
                n, keys = sums.setdefault(label, {}).get(period, (0, 0))
                sums[label][period] = (n + row["cases"], keys + row["key_sum"])
    order = [t.label for t in CaseType] + [
        "Risk: standard", "Risk: medium", "Risk: high", "All cases"
    ]  # fmt: skip
    rows = []
    for label in (name for name in order if name in sums):
        cells = [sums[label].get(period, (0, 0)) for period in periods]
        published = ptable.perturb(
            [n for n, _ in cells], ptable.cell_keys([k for _, k in cells])
        )
        shown = [
            _published(n, value, ptable.threshold)
            for (n, _), value in zip(cells, published, strict=True)
        ]
        rows.append((label, shown))
    return CountTable(periods, rows)


def _quarter_back(year: int, quarter: int, back: int) -> tuple[int, int]:
    index = year * 4 + quarter - 1 - back
    return index // 4, index % 4 + 1


def _month_name(month: str) -> str:
    return datetime.date(int(month[:4]), int(month[5:]), 1).strftime("%B %Y")


def _published(count: int, value: float, threshold: int) -> str:
    if count == 0:
        return "0"
    if value != value:  # NaN: withheld
        return f"fewer than {threshold}"
    return f"{int(value):,}"
