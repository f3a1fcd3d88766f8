"""Pages of the partnership plan: overview, groups, actions, progress, the
public plan, and exports. Permissions come from accounts.permissions."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from saferplaces.accounts import audit
from saferplaces.accounts.models import User
from saferplaces.accounts.permissions import (
    Capability,
    can,
    can_edit_action,
    can_edit_group_actions,
    requires,
)
from saferplaces.analytics.measures import REGISTRY
from saferplaces.lib.downloads import csv_download, xlsx_download
from saferplaces.lib.methods import accepts_post, post_only, posted
from saferplaces.lib.pagecache import cached_page, store_revision
from saferplaces.partnership import history, progress, scope, workflow
from saferplaces.partnership.authoring import refused
from saferplaces.partnership.forms import CopyForwardForm, ProgressForm
from saferplaces.partnership.models import (
    Action,
    ActionMeasure,
    Finding,
    Group,
    Partnership,
    Plan,
    ProgressUpdate,
    Status,
)


def _current_plan(request: HttpRequest, published_only: bool = False) -> Plan:
    """The plan asked for (``?plan=``) or the newest, among the published
    plans for the public page and the person's own partnerships' otherwise
    (the newest of the partnership they are in first)."""
    if published_only:
        plans = Plan.objects.select_related("partnership").filter(published=True)
        newest = plans.first()
    else:
        plans = scope.plans(request.user)
        newest = scope.current_plans(request).first() or plans.first()
    slug = request.GET.get("plan")
    plan = plans.filter(slug=slug).first() if slug else newest
    if plan is None:
        raise Http404("No plan has been loaded yet.")
    return plan


@requires(Capability.USE_SERVICE)
def plan_overview(request: HttpRequest) -> HttpResponse:
    """Priorities -> groups -> actions, with counts by status."""
    if not scope.plans(request.user).exists():
        may_start = can(request.user, Capability.MANAGE_PLAN)
        return render(request, "partnership/no_plan.html", {"may_start": may_start})
    plan = _current_plan(request)
    if can(request.user, Capability.MANAGE_PLAN, plan.partnership_id):
        return _plan_page(request, plan)  # a form with a CSRF token: not kept
    chooser = tuple(scope.plans(request.user).values_list("slug", flat=True))
    return cached_page(
        request, _plan_revision(plan, chooser), lambda: _plan_page(request, plan)
    )


def _plan_revision(plan: Plan, *more: Any) -> tuple[Any, ...]:
    """What a page of the plan depends on: the plan's revision, and today
    (actions fall overdue as days pass)."""
    return (plan.pk, plan.revision, timezone.localdate(), *more)


def _plan_page(request: HttpRequest, plan: Plan) -> HttpResponse:
    actions = progress.plan_actions(plan)
    priorities = [
        {
            "priority": priority,
            "summary": progress.summarise(
                priority.title, [a for a in actions if a.priority_id == priority.pk]
            ),
            "groups": _groups_with_actions(priority.pk, actions),
        }
        for priority in plan.priorities.prefetch_related("groups")
    ]
    return render(
        request,
        "partnership/plan.html",
        {
            "plan": plan,
            "plans": scope.plans(request.user),
            "priorities": priorities,
            "overall": progress.summarise("All actions", actions),
            "statuses": Status,
            "strands": plan.partnership.strands.prefetch_related("links__group"),
            "measures": [REGISTRY[m] for m in plan.key_measures if m in REGISTRY],
            "findings": plan.findings.filter(kind=Finding.Kind.FINDING),
            "resident_priorities": plan.findings.filter(
                kind=Finding.Kind.RESIDENT_PRIORITY
            ),
            "today": timezone.localdate(),
            "may_manage": can(
                request.user, Capability.MANAGE_PLAN, plan.partnership_id
            ),
            "changes": history.plan_changes(plan),
        },
    )


def _groups_with_actions(priority_id: int, actions: list[Action]) -> list[Any]:
    mine = [a for a in actions if a.priority_id == priority_id]
    groups = sorted({a.group for a in mine}, key=lambda g: g.name)
    return [(g, [a for a in mine if a.group_id == g.pk]) for g in groups]


@requires(Capability.USE_SERVICE)
def group_detail(request: HttpRequest, partnership: str, slug: str) -> HttpResponse:
    group = get_object_or_404(
        scope.groups(request.user).select_related("lead_agency", "partnership"),
        partnership__slug=partnership,
        slug=slug,
    )
    plan = _group_plan(request, group)
    actions = [a for a in progress.plan_actions(plan) if a.group_id == group.pk]
    updates = (
        ProgressUpdate.objects.filter(action__group=group, action__plan=plan)
        .select_related("action", "author")
        .order_by("-created")[:10]
    )
    return render(
        request,
        "partnership/group.html",
        {
            "group": group,
            "plan": plan,
            "actions": actions,
            "summary": progress.summarise(group.name, actions),
            "updates": updates,
            "links": group.strands.through.objects.filter(group=group).select_related(
                "strand"
            ),
            "members": group.members.select_related("agency").order_by("username"),
            "you_edit": can_edit_group_actions(request.user, group),
            "may_manage": can(
                request.user, Capability.MANAGE_PLAN, group.partnership_id
            ),
            "changes": history.group_changes(group),
            "today": timezone.localdate(),
        },
    )


def _group_plan(request: HttpRequest, group: Group) -> Plan:
    """The plan asked for, or the newest of the group's own partnership."""
    plans = group.partnership.plans.all()
    slug = request.GET.get("plan")
    plan = plans.filter(slug=slug).first() if slug else plans.first()
    if plan is None:
        raise Http404("This group's partnership has no plan with that name.")
    return plan


