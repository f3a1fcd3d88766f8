"""The plan's forms: progress updates (evidence files checked before
saving), an action's details, milestones and targets."""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from saferplaces.analytics.measures import REGISTRY
from saferplaces.partnership.models import (
    Action,
    ActionMeasure,
    Milestone,
    Plan,
    Status,
    allowed_change,
)

# Extension -> the content type it is stored and described as. Files are
# only ever sent back as downloads, never rendered or executed.
EVIDENCE_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
# The first bytes each type must start with (text types are checked as text).
SIGNATURES = {
    ".pdf": [b"%PDF-"],
    ".docx": [b"PK\x03\x04"],
    ".xlsx": [b"PK\x03\x04"],
    ".png": [b"\x89PNG\r\n\x1a\n"],
    ".jpg": [b"\xff\xd8\xff"],
    ".jpeg": [b"\xff\xd8\xff"],
}


class ProgressForm(forms.Form):
    status = forms.ChoiceField(
        choices=Status.choices, label="Status", help_text="Where the action stands now."
    )
    text = forms.CharField(
        label="What has happened",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text="Progress since the last update: what was done, by whom, "
        "what changed. No personal details of victims or residents.",
    )
    evidence = forms.FileField(
        label="Evidence (optional)",
        required=False,
        help_text="PDF, Word, Excel, CSV, text, PNG or JPEG, up to "
        f"{settings.EVIDENCE_MAX_MEGABYTES} MB.",
    )

    def __init__(self, *args: Any, action: Action, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields["status"].initial = action.status

    def clean_status(self) -> str:
        status = str(self.cleaned_data["status"])
        if not allowed_change(self.action.status, status):
            raise forms.ValidationError(
                f"An action that is {self.action.get_status_display().lower()} "
                "can only be reopened as on track or at risk."
                if self.action.finished
                else "A started action cannot go back to not started."
            )
        return status

    def clean_evidence(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("evidence")
        if not upload:
            return None
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in EVIDENCE_TYPES:
            raise forms.ValidationError(
                "The evidence must be a PDF, Word, Excel, CSV, text, PNG or JPEG file."
            )
        limit = settings.EVIDENCE_MAX_MEGABYTES * 1024 * 1024
        if upload.size is None or upload.size > limit:
            megabytes = settings.EVIDENCE_MAX_MEGABYTES
            raise forms.ValidationError(
                f"The evidence must be smaller than {megabytes} MB."
            )
        head = upload.read(512)
        upload.seek(0)
        if not _looks_like(suffix, head):
            raise forms.ValidationError(
                f"The file's contents are not a {suffix[1:].upper()} file."
            )
        return upload


def _looks_like(suffix: str, head: bytes) -> bool:
    if suffix in SIGNATURES:
        return any(head.startswith(signature) for signature in SIGNATURES[suffix])
    # Text: no NUL bytes, decodes as UTF-8 (a cut multi-byte character at the
    # end of the sample is allowed).
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start >= len(head) - 3
    return True


class ActionForm(forms.ModelForm[Action]):
    """An action's details. The model's rules (due not before start, an
    emerging issue's decision) apply here as in the importer and the admin."""

    target_areas = forms.CharField(
        label="Target areas (optional)",
        required=False,
        max_length=500,
        help_text="Area codes, separated by commas, e.g. E05011118, SYN-D03",
    )

    class Meta:
        model = Action
        fields = ["text", "lead_agency", "lead_role", "target_areas", "starts", "due"]
        labels = {
            "text": "What the action is",
            "lead_agency": "Lead agency",
            "lead_role": "Lead role (optional)",
            "starts": "Starts (YYYY-MM-DD)",
            "due": "Due (YYYY-MM-DD)",
        }
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            # The label says YYYY-MM-DD: show the date that way, not en-GB's.
            "starts": forms.DateInput(format="%Y-%m-%d"),
            "due": forms.DateInput(format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["target_areas"] = ", ".join(self.instance.target_areas)

    def clean_target_areas(self) -> list[str]:
        codes = [c.strip() for c in self.cleaned_data["target_areas"].split(",")]
        bad = [c for c in codes if c and not AREA_CODE.match(c)]
        if bad:
            raise forms.ValidationError(
                f"{bad[0]!r} is not an area code: letters, digits and hyphens only."
            )
        return [c for c in codes if c]


AREA_CODE = re.compile(r"^[A-Za-z0-9-]{2,40}$")


class MilestoneForm(forms.ModelForm[Milestone]):
    class Meta:
        model = Milestone
        fields = ["title", "due", "state"]
        labels = {"title": "Milestone", "due": "Due (YYYY-MM-DD)", "state": "State"}
        widgets = {"due": forms.DateInput(format="%Y-%m-%d")}


class TargetForm(forms.ModelForm[ActionMeasure]):
    """The aim on one of the action's outcome measures."""

    @property
    def measure_title(self) -> str:
        measure = REGISTRY.get(self.instance.measure_id)
        return measure.title if measure else self.instance.measure_id

    class Meta:
        model = ActionMeasure
        fields = ["direction", "baseline_from", "baseline_to", "target"]
        labels = {
            "direction": "The plan wants to",
            "baseline_from": "Baseline from (YYYY-MM, optional)",
            "baseline_to": "Baseline to (YYYY-MM, optional)",
            "target": "Target, a month, in the measure's unit (optional)",
        }


class CopyForwardForm(forms.Form):
    """The next plan period, started from this one."""

    title = forms.CharField(max_length=200, label="Title of the new plan")
    slug = forms.SlugField(
        max_length=80,
        label="Short name for addresses",
        help_text="Lower-case letters, digits and hyphens, "
        "e.g. birmingham-south-2015-16",
    )
    starts = forms.DateField(label="Starts (YYYY-MM-DD)")
    ends = forms.DateField(label="Ends (YYYY-MM-DD)")

    def clean_slug(self) -> str:
        slug = str(self.cleaned_data["slug"])
        if Plan.objects.filter(slug=slug).exists():
            raise forms.ValidationError("A plan has this short name already.")
        return slug

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            self.add_error("ends", "The plan must end after it starts.")
        return data
