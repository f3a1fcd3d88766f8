"""Work on plans beyond single pages: copying a plan forward."""

from __future__ import annotations

import datetime

from django.db import transaction

from saferplaces.partnership.models import (
    FINISHED,
    Action,
    ActionMeasure,
    Objective,
    Plan,
    Principle,
    Priority,
    action_reference,
)


@transaction.atomic
def copy_forward(
    plan: Plan, *, title: str, slug: str, starts: datetime.date, ends: datetime.date
) -> Plan:
    """Start the next plan period from ``plan``: its principles, priorities,
    objectives and every open action (complete and stopped ones stay)."""
    if ends <= starts:
        raise ValueError("the new plan must end after it starts")
    if Plan.objects.filter(slug=slug).exists():
        raise ValueError(f"a plan {slug!r} exists already")
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
        )
    return carried
