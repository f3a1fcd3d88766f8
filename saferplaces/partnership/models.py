"""A partnership's structure of accountability and its plan.

Partnerships nest in boards (a Local Delivery Group under the city's board).
A partnership has groups (sub-groups, forums, tasking groups, panels), each
with a lead agency and role, and cross-cutting strands delivered through
some of them. A plan covers a period: guiding principles, priorities with
sub-themes, objectives and numbered actions. Each action belongs to one
group, has a status and dated progress updates, and may carry the measures
it hopes to move and an evaluation plan.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from saferplaces.accounts.models import Agency
from saferplaces.analytics.cards import Aim
from saferplaces.codes import (
    SIZE_OF_CHANGE_RULE,
    date_in_words,
    is_month,
    size_of_change,
)
from saferplaces.lib import labels
from saferplaces.lib.area_code import AreaCodeField
from saferplaces.versions import Versioned

# What a month typed in a form must look like, said once.
MONTH_RULE = "Enter a month as YYYY-MM, like 2013-04."


class Partnership(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    # The board this partnership answers to (None for a city's top board).
    board = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="parts"
    )
    # What its public pages say: the name above is its public name, shown
    # in the header; the purpose on its home page; and a place its residents
    # may type, suggested on its neighbourhood page (blank: its first ward).
    purpose = models.TextField(blank=True)
    example_place = models.CharField(
        max_length=200,
        blank=True,
        help_text="A place suggested on its public pages, e.g. Selly Oak "
        "(blank: the first ward of its areas).",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def area_codes(self) -> list[str]:
        """The codes of the areas this partnership covers, in order."""
        return [area.code for area in self.areas.all()]


class PartnershipArea(models.Model):
    """An area a partnership covers, by its code (a district, ward, LSOA, or
    any area the geography knows). Its members see exact figures for areas
    wholly inside the union of these, and published figures elsewhere
    (docs/publication.md)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="areas"
    )
    code = AreaCodeField()

    class Meta:
        ordering = ["partnership", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "code"], name="one_area_code_per_partnership"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partnership}: {self.code}"


class GroupKind(models.TextChoices):
    BOARD = "board", "Board"
    SUB_GROUP = "sub_group", "Sub-group"
    FORUM = "forum", "Forum"
    TASKING_GROUP = "tasking_group", "Tasking group"
    PANEL = "panel", "Panel"


