"""Administrators keep the plan's structure here: groups and their members,
strands, emerging issues with their decision records, evaluation plans and
What Works toolkit links. Every change is audited by the admin site."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from saferplaces.accounts.models import Membership
from saferplaces.partnership.models import (
    Action,
    ActionMeasure,
    EvaluationPlan,
    Group,
    Milestone,
    Objective,
    Partnership,
    PartnershipArea,
    Plan,
    Principle,
    Priority,
    Strand,
    StrandLink,
)


class PartnershipMembers(admin.TabularInline[Membership, Partnership]):
    """Who belongs to the partnership, and their role in it."""

    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


class PartnershipAreaForm(forms.ModelForm[PartnershipArea]):
    class Meta:
        model = PartnershipArea
        fields = ["code"]

    def clean_code(self) -> str:
        """A code the loaded geography does not place is refused: its
        members would see no exact figure anywhere, without a word."""
        from saferplaces.analytics import geography
        from saferplaces.lib.store import web_store

        code = str(self.cleaned_data["code"]).strip()
        store = web_store()
        if "geography" in store.tables() and not geography.lsoas_in(store, code):
            raise forms.ValidationError(
                f"No area with the code {code} is loaded: check the code, or "
                "load the geography that holds it first."
            )
        return code


class PartnershipAreas(admin.TabularInline[PartnershipArea, Partnership]):
    """The areas the partnership covers: its members see exact figures for
    areas wholly inside them, and published figures elsewhere."""

    model = PartnershipArea
    form = PartnershipAreaForm
    extra = 1


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin[Partnership]):
    list_display = ["name", "board"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PartnershipAreas, PartnershipMembers]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin[Group]):
    list_display = ["name", "kind", "lead_agency", "lead_role", "lead"]
    list_filter = ["partnership", "kind"]
    search_fields = ["name", "themes"]
    filter_horizontal = ["members", "member_agencies"]
    prepopulated_fields = {"slug": ["name"]}


class StrandLinkInline(admin.TabularInline[StrandLink, Strand]):
    model = StrandLink
    extra = 1


@admin.register(Strand)
class StrandAdmin(admin.ModelAdmin[Strand]):
    list_display = ["name", "partnership"]
    inlines = [StrandLinkInline]


class PrincipleInline(admin.TabularInline[Principle, Plan]):
    model = Principle
    extra = 0


class PriorityInline(admin.TabularInline[Priority, Plan]):
    model = Priority
    extra = 0
    fields = ["number", "title"]
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin[Plan]):
    list_display = ["title", "partnership", "starts", "ends", "published"]
    inlines = [PrincipleInline, PriorityInline]
    prepopulated_fields = {"slug": ["title"]}


class ObjectiveInline(admin.TabularInline[Objective, Priority]):
    model = Objective
    extra = 0


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin[Priority]):
    list_display = ["number", "title", "plan"]
    list_filter = ["plan"]
    inlines = [ObjectiveInline]
    filter_horizontal = ["groups"]


class ActionMeasureInline(admin.TabularInline[ActionMeasure, Action]):
    model = ActionMeasure
    extra = 0


class EvaluationPlanInline(admin.StackedInline[EvaluationPlan, Action]):
    model = EvaluationPlan
    extra = 0


class MilestoneInline(admin.TabularInline[Milestone, Action]):
    model = Milestone
    extra = 1


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin[Action]):
    """Add an emerging issue mid-period here: tick emerging and record the
    decision that took it on."""

    list_display = ["number", "text", "group", "status", "due", "emerging"]
    list_filter = ["plan", "priority", "group", "status", "emerging"]
    search_fields = ["number", "text"]
    inlines = [ActionMeasureInline, MilestoneInline, EvaluationPlanInline]
