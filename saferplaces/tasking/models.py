"""Problem-solving records: SARA (scanning, analysis, response,
assessment) for a hot spot or a concern, owned by an agency; the
assessment is computed from the data (analytics.problem_solving)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from saferplaces.accounts.models import Agency
from saferplaces.codes import is_month
from saferplaces.lib.area_code import AreaCodeField
from saferplaces.partnership.models import Group, Partnership
from saferplaces.versions import Versioned


class ProblemSolving(Versioned):
    class Stage(models.TextChoices):
        SCANNING = "scanning", "Scanning"
        ANALYSIS = "analysis", "Analysis"
        RESPONSE = "response", "Response"
        ASSESSMENT = "assessment", "Assessment"
        CLOSED = "closed", "Closed"

    class Source(models.TextChoices):
        STREET_CRIME = "street-crime", "Street crime and anti-social behaviour"
        ROAD_COLLISIONS = "road-collisions", "Road collisions"
        CONCERNS = "concerns", "Community concerns"

    class CompareWith(models.TextChoices):
        # The assessment takes the target (and a hot spot's ring of cells)
        # out of the comparison, so that neither counts on both sides.
        REST_OF_DISTRICT = "rest-of-district", "The rest of the district"
        REST_OF_AREA = "rest-of-area", "The rest of another area"
        # Records saved before the comparison left the target out keep
        # their meaning (migration 0002); no one chooses it afresh.
        WHOLE_AREA = "whole-area", "The whole area, target included"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="problems"
    )
    title = models.CharField(max_length=200)
    stage = models.CharField(max_length=12, choices=Stage.choices, default="scanning")
    source = models.CharField(max_length=20, choices=Source.choices)
    kind = models.CharField(
        max_length=80, blank=True, help_text="A crime type, severity or concern."
    )
    area_code = AreaCodeField()
    # Hot spot cells ("x-y" south-west corners, British National Grid metres).
    cells = models.JSONField(default=list, blank=True)
    cell_size = models.FloatField(default=250)
    compare_with = models.CharField(
        max_length=16, choices=CompareWith.choices, default="rest-of-district"
    )
    comparison_area = AreaCodeField(blank=True)
    owner = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scanning = models.TextField(blank=True)
    analysis = models.TextField(blank=True)
    response = models.TextField(blank=True)
    toolkit_intervention = models.CharField(
        max_length=200, blank=True, help_text="What Works Crime Reduction Toolkit"
    )
    response_starts = models.CharField(max_length=7, blank=True)  # YYYY-MM
    assessment_months = models.PositiveSmallIntegerField(default=6)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created"]
        verbose_name = "problem-solving record"

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.response_starts and not is_month(self.response_starts):
            errors["response_starts"] = "Enter a month as YYYY-MM, like 2014-04."
        if not 1 <= (self.assessment_months or 0) <= 36:
            errors["assessment_months"] = "Between 1 and 36 months."
        if self.compare_with != self.CompareWith.REST_OF_DISTRICT and not (
            self.comparison_area
        ):
            errors["comparison_area"] = (
                "Choose the area to compare with, or compare with the rest "
                "of the district."
            )
        if self.group is not None and self.group.partnership_id != self.partnership_id:
            errors["group"] = "Choose a group of this partnership."
        if errors:
            raise ValidationError(errors)
