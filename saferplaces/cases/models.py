"""Multi-agency casework: people, addresses, incidents, cases, risk,
referrals, sharing and the partnership's rules for them.

Sensitive personal data lives here. Nothing in this module is read except
through ``access.visible_cases`` (need to know), and no URL carries a name,
date of birth or address: cases are addressed by a random reference,
people by a random id.
"""

from __future__ import annotations

import datetime
import secrets
import unicodedata
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from saferplaces.accounts.models import Agency
from saferplaces.lib.area_code import AreaCodeField
from saferplaces.partnership.models import Partnership

# Case references: letters and digits that cannot be misread (no 0/O, 1/I).
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_reference() -> str:
    """``CASE-`` and eight random characters: says nothing about anyone."""
    return "CASE-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def new_record_key() -> int:
    """A random record key (0 to 65,535) for cell key perturbation of case
    counts: kept with the case, so a count asked twice gets the same noise."""
    return secrets.randbelow(65536)


def search_form(text: str) -> str:
    """Lower case, accents and punctuation gone, single spaces: the form
    names and addresses are compared in."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    kept = "".join(c if c.isalnum() else " " for c in plain.lower())
    return " ".join(kept.split())


def postcode_form(text: str) -> str:
    """A postcode in capitals with one space before its last three
    characters, however it was typed ('b297 6ah' -> 'B29 7AH')."""
    squeezed = "".join(text.split()).upper()
    return f"{squeezed[:-3]} {squeezed[-3:]}" if len(squeezed) > 3 else squeezed


class CaseType(models.TextChoices):
    ASB = "asb", "Anti-social behaviour"
    HATE_CRIME = "hate_crime", "Hate crime"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    VULNERABLE_ADULT = "vulnerable_adult", "Vulnerable adult"
    CHILD_SAFEGUARDING = "child_safeguarding", "Child safeguarding"
    REPEAT_CALLER = "repeat_caller", "Repeat caller"


class HateStrand(models.TextChoices):
    """The five strands police forces monitor, and any other."""

    RACE = "race", "Race or ethnicity"
    RELIGION = "religion", "Religion or belief"
    SEXUAL_ORIENTATION = "sexual_orientation", "Sexual orientation"
    DISABILITY = "disability", "Disability"
    TRANSGENDER = "transgender", "Transgender identity"
    OTHER = "other", "Other"


class RiskLevel(models.TextChoices):
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


# The longest outcome a pathway may list (and a referral keep).
OUTCOME_LENGTH = 120


class CaseRisk(models.TextChoices):
    """A case's risk now: an assessment's level, or not assessed yet (a new
    case is not "standard" before anyone has asked)."""

    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    NOT_ASSESSED = "not_assessed", "Not assessed"


# Not assessed is below every level: a pathway with a minimum risk waits
# for an assessment that reaches it.
RISK_ORDER: dict[str, int] = {"not_assessed": -1, "standard": 0, "medium": 1, "high": 2}


class SharingAgreement(models.Model):
    """An information-sharing agreement in the partnership's register: every
    share of a case names the one it relies on."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="sharing_agreements"
    )
    title = models.CharField(max_length=200)
    reference = models.CharField(max_length=40)
    purpose = models.TextField()
    lawful_basis = models.CharField(
        max_length=200, help_text="e.g. UK GDPR 6(1)(e) public task; DPA 2018 s.8"
    )
    parties = models.ManyToManyField(Agency, related_name="sharing_agreements")
    review_by = models.DateField()
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "reference"], name="one_agreement_reference"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"


class CasePolicy(models.Model):
    """The partnership's thresholds for alerts, MARAC, ASB risk and
    retention. One per partnership; defaults are the common practice the
    docs explain (docs/cases.md)."""

    class AfterRetention(models.TextChoices):
        ANONYMISE = "anonymise", "Anonymise (keep type, risk, area and month)"
        DELETE = "delete", "Delete"

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="case_policy"
    )
    repeat_count = models.PositiveSmallIntegerField(
        default=3, help_text="Incidents that make a repeat caller, victim or location"
    )
    repeat_window_days = models.PositiveSmallIntegerField(default=365)
    case_review_reports = models.PositiveSmallIntegerField(
        default=3, help_text="ASB Case Review (community trigger) threshold"
    )
    case_review_window_days = models.PositiveSmallIntegerField(default=183)
    marac_escalation_incidents = models.PositiveSmallIntegerField(default=3)
    marac_window_days = models.PositiveSmallIntegerField(default=365)
    asb_medium_score = models.PositiveSmallIntegerField(default=5)
    asb_high_score = models.PositiveSmallIntegerField(default=10)
    retention_years = models.PositiveSmallIntegerField(default=6)
    after_retention = models.CharField(
        max_length=10, choices=AfterRetention.choices, default="anonymise"
    )

    class Meta:
        verbose_name_plural = "case policies"

    def __str__(self) -> str:
        return f"Case policy of {self.partnership}"

    @classmethod
    def of(cls, partnership_id: int) -> CasePolicy:
        return cls.objects.get_or_create(partnership_id=partnership_id)[0]


