"""The tasking forms: the pack chooser, and the problem-solving record's
form (GOV.UK patterns, the model's rules)."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from saferplaces.partnership.areas import AreaField, area_choices
from saferplaces.partnership.models import Group
from saferplaces.tasking.models import ProblemSolving
from saferplaces.versions import VersionedForm

CELL = re.compile(r"^\d{1,7}-\d{1,7}$")


class _Month(forms.CharField):
    """A month typed for the pack, passed on as typed: the pack itself says
    what it cannot cover."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)
        self.validators = []
        self.widget.attrs["class"] = "govuk-input--width-10"


class PackChooserForm(forms.Form):
    """An area the person may have a pack for, and a run of months."""

    area = forms.ChoiceField(
        label="Area",
        required=False,
        error_messages={"invalid_choice": "Choose an area from the list."},
    )
    to = _Month(label="To (YYYY-MM, optional)")

    def __init__(self, data: Any, areas: list[tuple[str, str]]) -> None:
        """``areas``: (code, label) of each area offered, in order."""
        super().__init__(data, auto_id="%s")
        area = self.fields["area"]
        assert isinstance(area, forms.ChoiceField)
        area.choices = [("", "Choose an area"), *areas]
        # "from" is Python's: the field is added by its name here, before
        # "to" as the page asks for them.
        first = _Month(
            label="From (YYYY-MM, optional)",
            help_text="The last 12 months of data if left blank.",
        )
        self.fields = {"area": area, "from": first, "to": self.fields["to"]}


class ProblemForm(VersionedForm[ProblemSolving]):
    area_code = AreaField(
        label="Area",
        help_text="One of the partnership's areas: type its name or code, "
        "and choose it from the list.",
    )
    comparison_area = AreaField(
        label="Comparison area (for another area)",
        required=False,
        help_text="Only for another area: its name or code, like Northfield. "
        "Leave blank for the rest of the district.",
    )
    cells = forms.CharField(
        label="Hot spot cells (optional)",
        required=False,
        max_length=2000,
        help_text="Their corners as on the tasking pack, separated by commas, "
        "e.g. 404250-281500. Leave blank to work on the whole area.",
    )

    class Meta:
        model = ProblemSolving
        fields = [
            "title", "stage", "owner", "group", "source", "kind", "area_code",
            "cells", "compare_with", "comparison_area", "scanning", "analysis",
            "response", "toolkit_intervention", "response_starts",
            "assessment_months",
        ]  # fmt: skip
        labels = {
            "title": "What the problem is",
            "stage": "Stage",
            "owner": "Agency that owns it",
            "group": "Tasking group (optional)",
            "source": "Data that shows it",
            "kind": "Which kind (optional), e.g. Burglary or fly-tipping",
            "compare_with": "Compare with",
            "scanning": "Scanning: what was noticed, by whom (optional)",
            "analysis": "Analysis: why it happens here (optional)",
            "response": "Response: what partners agreed to do (optional)",
            "toolkit_intervention": "What Works toolkit intervention (optional)",
            "response_starts": "Response starts (YYYY-MM, optional)",
            "assessment_months": "Months to compare either side of the start",
        }
        help_texts = {
            "compare_with": "Somewhere with no response, for what would have "
            "happened anyway: the assessment sets the target against it. The "
            "target, and for hot spot cells the ring of cells around them, are "
            "taken out of it, so that nothing counts on both sides.",
        }
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("scanning", "analysis", "response")
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group = self.fields["group"]
        assert isinstance(group, forms.ModelChoiceField)
        group.queryset = Group.objects.filter(
            partnership_id=self.instance.partnership_id
        )
        offered = area_choices(self.instance.partnership)
        for name in ("area_code", "comparison_area"):
            area = self.fields[name]
            assert isinstance(area, AreaField)
            area.offer(offered)
        if not self.is_bound:
            self.initial["cells"] = ", ".join(self.instance.cells or [])
        whole = ProblemSolving.CompareWith.WHOLE_AREA
        if self.instance.compare_with != whole:
            # Kept for records saved with it; not a choice for new ones.
            compare_with = self.fields["compare_with"]
            assert isinstance(compare_with, forms.TypedChoiceField)
            compare_with.choices = [
                (choice.value, choice.label)
                for choice in ProblemSolving.CompareWith
                if choice != whole
            ]

    def clean_cells(self) -> list[str]:
        cells = [c.strip() for c in self.cleaned_data["cells"].split(",") if c.strip()]
        bad = [c for c in cells if not CELL.match(c)]
        if bad:
            raise forms.ValidationError(
                f"{bad[0]!r} is not a cell: write its corner as on the pack, "
                "like 404250-281500."
            )
        return cells

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        district = ProblemSolving.CompareWith.REST_OF_DISTRICT
        if cleaned.get("compare_with") == district and cleaned.get("comparison_area"):
            self.add_error(
                "comparison_area",
                "Leave the comparison area blank to compare with the rest of "
                "the district, or choose the rest of another area.",
            )
        return cleaned