@accepts_post
@requires(Capability.USE_SERVICE)
def action_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """An action, its history, its evaluation, and (for its group) the form
    to post progress."""
    action = get_object_or_404(
        scope.actions(request.user).select_related(
            "plan__partnership", "priority", "group", "lead_agency"
        ),
        reference=reference,
    )
    may_edit = can_edit_action(request.user, action)
    form = ProgressForm(action=action)
    if request.method == "POST":
        if not may_edit:
            return refused(request, action=action.reference)
        form = ProgressForm(request.POST, request.FILES, action=action)
        if form.is_valid():
            try:
                workflow.post_progress(
                    action,
                    cast(User, request.user),
                    form.cleaned_data["text"],
                    form.cleaned_data["status"],
                    form.cleaned_data.get("evidence"),
                    ip=audit.client_ip(request),
                )
            except workflow.PlanClosed as closed:  # closed since it was checked
                form.add_error(None, str(closed))
            else:
                messages.success(request, "Your update has been posted.")
                return redirect("partnership:action", reference=action.reference)
        return _action_page(request, action, form, may_edit)
    # Its evaluation and area names come from the store: a load changes them.
    return cached_page(
        request,
        _plan_revision(
            action.plan,
            action.pk,
            may_edit,
            store_revision(),
            scope.clearance(request.user).key(),
        ),
        lambda: _action_page(request, action, form, may_edit),
    )


def _action_page(
    request: HttpRequest, action: Action, form: ProgressForm, may_edit: bool
) -> HttpResponse:
    return render(
        request,
        "partnership/action.html",
        {
            "action": action,
            "form": form,
            "may_edit": may_edit,
            "updates": action.updates.select_related("author").prefetch_related(
                "evidence"
            ),
            "measures": [
                (m, REGISTRY.get(m.measure_id)) for m in action.measures.all()
            ],
            "evaluation": _evaluation(action, scope.clearance(request.user)),
            "target_areas": _area_names(action.target_areas),
            "milestones": action.milestones.all(),
            "changes": history.changes(action),
            "today": timezone.localdate(),
            "overdue": action.is_overdue(),
            "stale": action.is_stale(settings.PLAN_STALE_AFTER_WEEKS),
        },
        status=400 if form.errors else 200,
    )


@post_only
@requires(Capability.USE_SERVICE)
def choose_partnership(request: HttpRequest) -> HttpResponse:
    """The header's chooser: the partnership a person in several is in (kept
    in their session); one of another partnership is 404, as if it did not
    exist. Back to the page it was chosen on."""
    scope.choose(request, request.POST.get("partnership", ""))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("web:home")
    return redirect(back)


@post_only
@requires(Capability.USE_SERVICE)
def plan_publication(request: HttpRequest, slug: str) -> HttpResponse:
    """Publish the plan (the public sees it at /our-plan/) or withdraw it.
    Another partnership's plan is 404 before any question of role."""
    plan = get_object_or_404(scope.plans(request.user), slug=slug)
    if not can(request.user, Capability.MANAGE_PLAN, plan.partnership_id):
        return refused(request, plan=plan.slug)
    publish = request.POST.get("published") == "yes"
    workflow.publish(
        plan, publish, cast(User, request.user), ip=audit.client_ip(request)
    )
    messages.success(
        request,
        "The plan is published: anyone can read it at Our plan."
        if publish
        else "The plan is withdrawn: only the partnership's members can read it.",
    )
    return redirect(f"{reverse('partnership:plan')}?plan={plan.slug}")


