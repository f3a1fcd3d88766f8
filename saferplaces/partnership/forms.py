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
from saferplaces.lib.fields import ModelMultipleChoiceField
from saferplaces.partnership.areas import AreaField, AreasField, area_choices
from saferplaces.partnership.models import (
    MONTH_RULE,
    Action,
    ActionMeasure,
    EvaluationPlan,
    Group,
    Milestone,
    Objective,
    Plan,
    Priority,
    Status,
    Strand,
    StrandLink,
    action_reference,
    allowed_change,
)
from saferplaces.versions import VersionedForm

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

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.action.plan.takes_updates():
            self.add_error(None, self.action.plan.why_no_updates())
        return data

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


class ActionForm(VersionedForm[Action]):
    """An action's details. The model's rules (due not before start, an
    emerging issue's decision) apply here as in the importer and the admin."""

    target_areas = AreasField(
        label="Target areas (optional)",
        help_text="The partnership's areas the action is aimed at, one to a "
        "box: type a name or code, like Selly Oak, and choose it from the "
        "list. Save to have more boxes.",
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
        target_areas = self.fields["target_areas"]
        assert isinstance(target_areas, AreasField)
        target_areas.offer(area_choices(self.instance.plan.partnership))


class MilestoneForm(VersionedForm[Milestone]):
    class Meta:
        model = Milestone
        fields = ["title", "due", "state"]
        labels = {"title": "Milestone", "due": "Due (YYYY-MM-DD)", "state": "State"}
        widgets = {"due": forms.DateInput(format="%Y-%m-%d")}


class TargetForm(VersionedForm[ActionMeasure]):
    """The aim on one of the action's outcome measures."""

    @property
    def measure_title(self) -> str:
        measure = REGISTRY.get(self.instance.measure_id)
        return measure.title if measure else self.instance.measure_id

    class Meta:
        model = ActionMeasure
        fields = ["direction", "size", "baseline_from", "baseline_to", "target"]
        labels = {
            "direction": "The plan wants to",
            "size": 'By how much (like "10%" or "5 points", optional)',
            "baseline_from": "Baseline from (YYYY-MM, optional)",
            "baseline_to": "Baseline to (YYYY-MM, optional)",
            "target": "Target, a month, in the measure's unit (optional)",
        }


class EvaluationForm(VersionedForm[EvaluationPlan]):
    """The action's evaluation: the question, the measure, the areas (the
    partnership's, from a list) and the months before and after. The
    model's rules (months, a comparison for difference in differences, the
    follow-up after the baseline) apply here as in the plan file."""

    measure_id = forms.ChoiceField(label="Outcome measure", choices=())
    target_area = AreaField(
        label="Area the action works in",
        help_text="One of the partnership's areas, by name or code.",
    )
    comparison_area = AreaField(
        label="Comparison area (for difference in differences)",
        required=False,
        help_text="An area like the target where the action did not run: "
        "its change stands for what would have happened anyway. "
        "Blank: before and after only.",
    )

    class Meta:
        model = EvaluationPlan
        fields = [
            "question", "measure_id", "method", "target_area", "comparison_area",
            "baseline_from", "baseline_to", "followup_from", "followup_to",
        ]  # fmt: skip
        labels = {
            "question": "The question the evaluation answers",
            "method": "Method",
            "baseline_from": "Before: from (YYYY-MM)",
            "baseline_to": "Before: to (YYYY-MM)",
            "followup_from": "After: from (YYYY-MM)",
            "followup_to": "After: to (YYYY-MM)",
        }
        widgets = {"question": forms.Textarea(attrs={"rows": 2})}
        # Too long for a month is no month: said as the model says it.
        error_messages = {
            name: {"max_length": MONTH_RULE}
            for name in ("baseline_from", "baseline_to", "followup_from", "followup_to")
        }

    def __init__(self, *args: Any, partnership: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        measures = sorted(
            ((m.id, m.title) for m in REGISTRY.values() if m.kind != "ratio"),
            key=lambda choice: choice[1],
        )
        self._choose("measure_id", measures, "Choose a measure")
        offered = area_choices(partnership)
        for name in ("target_area", "comparison_area"):
            area = self.fields[name]
            assert isinstance(area, AreaField)
            area.offer(offered)
        method = self.fields["method"]
        assert isinstance(method, forms.ChoiceField)
        method.choices = EvaluationPlan.Method.choices  # one is always chosen

    def reopened(self, current: Any) -> forms.ModelForm[EvaluationPlan]:
        return type(self)(
            instance=current, prefix=self.prefix, partnership=self.partnership
        )

    def _choose(self, name: str, choices: list[tuple[str, str]], blank: str) -> None:
        """The field's choices, keeping a saved value no longer offered (an
        area the partnership has since let go of) so it is not lost."""
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        saved = getattr(self.instance, name, "")
        offered = list(choices)
        if saved and saved not in dict(offered):
            offered.append((saved, saved))
        field.choices = [("", blank), *offered]
        field.error_messages["invalid_choice"] = "Choose a measure from the list."


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

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan

    def clean(self) -> dict[str, Any]:
        from saferplaces.partnership.services import copy_refusal

        data = super().clean() or {}
        if not self.errors:
            refusal = copy_refusal(self.plan, **data)
            if refusal is not None:
                self.add_error(*refusal)
        return data


# The plan's authoring forms: a partnership manager writes the plan period,
# its priorities, objectives, groups and strands in the service. Each checks
# the same rules as the model (clean) and the plan file importer.

DATE_INPUT = forms.DateInput(format="%Y-%m-%d")
LINES_HINT = "One to a line."


class PlanForm(VersionedForm[Plan]):
    class Meta:
        model = Plan
        fields = ["title", "starts", "ends", "narrative"]
        labels = {
            "title": "Title of the plan",
            "starts": "Starts (YYYY-MM-DD)",
            "ends": "Ends (YYYY-MM-DD)",
            "narrative": "Introduction (optional)",
        }
        widgets = {
            "starts": DATE_INPUT,
            "ends": DATE_INPUT,
            "narrative": forms.Textarea(attrs={"rows": 4}),
        }


class LinesField(forms.CharField):
    """A list of short texts typed one to a line."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [line.strip() for line in str(text).splitlines() if line.strip()]


class PriorityForm(VersionedForm[Priority]):
    themes = LinesField(
        label="Sub-themes (optional)", required=False, help_text=LINES_HINT
    )

    class Meta:
        model = Priority
        fields = ["number", "title", "description", "themes", "groups"]
        labels = {
            "number": "Number",
            "title": "Title",
            "description": "What the priority is about (optional)",
            "groups": "Groups that deliver it (optional)",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "groups": forms.CheckboxSelectMultiple,
        }
        field_classes = {"groups": ModelMultipleChoiceField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups = self.fields["groups"]
        assert isinstance(groups, forms.ModelMultipleChoiceField)
        groups.queryset = Group.objects.filter(
            partnership_id=self.instance.plan.partnership_id
        )

    def clean_number(self) -> int:
        number = int(self.cleaned_data["number"])
        taken = Priority.objects.filter(plan_id=self.instance.plan_id, number=number)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"The plan has a priority {number} already.")
        return number


class ObjectiveForm(VersionedForm[Objective]):
    class Meta:
        model = Objective
        fields = ["title", "text"]
        labels = {"title": "Objective", "text": "More about it (optional)"}
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class NewActionForm(ActionForm):
    """An action added to a priority: its number and group as well."""

    class Meta(ActionForm.Meta):
        fields = ["number", "objective", "group", *ActionForm.Meta.fields]
        labels = {
            **ActionForm.Meta.labels,
            "number": "Number, e.g. 3.1.4",
            "objective": "Objective (optional)",
            "group": "Group that delivers it",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        action = self.instance
        objective = self.fields["objective"]
        group = self.fields["group"]
        assert isinstance(objective, forms.ModelChoiceField)
        assert isinstance(group, forms.ModelChoiceField)
        objective.queryset = Objective.objects.filter(priority_id=action.priority_id)
        group.queryset = Group.objects.filter(partnership_id=action.plan.partnership_id)

    def clean_number(self) -> str:
        number = str(self.cleaned_data["number"]).strip()
        if not ACTION_NUMBER.match(number):
            raise forms.ValidationError(
                "Enter the action's number as digits and dots, like 3.1.4."
            )
        reference = action_reference(self.instance.plan.slug, number)
        if Action.objects.filter(reference=reference).exists():
            raise forms.ValidationError(f"The plan has an action {number} already.")
        self.instance.reference = reference
        return number


ACTION_NUMBER = re.compile(r"^\d{1,3}(\.\d{1,3}){0,3}$")


class MeasureLinkForm(VersionedForm[ActionMeasure]):
    """An outcome measure the action hopes to move, linked to it."""

    measure_id = forms.ChoiceField(label="Outcome measure", choices=())

    class Meta:
        model = ActionMeasure
        fields = [
            "measure_id", "direction", "size", "baseline_from", "baseline_to", "target",
        ]  # fmt: skip
        labels = TargetForm.Meta.labels

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = sorted((m.id, m.title) for m in REGISTRY.values())
        field = self.fields["measure_id"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a measure"), *sorted(choices, key=lambda c: c[1])]

    def clean_measure_id(self) -> str:
        measure_id = str(self.cleaned_data["measure_id"])
        if self.instance.action.measures.filter(measure_id=measure_id).exists():
            raise forms.ValidationError("The action is linked to this measure already.")
        return measure_id


class GroupForm(VersionedForm[Group]):
    class Meta:
        model = Group
        fields = [
            "name", "kind", "lead_title", "lead_agency", "lead_role",
            "joint_lead_agency", "joint_lead_role", "themes", "delivery_method",
            "terms_of_reference",
        ]  # fmt: skip
        labels = {
            "name": "Name",
            "kind": "Kind of group",
            "lead_title": "The lead is called (Chair or Lead)",
            "lead_agency": "Lead agency",
            "lead_role": "Lead role (optional)",
            "joint_lead_agency": "Joint lead agency (optional)",
            "joint_lead_role": "Joint lead role (optional)",
            "themes": "What the group covers (optional)",
            "delivery_method": "Delivery method (optional)",
            "terms_of_reference": "Terms of reference (optional)",
        }
        widgets = {
            "themes": forms.Textarea(attrs={"rows": 2}),
            "delivery_method": forms.Textarea(attrs={"rows": 2}),
            "terms_of_reference": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_name(self) -> str:
        from django.utils.text import slugify

        name = str(self.cleaned_data["name"]).strip()
        slug = slugify(name)[:80]
        if not slug:
            raise forms.ValidationError("Give the group a name with letters in it.")
        others = Group.objects.filter(partnership_id=self.instance.partnership_id)
        if others.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("The partnership has a group of that name.")
        if not self.instance.pk:
            self.instance.slug = slug  # an existing group keeps its address
        return name


class GroupMembersForm(VersionedForm[Group]):
    """Who leads the group and who belongs to it, among the partnership's
    members (a group's lead and members post progress on its actions)."""

    class Meta:
        model = Group
        fields = ["lead", "members"]
        labels = {"lead": "Lead using saferplaces (optional)", "members": "Members"}
        widgets = {"members": forms.CheckboxSelectMultiple}
        field_classes = {"members": ModelMultipleChoiceField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from saferplaces.accounts.models import User

        people = User.objects.filter(
            memberships__partnership_id=self.instance.partnership_id, is_active=True
        ).order_by("username")
        for name in ("lead", "members"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = people
            field.label_from_instance = _person  # type: ignore[method-assign,assignment]
        self.fields["members"].required = False


def _person(user: Any) -> str:
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else str(user.username)


class StrandForm(VersionedForm[Strand]):
    """A cross-cutting strand and the groups it is integrated through."""

    groups = ModelMultipleChoiceField(
        queryset=Group.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Integrated through (optional)",
    )

    class Meta:
        model = Strand
        fields = ["name", "description"]
        labels = {"name": "Strand", "description": "What it is (optional)"}
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups = self.fields["groups"]
        assert isinstance(groups, forms.ModelMultipleChoiceField)
        groups.queryset = Group.objects.filter(
            partnership_id=self.instance.partnership_id
        )
        if self.instance.pk and not self.is_bound:
            self.initial["groups"] = list(self.instance.groups.all())

    def save(self, commit: bool = True) -> Strand:
        strand = super().save()
        chosen = set(self.cleaned_data["groups"])
        strand.links.exclude(group__in=chosen).delete()
        kept = {link.group_id for link in strand.links.all()}
        for group in chosen:
            if group.pk not in kept:
                StrandLink.objects.create(strand=strand, group=group)
        return strand


class NewPlanForm(forms.ModelForm[Plan]):
    """A plan started from nothing, for a partnership the person manages."""

    class Meta:
        model = Plan
        fields = ["partnership", "title", "slug", "starts", "ends", "narrative"]
        labels = {
            **PlanForm.Meta.labels,
            "partnership": "Partnership",
            "slug": "Short name for addresses",
        }
        help_texts = {
            "slug": "Lower-case letters, digits and hyphens, e.g. "
            "birmingham-south-2015-16",
        }
        widgets = PlanForm.Meta.widgets
        error_messages = {"slug": {"unique": "A plan has this short name already."}}

    allow_duplicate = forms.BooleanField(
        required=False,
        label="Yes, start a second plan with this title and period",
        help_text="Tick only if the partnership has such a plan and you mean "
        "to keep two.",
    )

    def __init__(self, *args: Any, partnerships: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["partnership"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = partnerships
        field.empty_label = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors or cleaned.get("allow_duplicate"):
            return cleaned
        # The instance takes the typed values only after clean(): ask of a
        # plan made of them.
        fields = ("partnership", "title", "starts", "ends")
        same = Plan(**{f: cleaned[f] for f in fields}).same_plan()
        if same is not None:
            self.add_error(
                "title",
                f"{same.partnership.name} has a plan with this title and period "
                f"already ({same.slug}). Change the title or dates, or tick the "
                "box to start a second one.",
            )
        return cleaned