class AsbRiskQuestion(models.Model):
    """One question of the partnership's ASB victim risk assessment; a yes
    adds its weight to the score."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="asb_questions"
    )
    number = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    weight = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "number"], name="one_asb_question_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"


class Address(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE)
    line = models.CharField("Address", max_length=300)
    postcode = models.CharField(max_length=10, blank=True, db_index=True)
    area_code = AreaCodeField(blank=True, help_text="LSOA")
    search_line = models.CharField(max_length=300, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.line}, {self.postcode}" if self.postcode else self.line

    def save(self, *args: object, **kwargs: object) -> None:
        self.postcode = postcode_form(self.postcode) if self.postcode else ""
        self.search_line = search_form(f"{self.line} {self.postcode}")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Person(models.Model):
    """Only what casework needs: a name, a date of birth when known, an
    address. No identifier from another system."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True, db_index=True)
    address = models.ForeignKey(
        Address, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    search_name = models.CharField(max_length=200, db_index=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "people"

    def __str__(self) -> str:
        if self.anonymised_at:
            return "(anonymised)"
        return f"{self.given_name} {self.family_name}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_name = search_form(f"{self.given_name} {self.family_name}")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def age_on(self, day: object) -> int | None:
        import datetime

        if self.date_of_birth is None or not isinstance(day, datetime.date):
            return None
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class InvolvementRole(models.TextChoices):
    VICTIM = "victim", "Victim"
    PERPETRATOR = "perpetrator", "Alleged perpetrator"
    WITNESS = "witness", "Witness"
    REPORTER = "reporter", "Reporter"


class IncidentCategory(models.TextChoices):
    ASB_PERSONAL = "asb_personal", "ASB: personal"
    ASB_NUISANCE = "asb_nuisance", "ASB: nuisance"
    ASB_ENVIRONMENTAL = "asb_environmental", "ASB: environmental"
    HATE = "hate", "Hate incident"
    DOMESTIC = "domestic", "Domestic incident"
    WELFARE = "welfare", "Welfare concern"
    FIRE = "fire", "Fire or fire risk"
    OTHER = "other", "Other call for service"


class Incident(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE)
    occurred_on = models.DateField(db_index=True)
    category = models.CharField(max_length=20, choices=IncidentCategory.choices)
    description = models.TextField(blank=True)
    reporting_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+"
    )
    address = models.ForeignKey(
        Address,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incidents",
    )
    area_code = AreaCodeField(blank=True)
    people: models.ManyToManyField[Person, IncidentPerson] = models.ManyToManyField(
        Person, through="IncidentPerson", related_name="incidents", blank=True
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} on {self.occurred_on:%d %B %Y}"


class IncidentPerson(models.Model):
    """A person in an incident, as victim, perpetrator, witness or reporter
    (the repeat alerts count these)."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="involved"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="incident_roles"
    )
    role = models.CharField(max_length=12, choices=InvolvementRole.choices)

    class Meta:
        indexes = [models.Index(fields=["person", "role"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()} in incident {self.incident_id}"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ClosureReason(models.TextChoices):
    RESOLVED = "resolved", "Resolved"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    REFERRED_ON = "referred_on", "Referred to another agency"
    MOVED_AWAY = "moved_away", "Moved away"
    DISENGAGED = "disengaged", "Victim disengaged"
    OTHER = "other", "Other"


class Case(models.Model):
    reference = models.CharField(
        max_length=16, unique=True, default=new_reference, editable=False
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="cases"
    )
    case_type = models.CharField(max_length=20, choices=CaseType.choices)
    hate_strand = models.CharField(
        max_length=20, choices=HateStrand.choices, blank=True
    )
    owner_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="owned_cases"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Case officer",
    )
    summary = models.TextField(blank=True)
    area_code = AreaCodeField(blank=True, db_index=True)
    status = models.CharField(
        max_length=10, choices=CaseStatus.choices, default="open", db_index=True
    )
    closure_reason = models.CharField(
        max_length=20, choices=ClosureReason.choices, blank=True
    )
    opened_on = models.DateField(default=timezone.localdate, db_index=True)
    closed_on = models.DateField(null=True, blank=True)
    risk_level = models.CharField(
        max_length=12, choices=CaseRisk.choices, default=CaseRisk.NOT_ASSESSED
    )
    needs_reassessment = models.BooleanField(default=False)
    incidents = models.ManyToManyField(Incident, related_name="cases", blank=True)
    # Optimistic locking (saferplaces.versions): each change raises it; a
    # form carries the version it was read at and is refused if another
    # change came first.
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(default=timezone.now)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    record_key = models.PositiveIntegerField(default=new_record_key, editable=False)

    class Meta:
        ordering = ["-opened_on", "-pk"]
        indexes = [models.Index(fields=["owner_agency", "status"])]

    def __str__(self) -> str:
        return self.reference

    def last_change(self) -> tuple[Any, datetime.datetime | None]:
        """Who changed the case last and when (a case keeps no history
        records: its audit entries name what changed, never the values)."""
        return self.updated_by, self.updated_at


class CasePerson(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="involved")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="cases")
    role = models.CharField(max_length=12, choices=InvolvementRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "person", "role"], name="one_role_per_person_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} in {self.case}"


class CaseAction(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=300)
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    target_date = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["target_date", "pk"]

    def __str__(self) -> str:
        return self.description

    def is_overdue(self, today: datetime.date) -> bool:
        """Past its target date and not done: done, it is never overdue."""
        return self.done_on is None and self.target_date < today

    def may_be_marked_done_by(
        self, agency_id: int | None, owner_agency_id: int
    ) -> bool:
        """The agency doing the action marks it done, and so does the case's
        owner (who keeps the case); nobody else."""
        return self.done_on is None and agency_id in (
            self.owner_agency_id,
            owner_agency_id,
        )


class DisposalKind(models.TextChoices):
    """Warnings, agreements and the legal tools of the Anti-social
    Behaviour, Crime and Policing Act 2014, in rising order."""

    VERBAL_WARNING = "verbal_warning", "Verbal warning"
    WRITTEN_WARNING = "written_warning", "Written warning"
    ABC = "abc", "Acceptable behaviour contract"
    MEDIATION = "mediation", "Mediation"
    RESTORATIVE = "restorative", "Restorative justice"
    CPW = "cpw", "Community protection warning"
    CPN = "cpn", "Community protection notice"
    INJUNCTION = "injunction", "Civil injunction"
    CBO = "cbo", "Criminal behaviour order"
    CLOSURE_NOTICE = "closure_notice", "Closure notice"
    CLOSURE_ORDER = "closure_order", "Closure order"
    POSSESSION = "possession", "Possession proceedings"


class Disposal(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disposals")
    kind = models.CharField(max_length=20, choices=DisposalKind.choices)
    on = models.DateField("Date")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.on}"


class AssessmentKind(models.TextChoices):
    ASB = "asb", "ASB victim risk assessment"
    DASH = "dash", "SafeLives DASH risk checklist"


class RiskAssessment(models.Model):
    """One assessment, kept: re-assessment adds another, so the history of
    a case's risk stays readable."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(max_length=4, choices=AssessmentKind.choices)
    # Question number -> "yes", "no" or "not_known" (before issue 30, a
    # DASH kept true for yes and false for anything else).
    answers = models.JSONField(default=dict)
    score = models.PositiveSmallIntegerField()
    scored_level = models.CharField(max_length=10, choices=RiskLevel.choices)
    level = models.CharField(max_length=10, choices=RiskLevel.choices)
    judgement_reason = models.TextField(blank=True)
    reason = models.CharField(max_length=100, default="First assessment")
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.level}"


