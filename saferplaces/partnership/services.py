"""Work on plans beyond single pages: copying a plan forward."""

from __future__ import annotations

import calendar
import datetime

from django.db import transaction

from saferplaces.codes import date_in_words
from saferplaces.partnership.models import (
    FINISHED,
    Action,
    ActionMeasure,
    EvaluationPlan,
    Milestone,
    Objective,
    Plan,
    Principle,
    Priority,
    action_reference,
)


class CopyRefused(Exception):
    """The next plan cannot be started so; the message says why, in words."""


def copy_refusal(
    plan: Plan, *, title: str, slug: str, starts: datetime.date, ends: datetime.date
) -> tuple[str, str] | None:
    """Why ``plan`` cannot be copied forward so, as (the field at fault, the
    reason in words); None if it can. The one rule the service, its form
    and the command line share."""
    if ends <= starts:
        return "ends", "The plan must end after it starts."
    if Plan.objects.filter(slug=slug).exists():
        return "slug", "A plan has this short name already."
    # A plan of that name whose period overlaps the new one's: the same
    # year copied twice.
    same = plan.partnership.plans.filter(
        title__iexact=title.strip(), starts__lte=ends, ends__gte=starts
    ).first()
    if same is not None:
        return "title", (
            f"{plan.partnership.name} has a plan called “{same.title}” for "
            f"{date_in_words(same.starts)} to {date_in_words(same.ends)} already: "
            "give the new plan another title, or open that one."
        )
    return None


@transaction.atomic
def copy_forward(
    plan: Plan, *, title: str, slug: str, starts: datetime.date, ends: datetime.date
) -> Plan:
    """Start the next plan period from ``plan``: its principles, priorities,
    objectives and every open action (complete and stopped ones stay), each
    with its outcome measures and their targets, its evaluation and the
    milestones it has not met. ``CopyRefused`` if ``copy_refusal`` says so."""
    refusal = copy_refusal(plan, title=title, slug=slug, starts=starts, ends=ends)
    if refusal is not None:
        raise CopyRefused(refusal[1])
    new = Plan.objects.create(
        partnership=plan.partnership,
        title=title,
        slug=slug,
        starts=starts,
        ends=ends,
        narrative=plan.narrative,
        key_measures=plan.key_measures,
        synthetic=plan.synthetic,
        previous=plan,
    )
    for principle in plan.principles.all():
        Principle.objects.create(plan=new, number=principle.number, text=principle.text)
    for priority in plan.priorities.all():
        copied = Priority.objects.create(
            plan=new,
            number=priority.number,
            title=priority.title,
            description=priority.description,
            themes=priority.themes,
        )
        copied.groups.set(priority.groups.all())
        objectives: dict[int | None, Objective | None] = {None: None}
        for objective in priority.objectives.all():
            objectives[objective.pk] = Objective.objects.create(
                priority=copied, title=objective.title, text=objective.text
            )
        for action in priority.actions.exclude(status__in=FINISHED):
            _carry(action, new, copied, objectives[action.objective_id])
    return new


def _carry(
    action: Action, plan: Plan, priority: Priority, objective: Objective | None
) -> Action:
    carried = Action.objects.create(
        plan=plan,
        priority=priority,
        objective=objective,
        reference=action_reference(plan.slug, action.number),
        number=action.number,
        text=action.text,
        group=action.group,
        lead_agency=action.lead_agency,
        lead_role=action.lead_role,
        target_areas=action.target_areas,
        starts=plan.starts,
        due=plan.ends,
        status=action.status,
        emerging=action.emerging,
        decision=action.decision,
        toolkit_intervention=action.toolkit_intervention,
        emmie=action.emmie,
        carried_from=action,
    )
    for link in action.measures.all():
        ActionMeasure.objects.create(
            action=carried,
            measure_id=link.measure_id,
            direction=link.direction,
            size=link.size,
            baseline_from=link.baseline_from,
            baseline_to=link.baseline_to,
            target=link.target,
        )
    _carry_milestones(action, carried)
    evaluation = getattr(action, "evaluation", None)
    if evaluation is not None:
        # The same question, asked of the same months: an evaluation's
        # follow-up often runs past the year the action began in.
        EvaluationPlan.objects.create(
            action=carried,
            **{name: getattr(evaluation, name) for name in EVALUATION_FIELDS},
        )
    return carried


EVALUATION_FIELDS = (
    "question", "measure_id", "target_area", "comparison_area", "baseline_from",
    "baseline_to", "followup_from", "followup_to", "method",
)  # fmt: skip


def _carry_milestones(action: Action, carried: Action) -> None:
    """The steps not met, planned again: one due before the new plan starts
    (missed, or planned and overdue) falls due as far into the new plan as
    it was into the old, and none later than the new plan's end. Met ones
    stay with the action they were met on (``carried_from``)."""
    old_start, new_start = action.plan.starts, carried.plan.starts
    months_on = (new_start.year - old_start.year) * 12 + (
        new_start.month - old_start.month
    )
    for milestone in action.milestones.exclude(state=Milestone.State.MET):
        due = milestone.due
        if due < new_start:
            due = min(_months_later(due, months_on), carried.plan.ends)
        Milestone.objects.create(
            action=carried, title=milestone.title, due=max(due, new_start)
        )


def _months_later(day: datetime.date, months: int) -> datetime.date:
    """``day`` ``months`` calendar months on, on the month's last day where
    the month is shorter (31 March 2015 and 12 months: 31 March 2016)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))