@post_only
@requires(Capability.USE_SERVICE)
def plan_reopening(request: HttpRequest, slug: str) -> HttpResponse:
    """Reopen an ended plan for progress updates, or close it again, for the
    partnership's manager. Another partnership's plan is 404."""
    plan = get_object_or_404(scope.plans(request.user), slug=slug)
    if not can(request.user, Capability.MANAGE_PLAN, plan.partnership_id):
        return refused(request, plan=plan.slug)
    reopened = request.POST.get("reopened") == "yes"
    workflow.reopen(
        plan, reopened, cast(User, request.user), ip=audit.client_ip(request)
    )
    messages.success(
        request,
        "The plan is reopened: its actions take progress updates until you "
        "close it again."
        if reopened
        else "The plan is closed: its actions take no more progress updates.",
    )
    return redirect(f"{reverse('partnership:plan')}?plan={plan.slug}")


@accepts_post
@requires(Capability.USE_SERVICE)
def plan_copy_forward(request: HttpRequest, slug: str) -> HttpResponse:
    """Start the next period's plan from this one (principles, priorities,
    objectives and open actions), for the partnership's manager."""
    plan = get_object_or_404(scope.plans(request.user), slug=slug)
    if not can(request.user, Capability.MANAGE_PLAN, plan.partnership_id):
        return refused(request, plan=plan.slug)
    form = CopyForwardForm(posted(request), plan=plan)
    if request.method == "POST" and form.is_valid():
        new = workflow.start_next_plan(
            plan,
            cast(User, request.user),
            **form.cleaned_data,
            ip=audit.client_ip(request),
        )
        messages.success(request, f"{new.title} is started from {plan.title}.")
        return redirect(f"{reverse('partnership:plan')}?plan={new.slug}")
    return render(
        request,
        "partnership/copy_forward.html",
        {"plan": plan, "form": form},
        status=400 if form.errors else 200,
    )


def _area_names(codes: list[str]) -> list[tuple[str, str]]:
    """Each target area's name (its code where the store does not know it)."""
    from saferplaces.analytics import geography
    from saferplaces.lib.store import web_store

    return [(code, geography.name_of(web_store(), code)) for code in codes]


def _evaluation(action: Action, clearance: Any) -> dict[str, Any] | None:
    """The evaluation plan and, where the data allows, its result."""
    plan = getattr(action, "evaluation", None)
    if plan is None:
        return None
    measure = REGISTRY.get(plan.measure_id)
    codes = [plan.target_area, plan.comparison_area]
    names = dict(_area_names([code for code in codes if code]))
    described = {
        "plan": plan,
        "measure": measure.title if measure else plan.measure_id,
        "target_area": names[plan.target_area],
        "comparison_area": names.get(plan.comparison_area, ""),
        "aim": _evaluation_aim(action, plan.measure_id),
    }
    from saferplaces.analytics import results
    from saferplaces.analytics.evaluation import Window
    from saferplaces.lib.store import web_store

    try:
        result = results.evaluate(
            web_store(),
            plan.measure_id,
            plan.target_area,
            Window(plan.baseline_from, plan.baseline_to),
            Window(plan.followup_from, plan.followup_to),
            plan.comparison_area or None,
            clearance=clearance,
        )
    except results.ResultError as error:
        return {**described, "result": None, "problem": str(error)}
    return {
        **described,
        "result": result,
        "verdict": result.verdict(described["aim"]),
        "problem": None,
    }


def _evaluation_aim(action: Action, measure_id: str) -> str:
    """What the evaluation's result is judged by: the way the action's own
    link to the measure wants it to move, else the measure's polarity
    ("neither" when it has none, or the action only watches it)."""
    link = next((m for m in action.measures.all() if m.measure_id == measure_id), None)
    if link is not None:
        return link.direction if link.direction != "watch" else "neither"
    measure = REGISTRY.get(measure_id)
    return measure.polarity if measure else "neither"


@requires(Capability.USE_SERVICE)
def evidence_download(request: HttpRequest, public_id: uuid.UUID) -> FileResponse:
    """Evidence is only ever sent as a download, never shown inline."""
    evidence = get_object_or_404(
        scope.evidence(request.user).select_related("update"), public_id=public_id
    )
    audit.record(
        "plan_evidence_downloaded",
        request=request,
        obj=evidence,
        detail={"action": evidence.update.action_id},
    )
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.name,
        content_type="application/octet-stream",
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@requires(Capability.USE_SERVICE)
def progress_report(request: HttpRequest) -> HttpResponse:
    """Progress against the plan (measure 5), by priority and group."""
    plan = _current_plan(request)
    # Its targets' latest figures come from the store: a load changes them.
    return cached_page(
        request,
        _plan_revision(plan, store_revision(), scope.clearance(request.user).key()),
        lambda: _progress_page(request, plan),
    )


def _progress_page(request: HttpRequest, plan: Plan) -> HttpResponse:
    actions = progress.plan_actions(plan)
    return render(
        request,
        "partnership/progress.html",
        {
            "plan": plan,
            "overall": progress.summarise("All actions", actions),
            "priorities": progress.by_priority(plan, actions),
            "groups": progress.by_group(actions),
            "trend": progress.trend(plan, actions),
            "statuses": Status,
            "overdue": [a for a in actions if a.is_overdue()][:50],
            "stale_weeks": settings.PLAN_STALE_AFTER_WEEKS,
            "targets": _targets(request, plan),
        },
    )