class CaseShare(models.Model):
    """A case shared with an agency that does not own it: the purpose and
    the agreement it relies on are required."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=300)
    agreement = models.ForeignKey(
        SharingAgreement, on_delete=models.PROTECT, related_name="shares"
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["shared_at", "pk"]
        indexes = [models.Index(fields=["agency", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.case} shared with {self.agency}"


class RoutingRule(models.Model):
    """Where a referral of a kind goes: the first active rule, in order,
    whose conditions the case meets (empty conditions match anything)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="routing_rules"
    )
    pathway = models.CharField(
        max_length=120, help_text="What the referral is for, e.g. Home fire safety"
    )
    order = models.PositiveSmallIntegerField(default=10)
    case_types = models.JSONField(default=list, blank=True)
    minimum_risk = models.CharField(
        max_length=10, choices=RiskLevel.choices, blank=True
    )
    area_codes = models.JSONField(
        default=list, blank=True, help_text="LSOA, ward or district codes"
    )
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    to_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(
        SharingAgreement, on_delete=models.PROTECT, related_name="+"
    )
    response_days = models.PositiveSmallIntegerField(default=5)
    outcomes = models.JSONField(
        default=list,
        blank=True,
        help_text="What the receiving agency may record as the referral's outcome",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.pathway} to {self.to_agency}"


class ReferralStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for a decision"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    COMPLETED = "completed", "Completed"


class Referral(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    pathway = models.CharField(max_length=120)
    rule = models.ForeignKey(
        RoutingRule, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="referrals_received"
    )
    reason = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=ReferralStatus.choices, default="waiting"
    )
    due_by = models.DateField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    made_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    # The receiving agency's outcome, from its pathway's list (``outcomes``),
    # with a note; kept as words so a pathway changed later keeps its history.
    outcome = models.CharField(max_length=OUTCOME_LENGTH, blank=True)
    outcome_note = models.TextField(blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    completed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-made_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.pathway} referral of {self.case}"

    @property
    def is_overdue(self) -> bool:
        return self.status == ReferralStatus.WAITING and timezone.localdate() > (
            self.due_by
        )

    def outcome_refusal(self) -> str | None:
        """Why no outcome may be recorded now (None: it may)."""
        if self.status == ReferralStatus.WAITING:
            return "Accept the referral before recording its outcome."
        if self.status != ReferralStatus.ACCEPTED:
            return (
                f"This referral is {self.get_status_display().lower()}: its outcome "
                "can no longer be changed."
            )
        return None

    def outcome_choices(self) -> list[str]:
        """The outcomes its pathway defines (none when the rule is gone)."""
        return list(self.rule.outcomes) if self.rule else []


class VulnerabilityReason(models.TextChoices):
    """Why a victim is vulnerable: the factors ASB and hate crime risk
    assessments ask about, so partners see at once who needs more."""

    AGE = "age", "Age (an older person or a child)"
    DISABILITY = "disability", "Physical disability"
    LEARNING_DISABILITY = "learning_disability", "Learning disability"
    MENTAL_HEALTH = "mental_health", "Mental health"
    ILL_HEALTH = "ill_health", "Long-term illness"
    ISOLATED = "isolated", "Isolated or living alone"
    REPEAT_VICTIM = "repeat_victim", "Repeat victim"
    TARGETED = "targeted", "Targeted because of who they are"
    SUBSTANCE_USE = "substance_use", "Alcohol or drug use"
    COMMUNICATION = "communication", "Language or communication needs"
    OTHER = "other", "Other (say why in the case summary)"


class VulnerableVictimFlag(models.Model):
    """A person flagged as a vulnerable victim, for one reason: set and
    removed on a case's page by its owner agency (audited on that case),
    shown on every case the person is in."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="vulnerability_flags"
    )
    reason = models.CharField(max_length=24, choices=VulnerabilityReason.choices)
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    flagged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["reason"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "reason"], name="one_flag_per_reason"
            )
        ]

    def __str__(self) -> str:
        return self.get_reason_display()


class CaseReviewApplication(models.Model):
    """An application for an ASB Case Review (the "community trigger",
    Anti-social Behaviour, Crime and Policing Act 2014 s.104): received,
    the threshold decided, the review held, its recommendations and
    outcome. The applicant is personal data: read only on the application's
    own page, each read audited."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="case_reviews"
    )
    received_on = models.DateField("Date received", db_index=True)
    applicant_name = models.CharField("Applicant's name", max_length=200)
    applicant_contact = models.CharField(
        "Applicant's contact details", max_length=300, blank=True
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    area_code = AreaCodeField(blank=True)
    # None: not decided yet.
    threshold_met = models.BooleanField(null=True, blank=True)
    decided_on = models.DateField("Date decided", null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    review_held_on = models.DateField("Date the review was held", null=True, blank=True)
    recommendations = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"ASB Case Review application received {self.received_on:%d %B %Y}"

    def last_change(self) -> tuple[Any, datetime.datetime | None]:
        return self.updated_by, self.updated_at

    @property
    def stage(self) -> str:
        """Where the application stands, in words."""
        if self.threshold_met is None:
            return "Threshold not decided yet"
        if not self.threshold_met:
            return "Threshold not met"
        if self.review_held_on is None:
            return "Threshold met: review to be held"
        if self.recommendations.strip():
            return "Review held: recommendations made"
        return "Review held: no recommendations"