class Group(Versioned):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="groups"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    kind = models.CharField(max_length=20, choices=GroupKind.choices)
    lead_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # "Chair" or "Lead", and the role title: names of people are optional.
    lead_title = models.CharField(max_length=20, default="Lead")
    lead_role = models.CharField(max_length=200, blank=True)
    # Some groups are led jointly (the ASB Safer Communities Group's chair is
    # shared by the police and the council): the second leading agency.
    joint_lead_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    joint_lead_role = models.CharField(max_length=200, blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="groups_led",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="partnership_groups"
    )
    member_agencies = models.ManyToManyField(Agency, blank=True, related_name="+")
    terms_of_reference = models.TextField(blank=True)
    delivery_method = models.TextField(blank=True)
    themes = models.TextField(blank=True, help_text="What the group covers.")

    # Who changed what, and when (shown on the object's page); who joined
    # or left the group too.
    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "slug"], name="group_slug_per_partnership"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Strand(Versioned):
    """A cross-cutting strand (Prevent, Schools & Police Panels, ...)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="strands"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    groups: models.ManyToManyField[Group, StrandLink] = models.ManyToManyField(
        Group, through="StrandLink", related_name="strands"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StrandLink(models.Model):
    strand = models.ForeignKey(Strand, on_delete=models.CASCADE, related_name="links")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.strand} through {self.group}"


class Plan(Versioned):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="plans"
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    starts = models.DateField()
    ends = models.DateField()
    narrative = models.TextField(blank=True)
    # The outcome measures the plan reports against (measure registry ids).
    key_measures = models.JSONField(default=list, blank=True)
    # The key areas of the board the partnership answers to, in its order.
    board_key_areas = models.JSONField(default=list, blank=True)
    published = models.BooleanField(default=False)
    synthetic = models.BooleanField(
        default=False, help_text="Demo data: shown with a SYNTHETIC label."
    )
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An ended plan takes no progress updates (its statuses are a record of
    # where things stood at its end) unless its manager reopens it.
    reopened = models.BooleanField(
        default=False, help_text="Ended, and opened again for progress updates."
    )
    # Raised by every change to the plan or anything it shows (signals.py):
    # pages of the plan are kept in memory under it (lib/pagecache.py).
    revision = models.PositiveIntegerField(default=0, editable=False)

    # Who changed what, and when (shown on the object's page).
    history = HistoricalRecords()

    class Meta:
        # Newest first; of two over the same period, the first loaded.
        ordering = ["-starts", "id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # A blank or invalid date is the field's own error, already shown.
        if self.starts and self.ends and self.ends <= self.starts:
            raise ValidationError({"ends": "The plan must end after it starts."})

    def same_plan(self) -> Plan | None:
        """Another plan of the partnership with this title and period: a
        second copy, most likely a file imported twice under a new slug."""
        return (
            Plan.objects.filter(
                partnership_id=self.partnership_id,
                title=self.title,
                starts=self.starts,
                ends=self.ends,
            )
            .exclude(pk=self.pk)
            .first()
        )

    def has_ended(self, today: datetime.date | None = None) -> bool:
        return self.ends < (today or timezone.localdate())

    def takes_updates(self, today: datetime.date | None = None) -> bool:
        """Whether progress may be posted on its actions: until it ends, and
        after that only while its manager has it reopened."""
        return self.reopened or not self.has_ended(today)

    def why_no_updates(self) -> str:
        """Why its actions take no progress updates, in words."""
        return (
            f"This plan ended on {date_in_words(self.ends)}: its actions stand as "
            "they were at its end and take no more updates. Post progress on the "
            "action in the plan that carries it on, or ask the plan's manager to "
            "reopen this plan for updates."
        )

    def as_of(self, today: datetime.date | None = None) -> datetime.date:
        """The day the plan's actions are judged on: today, or the plan's last
        day once it has ended. A plan that ended is a record of where things
        stood then; an action open at its end is not "overdue by a decade"
        but open when the plan ended, to carry forward or close."""
        return min(today or timezone.localdate(), self.ends)


class Principle(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="principles")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"


class Priority(Versioned):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="priorities")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    themes = models.JSONField(default=list, blank=True)  # sub-themes, in order
    groups = models.ManyToManyField(Group, blank=True, related_name="priorities")

    # Who changed what, and when (shown on the object's page).
    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return self.title


class Objective(Versioned):
    priority = models.ForeignKey(
        Priority, on_delete=models.CASCADE, related_name="objectives"
    )
    title = models.CharField(max_length=200)
    text = models.TextField(blank=True)

    # Who changed what, and when (shown on the object's page).
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class Finding(models.Model):
    """Findings and trends the plan starts from, and resident priorities."""

    class Kind(models.TextChoices):
        FINDING = "finding", "Finding"
        RESIDENT_PRIORITY = "resident_priority", "Resident priority"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    source = models.CharField(max_length=200, blank=True)
    text = models.TextField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:80]


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    COMPLETE = "complete", "Complete"
    STOPPED = "stopped", "Stopped"


FINISHED = {Status.COMPLETE, Status.STOPPED}
# Any open status may move to any other; a finished action is reopened only
# to "on track" or "at risk" (and that is recorded as an update like any).
ALLOWED_FROM_FINISHED = {Status.ON_TRACK, Status.AT_RISK}


def allowed_change(old: str, new: str) -> bool:
    """Whether an action's status may change from ``old`` to ``new``."""
    if old == new:
        return True
    if old in FINISHED:
        return new in ALLOWED_FROM_FINISHED
    return new != Status.NOT_STARTED


