"""Cases opened, counted: the one place case data leaves casework as
numbers (the counts page; ``saferplaces.cases.publish`` feeds the measures
engine). The statistics, perturbation and withholding, are analytics'
(``saferplaces.analytics.perturbed_counts``); this module only counts."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from saferplaces.analytics.perturbation import PTable
from saferplaces.analytics.perturbed_counts import CountTable, count_table
from saferplaces.cases.models import Case, CaseType


def monthly_counts(partnership_ids: list[int]) -> list[dict[str, Any]]:
    """Cases opened per month by type, risk level and area: counts only,
    each with the sum of its cases' record keys (for the cell key)."""
    rows = (
        Case.objects.filter(partnership_id__in=partnership_ids)
        .annotate(month=TruncMonth("opened_on"))
        .values("month", "case_type", "risk_level", "area_code")
        .annotate(cases=Count("pk"), key_sum=Sum("record_key"))
        .order_by("month", "case_type", "risk_level", "area_code")
    )
    return [{**row, "month": f"{row['month']:%Y-%m}"} for row in rows]


def opened_table(partnership_ids: list[int], ptable: PTable) -> CountTable:
    """The counts page's table of cases opened in these partnerships,
    perturbed and withheld as published counts are."""
    return count_table(
        monthly_counts(partnership_ids),
        ptable,
        timezone.localdate(),
        {str(value): str(label) for value, label in CaseType.choices},
    )