def public_plan(request: HttpRequest) -> HttpResponse:
    """The published plan: narrative, priorities, groups, leads, progress."""
    plan = _current_plan(request, published_only=True)
    request.partnership = plan.partnership  # type: ignore[attr-defined]
    return cached_page(
        request, _plan_revision(plan), lambda: _public_plan_page(request, plan)
    )


def partnership_plan(request: HttpRequest, slug: str) -> HttpResponse:
    """A partnership's published plan at its own address (``?plan=`` one of
    its other published plans); 404 before it publishes one."""
    partnership = get_object_or_404(Partnership, slug=slug)
    plans = partnership.plans.filter(published=True)
    asked = request.GET.get("plan")
    plan = plans.filter(slug=asked).first() if asked else plans.first()
    if plan is None:
        raise Http404(f"{partnership.name} has not published a plan yet.")
    request.partnership = partnership  # type: ignore[attr-defined]
    return cached_page(
        request, _plan_revision(plan), lambda: _public_plan_page(request, plan)
    )


def _targets(request: HttpRequest, plan: Plan) -> list[tuple[ActionMeasure, Any]]:
    """Each target the plan sets, with the measure's latest card (its
    assurance against the target) for its partnership's whole area."""
    from saferplaces.analytics import results
    from saferplaces.lib.store import web_store

    found = []
    home = scope.whole_area(web_store(), plan.partnership)
    clearance = scope.clearance(request.user)
    # A target set, or a size of change the cards turn into one.
    links = ActionMeasure.objects.filter(action__plan=plan).filter(
        Q(target__isnull=False) | ~Q(size="")
    )
    for link in links.select_related("action").order_by("action__id"):
        aim = link.aim()
        try:
            card = results.card(
                web_store(), link.measure_id, home, aim, clearance=clearance
            )
        except results.ResultError:
            card = None
        found.append((link, card))
    return found


def _public_plan_page(request: HttpRequest, plan: Plan) -> HttpResponse:
    actions = progress.plan_actions(plan)
    return render(
        request,
        "partnership/public_plan.html",
        {
            "plan": plan,
            "principles": plan.principles.all(),
            "priorities": [
                (
                    priority,
                    progress.summarise(
                        priority.title,
                        [a for a in actions if a.priority_id == priority.pk],
                    ),
                    [a for a in actions if a.priority_id == priority.pk],
                )
                for priority in plan.priorities.prefetch_related("groups__lead_agency")
            ],
            "overall": progress.summarise("All actions", actions),
            "statuses": Status,
            "groups": plan.partnership.groups.select_related("lead_agency"),
            "measures": [REGISTRY[m] for m in plan.key_measures if m in REGISTRY],
        },
    )


EXPORT_COLUMNS = [
    "reference", "number", "priority", "objective", "action", "group",
    "lead_agency", "lead_role", "target_areas", "starts", "due", "status",
    "overdue", "emerging", "last_update", "last_update_text", "updates",
]  # fmt: skip


def _export_rows(plan: Plan) -> list[list[Any]]:
    rows = []
    for action in progress.plan_actions(plan):
        latest = action.last_update()
        rows.append(
            [
                action.reference, action.number,
                f"{action.priority.number}. {action.priority.title}",
                action.objective.title if action.objective else "",
                action.text, action.group.name,
                action.lead_agency.name if action.lead_agency else "",
                action.lead_role, " ".join(action.target_areas),
                action.starts, action.due, action.get_status_display(),
                "yes" if action.is_overdue() else "no",
                "yes" if action.emerging else "no",
                latest.created.date() if latest else "",
                latest.text if latest else "",
                action.updates.count(),
            ]
        )  # fmt: skip
    return rows


@requires(Capability.USE_SERVICE)
def export_csv(request: HttpRequest) -> HttpResponse:
    plan = _current_plan(request)
    return csv_download(f"{plan.slug}-actions.csv", EXPORT_COLUMNS, _export_rows(plan))


@requires(Capability.USE_SERVICE)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    plan = _current_plan(request)
    updates = [
        [
            update.action.reference,
            update.created.replace(tzinfo=None),
            update.get_status_display(),
            update.get_previous_status_display(),
            update.text,
        ]
        for update in ProgressUpdate.objects.filter(action__plan=plan).select_related(
            "action"
        )
    ]
    return xlsx_download(
        f"{plan.slug}-actions.xlsx",
        [
            ("Actions", EXPORT_COLUMNS, _export_rows(plan)),
            (
                "Progress updates",
                ["reference", "date", "status", "previous_status", "text"],
                updates,
            ),
        ],
    )