def action_reference(plan_slug: str, number: str) -> str:
    """'birmingham-south-2014-15' and '3.1.2' -> '...-2014-15-3-1-2'."""
    from django.utils.text import slugify

    return slugify(f"{plan_slug}-{number.replace('.', '-')}")[:80]


class Action(Versioned):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    priority = models.ForeignKey(
        Priority, on_delete=models.CASCADE, related_name="actions"
    )
    objective = models.ForeignKey(
        Objective,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    reference = models.SlugField(max_length=80, unique=True)
    number = models.CharField(max_length=10)
    text = models.TextField()
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="actions")
    lead_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lead_role = models.CharField(max_length=200, blank=True)
    target_areas = models.JSONField(default=list, blank=True)
    starts = models.DateField(null=True, blank=True)
    due = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    # An issue that emerged during the plan period, with the decision taken.
    emerging = models.BooleanField(default=False)
    decision = models.TextField(blank=True)
    toolkit_intervention = models.CharField(
        max_length=200, blank=True, help_text="What Works Crime Reduction Toolkit"
    )
    emmie = models.JSONField(default=dict, blank=True)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Who changed what, and when (shown on the object's page).
    history = HistoricalRecords()

    class Meta:
        ordering = ["priority__number", "id"]

    def __str__(self) -> str:
        return f"{self.number} {self.text[:60]}"

    def clean(self) -> None:
        if self.emerging and not self.decision.strip():
            raise ValidationError(
                {"decision": "Record the decision that took this issue on."}
            )
        if self.starts and self.due and self.due < self.starts:
            raise ValidationError({"due": "An action cannot be due before it starts."})

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """Past its due date and not finished, on the day the plan is judged
        (its last day once it has ended)."""
        day = self.plan.as_of(today)
        return bool(self.due and self.due < day and not self.finished)

    def open_at_end(self, today: datetime.date | None = None) -> bool:
        """Still open when its plan ended."""
        return self.plan.has_ended(today) and not self.finished

    def last_update(self) -> ProgressUpdate | None:
        # From the prefetched updates when the caller prefetched them.
        return max(self.updates.all(), key=lambda u: u.created, default=None)

    def is_stale(self, weeks: int, today: datetime.date | None = None) -> bool:
        """Open, and no update for ``weeks`` weeks (or none since it started)."""
        if self.finished:
            return False
        today = self.plan.as_of(today)
        latest = self.last_update()
        since = latest.created.date() if latest else self.starts or self.plan.starts
        return (today - since).days > weeks * 7


class ActionMeasure(Versioned):
    """A measure the action hopes to move, and by how much."""

    class Direction(models.TextChoices):
        UP = "up", "Increase"
        DOWN = "down", "Reduce"
        # Followed, with no aim to move it either way (e.g. more domestic
        # abuse reported may mean more confidence to report, not more abuse).
        WATCH = "watch", "Watch"

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="measures"
    )
    measure_id = models.CharField(max_length=80)
    direction = models.CharField(max_length=5, choices=Direction.choices)
    size = models.CharField(max_length=80, blank=True, help_text="e.g. 10%")
    # The baseline the target is set against (months, YYYY-MM), and the
    # target itself in the measure's unit: they drive the cards' assurance,
    # the measure page's target line and the progress page.
    baseline_from = models.CharField(max_length=7, blank=True)
    baseline_to = models.CharField(max_length=7, blank=True)
    target = models.FloatField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "outcome measure"

    def __str__(self) -> str:
        measure = labels.label(self.measure_id, "measure")
        return f"{self.get_direction_display()} {measure}"

    def aim(self) -> Aim:
        """What the cards weigh the measure against: the target, else the
        size of change on the stated baseline months."""
        return Aim(
            self.direction, self.size, self.target, self.baseline_from, self.baseline_to
        )

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.size and size_of_change(self.size) is None:
            errors["size"] = SIZE_OF_CHANGE_RULE
        elif self.size and self.direction == self.Direction.WATCH:
            errors["size"] = (
                "A watched measure has no size of change: choose a direction."
            )
        for name in ("baseline_from", "baseline_to"):
            value = getattr(self, name)
            if value and not is_month(value):
                errors[name] = MONTH_RULE
        if (
            not errors
            and self.baseline_from
            and self.baseline_to
            and self.baseline_to < self.baseline_from
        ):
            errors["baseline_to"] = "The baseline must end after it starts."
        if self.target is not None and self.direction == self.Direction.WATCH:
            errors["target"] = "A watched measure has no target: choose a direction."
        if errors:
            raise ValidationError(errors)


