"""Writing the plan in the service: the plan period, its priorities and
objectives, actions with their milestones and outcome measures, groups with
their members, and strands.

Each page holds several small forms, each posting back with ``form`` naming
it; the one posted is checked with the model's own rules and, when wrong,
shown again with what was typed and an error summary. A form changing
something saved carries the version it was opened at, and is refused if
someone saved it since (saferplaces.versions). django-simple-history
records who changed what; the object's page shows it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from saferplaces.accounts import audit
from saferplaces.accounts.permissions import (
    Capability,
    can,
    can_edit_action,
    requires,
)
from saferplaces.lib.methods import accepts_post, posted
from saferplaces.partnership import history, scope
from saferplaces.partnership.forms import (
    ActionForm,
    EvaluationForm,
    GroupForm,
    GroupMembersForm,
    MeasureLinkForm,
    MilestoneForm,
    NewActionForm,
    NewPlanForm,
    ObjectiveForm,
    PlanForm,
    PriorityForm,
    StrandForm,
    TargetForm,
)
from saferplaces.partnership.models import (
    Action,
    ActionMeasure,
    EvaluationPlan,
    Group,
    Milestone,
    Objective,
    Plan,
    Priority,
    Strand,
)
from saferplaces.versions import StaleEdit, VersionedForm

# name -> a function making the form, unbound (None) or bound to POST data.
FormMakers = dict[str, Callable[[Any], VersionedForm[Any]]]


def refused(request: HttpRequest, **detail: str) -> HttpResponse:
    """The 403 page for a change the person's role does not allow here,
    with an audit entry naming what they tried."""
    audit.record(
        "permission_denied", request=request, detail={"path": request.path, **detail}
    )
    return render(request, "403.html", status=403)


def forms_page(
    request: HttpRequest,
    makers: FormMakers,
    template: str,
    context: dict[str, Any],
    done: str,
) -> HttpResponse:
    """Show every form; on POST check and save the one named, then go to
    ``done``, or show the page again with the typed values and either its
    errors (400) or, when someone saved the same thing since the form was
    opened, what they saved (409)."""
    shown = {name: make(None) for name, make in makers.items()}
    stale: StaleEdit | None = None
    if request.method == "POST":
        which = request.POST.get("form", "")
        if which not in makers:
            raise Http404("No such form on this page.")
        bound = makers[which](request.POST)
        if bound.is_valid():
            try:
                bound.save_unless_changed()
            except StaleEdit as conflict:
                stale = conflict
            else:
                messages.success(request, "Your change has been saved.")
                return redirect(done)
        shown[which] = bound
    errors = next((form for form in shown.values() if form.errors), None)
    return render(
        request,
        template,
        {
            **context,
            "forms": shown,
            "errors": errors,
            "stale_edit": stale,
            "stale_fields": bound.now_saved(stale) if stale else [],
        },
        status=409 if stale else 400 if errors else 200,
    )


def _managed_plan(request: HttpRequest, slug: str) -> Plan | HttpResponse:
    """The plan, if the person manages its partnership; 404 if it is not
    theirs to see, 403 if theirs to read only."""
    plan = get_object_or_404(
        scope.plans(request.user).select_related("partnership"), slug=slug
    )
    if not can(request.user, Capability.MANAGE_PLAN, plan.partnership_id):
        return refused(request, plan=plan.slug)
    return plan


def _plan_edit_url(plan: Plan) -> str:
    return reverse("partnership:plan_edit", kwargs={"slug": plan.slug})


@accepts_post
@requires(Capability.USE_SERVICE)
def plan_new(request: HttpRequest) -> HttpResponse:
    """Start a plan from nothing (a partnership's first, say); next year's
    is better started from this year's (copy forward)."""
    partnerships = scope.partnerships_where(request.user, Capability.MANAGE_PLAN)
    if not partnerships.exists():
        return refused(request, plan="new")
    form = NewPlanForm(posted(request), partnerships=partnerships)
    if request.method == "POST" and form.is_valid():
        plan = form.save()
        audit.record("plan_created", request=request, obj=plan)
        messages.success(request, f"{plan.title} is started: add its priorities.")
        return redirect(_plan_edit_url(plan))
    return render(
        request,
        "partnership/plan_new.html",
        {"form": form, "errors": form if form.errors else None},
        status=400 if form.errors else 200,
    )


@accepts_post
@requires(Capability.USE_SERVICE)
def plan_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """The plan period, and its priorities, groups and strands."""
    plan = _managed_plan(request, slug)
    if isinstance(plan, HttpResponse):
        return plan
    partnership = plan.partnership
    makers: FormMakers = {
        "plan": lambda data: PlanForm(data, instance=plan, prefix="plan"),
        "priority": lambda data: PriorityForm(
            data, instance=Priority(plan=plan), prefix="priority"
        ),
        "group": lambda data: GroupForm(
            data, instance=Group(partnership=partnership), prefix="group"
        ),
        "strand": lambda data: StrandForm(
            data, instance=Strand(partnership=partnership), prefix="strand"
        ),
    }
    for strand in partnership.strands.all():
        makers[f"strand-{strand.pk}"] = _strand_maker(strand)
    return forms_page(
        request,
        makers,
        "partnership/plan_edit.html",
        {
            "plan": plan,
            "priorities": plan.priorities.all(),
            "groups": partnership.groups.select_related("lead_agency"),
            "strands": partnership.strands.all(),
            "changes": history.plan_changes(plan),
        },
        _plan_edit_url(plan),
    )


def _strand_maker(strand: Strand) -> Callable[[Any], VersionedForm[Any]]:
    return lambda data: StrandForm(data, instance=strand, prefix=f"strand-{strand.pk}")


@accepts_post
@requires(Capability.USE_SERVICE)
def priority_edit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """A priority, its objectives, and a new action under it."""
    plan = _managed_plan(request, slug)
    if isinstance(plan, HttpResponse):
        return plan
    priority = get_object_or_404(plan.priorities, number=number)
    makers: FormMakers = {
        "priority": lambda data: PriorityForm(
            data, instance=priority, prefix="priority"
        ),
        "objective": lambda data: ObjectiveForm(
            data, instance=Objective(priority=priority), prefix="objective"
        ),
        "action": lambda data: NewActionForm(
            data, instance=Action(plan=plan, priority=priority), prefix="action"
        ),
    }
    for objective in priority.objectives.all():
        makers[f"objective-{objective.pk}"] = _objective_maker(objective)
    return forms_page(
        request,
        makers,
        "partnership/priority_edit.html",
        {
            "plan": plan,
            "priority": priority,
            "actions": priority.actions.all(),
            "objectives": priority.objectives.all(),
        },
        # The number may have changed: back to the plan's page of changes.
        _plan_edit_url(plan)
        if request.POST.get("form") == "priority"
        else request.path,
    )


def _objective_maker(objective: Objective) -> Callable[[Any], VersionedForm[Any]]:
    return lambda data: ObjectiveForm(
        data, instance=objective, prefix=f"objective-{objective.pk}"
    )


@accepts_post
@requires(Capability.USE_SERVICE)
def group_edit(request: HttpRequest, partnership: str, slug: str) -> HttpResponse:
    """A group's details, lead and members."""
    group = get_object_or_404(
        scope.groups(request.user).select_related("partnership"),
        partnership__slug=partnership,
        slug=slug,
    )
    if not can(request.user, Capability.MANAGE_PLAN, group.partnership_id):
        return refused(request, group=group.slug)
    makers: FormMakers = {
        "group": lambda data: GroupForm(data, instance=group, prefix="group"),
        "members": lambda data: GroupMembersForm(
            data, instance=group, prefix="members"
        ),
    }
    return forms_page(
        request,
        makers,
        "partnership/group_edit.html",
        {"group": group},
        reverse(
            "partnership:group",
            kwargs={"partnership": group.partnership.slug, "slug": group.slug},
        ),
    )


@accepts_post
@requires(Capability.USE_SERVICE)
def action_edit(request: HttpRequest, reference: str) -> HttpResponse:
    """Change an action: its details, its milestones, the outcome measures
    it hopes to move with their baseline and target, and its evaluation."""
    action = get_object_or_404(
        scope.actions(request.user).select_related("plan__partnership", "group"),
        reference=reference,
    )
    if not can_edit_action(request.user, action):
        return refused(request, action=action.reference)
    makers: FormMakers = {
        "details": lambda data: ActionForm(data, instance=action, prefix="details"),
        "milestone": lambda data: MilestoneForm(
            data, instance=Milestone(action=action), prefix="milestone"
        ),
        "measure": lambda data: MeasureLinkForm(
            data, instance=ActionMeasure(action=action), prefix="measure"
        ),
        "evaluation": _evaluation_maker(action),
    }
    for milestone in action.milestones.all():
        makers[f"milestone-{milestone.pk}"] = _milestone_maker(milestone)
    for link in action.measures.all():
        makers[f"target-{link.pk}"] = _target_maker(link)
    return forms_page(
        request,
        makers,
        "partnership/action_edit.html",
        {"action": action},
        reverse("partnership:action_edit", kwargs={"reference": action.reference}),
    )


def _milestone_maker(milestone: Milestone) -> Callable[[Any], VersionedForm[Any]]:
    return lambda data: MilestoneForm(
        data, instance=milestone, prefix=f"milestone-{milestone.pk}"
    )


def _evaluation_maker(action: Action) -> Callable[[Any], VersionedForm[Any]]:
    """The action's evaluation, or a new one: its areas are picked from the
    partnership's."""
    evaluation = getattr(action, "evaluation", None) or EvaluationPlan(action=action)
    partnership = action.plan.partnership
    return lambda data: EvaluationForm(
        data, instance=evaluation, prefix="evaluation", partnership=partnership
    )


def _target_maker(link: ActionMeasure) -> Callable[[Any], VersionedForm[Any]]:
    return lambda data: TargetForm(data, instance=link, prefix=f"target-{link.pk}")