class Milestone(Versioned):
    """A dated step towards an action, met or missed."""

    class State(models.TextChoices):
        PLANNED = "planned", "Planned"
        MET = "met", "Met"
        MISSED = "missed", "Missed"

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(max_length=200)
    due = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default="planned")
    history = HistoricalRecords()

    class Meta:
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.due:%d %b %Y})" if self.due else self.title

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """Planned and past its date: neither met nor recorded as missed."""
        day = self.action.plan.as_of(today)
        return self.state == self.State.PLANNED and self.due < day

    def clean(self) -> None:
        action = self.action if self.action_id else None
        if action and action.starts and self.due and self.due < action.starts:
            raise ValidationError(
                {"due": "A milestone cannot be due before its action starts."}
            )


class ProgressUpdate(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    text = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices)
    previous_status = models.CharField(max_length=20, choices=Status.choices)
    synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.action.number}: {self.get_status_display()}"


def _evidence_path(instance: Evidence, filename: str) -> str:
    # Stored under a random name: the user's file name is kept as data only.
    return f"evidence/{instance.update.action.plan.slug}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    # Evidence may hold personal data: its URL carries this random id, never
    # the sequential primary key, so one file's address reveals no other.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(upload_to=_evidence_path)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.name


class EvaluationPlan(Versioned):
    class Method(models.TextChoices):
        BEFORE_AFTER = "before_after", "Before and after"
        DIFFERENCE_IN_DIFFERENCES = (
            "did",
            "Difference in differences with a comparison area",
        )

    action = models.OneToOneField(
        Action, on_delete=models.CASCADE, related_name="evaluation"
    )
    question = models.TextField()
    measure_id = models.CharField(max_length=80)
    target_area = AreaCodeField()
    comparison_area = AreaCodeField(blank=True)
    baseline_from = models.CharField(max_length=7)  # YYYY-MM
    baseline_to = models.CharField(max_length=7)
    followup_from = models.CharField(max_length=7)
    followup_to = models.CharField(max_length=7)
    method = models.CharField(max_length=20, choices=Method.choices)

    # Who set it up or changed it, and when (shown on the action's page).
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Evaluation of {self.action.number}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        months = ("baseline_from", "baseline_to", "followup_from", "followup_to")
        for name in months:
            value = getattr(self, name)
            if value and not is_month(value):  # a blank one is the field's
                errors[name] = MONTH_RULE
        if self.method == self.Method.DIFFERENCE_IN_DIFFERENCES and not (
            self.comparison_area
        ):
            errors["comparison_area"] = "Difference in differences needs one."
        elif self.comparison_area and self.comparison_area == self.target_area:
            errors["comparison_area"] = (
                "The comparison area must be another area than the target."
            )
        if not errors.keys() & set(months):  # compared once each is a month
            if self.baseline_to < self.baseline_from:
                errors["baseline_to"] = "The baseline must end after it starts."
            if self.followup_from <= self.baseline_to:
                errors["followup_from"] = "The follow-up must start after the baseline."
        if errors:
            raise ValidationError(errors)
