"""Work on plans beyond single pages: copying a plan forward, and the demo."""

from __future__ import annotations

import datetime
import random
from pathlib import Path

from django.db import transaction

from saferplaces.accounts.models import Membership, Role, User
from saferplaces.partnership.models import (
    FINISHED,
    Action,
    ActionMeasure,
    EvaluationPlan,
    Group,
    Milestone,
    Objective,
    Partnership,
    Plan,
    Principle,
    Priority,
    ProgressUpdate,
    Status,
    action_reference,
)
from saferplaces.partnership.plan_file import import_plan

DEMO_PLANS = Path(__file__).resolve().parents[1] / "demo" / "plans"
DEMO_PLAN = DEMO_PLANS / "birmingham-south-2014-15.yaml"
# A second, invented partnership sharing the installation (unpublished plan).
NEIGHBOUR_PLAN = DEMO_PLANS / "neighbouring-partnership-synthetic.yaml"
NEIGHBOUR_SLUG = "neighbouring-ldg-synthetic-draft"


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


# -- the demo ------------------------------------------------------------------

SYNTHETIC_UPDATES = {
    Status.ON_TRACK: "SYNTHETIC: met as planned; partners agreed next steps.",
    Status.AT_RISK: "SYNTHETIC: progress slower than hoped; a partner's capacity "
    "is stretched and the group is looking at options.",
    Status.OFF_TRACK: "SYNTHETIC: stalled; escalated to the LDG for a decision.",
    Status.COMPLETE: "SYNTHETIC: delivered; outcome reported to the LDG.",
    Status.STOPPED: "SYNTHETIC: stopped by the LDG; the need is met elsewhere.",
}
FINAL = (
    [Status.COMPLETE] * 9
    + [Status.ON_TRACK] * 3
    + [Status.AT_RISK] * 2
    + [
        Status.OFF_TRACK,
        Status.STOPPED,
        Status.NOT_STARTED,
    ]
)


def load_demo_plan(seed: int = 20140401) -> tuple[Plan, bool]:
    """The seed plan, with SYNTHETIC progress; (plan, whether it was new)."""
    from saferplaces.partnership.signals import one_revision_for_many_changes

    with one_revision_for_many_changes(), transaction.atomic():
        return _load_demo_plans(seed)


def _load_demo_plans(seed: int) -> tuple[Plan, bool]:
    plan = Plan.objects.filter(slug="birmingham-south-2014-15").first()
    new = plan is None
    if plan is None:
        plan = import_plan(DEMO_PLAN)
        plan.synthetic = True
        plan.save(update_fields=["synthetic"])
        rng = random.Random(seed)
        for action in plan.actions.order_by("id"):
            _synthetic_progress(action, rng)
        _demo_evaluations(plan)
        _demo_milestones_and_target(plan)
    if not Plan.objects.filter(slug=NEIGHBOUR_SLUG).exists():
        neighbour = import_plan(NEIGHBOUR_PLAN)
        neighbour.synthetic = True
        neighbour.save(update_fields=["synthetic"])
    return plan, new


def _synthetic_progress(action: Action, rng: random.Random) -> None:
    final = rng.choice(FINAL)
    if final == Status.NOT_STARTED:
        return
    path = [Status.ON_TRACK] * rng.randint(1, 3)
    if final != Status.ON_TRACK:
        path.append(final)
    previous: str = Status.NOT_STARTED
    day = action.plan.starts + datetime.timedelta(days=rng.randint(20, 60))
    for status in path:
        moment = datetime.datetime.combine(day, datetime.time(10), datetime.UTC)
        ProgressUpdate.objects.create(
            action=action,
            created=moment,
            text=SYNTHETIC_UPDATES[status],
            status=status,
            previous_status=previous,
            synthetic=True,
        )
        previous = status
        day = min(action.plan.ends, day + datetime.timedelta(days=rng.randint(45, 110)))
    action.status = previous
    action.save(update_fields=["status"])


def _demo_evaluations(plan: Plan) -> None:
    """Evaluations over the demo's SYNTHETIC data (April 2010 to March 2016):
    the plan year, and the year after it, against the two years before."""
    road = plan.actions.filter(number="3.1.1").first()
    if road:
        EvaluationPlan.objects.create(
            action=road,
            question="Did KSI road casualties in Selly Oak fall against Northfield's?",
            measure_id="road-casualties-ksi",
            target_area="SYN-D03",
            comparison_area="SYN-D02",
            baseline_from="2012-04",
            baseline_to="2014-03",
            followup_from="2014-04",
            followup_to="2016-03",
            method=EvaluationPlan.Method.DIFFERENCE_IN_DIFFERENCES,
        )
    involving = plan.actions.filter(number="3.3.3").first()
    if involving:
        EvaluationPlan.objects.create(
            action=involving,
            question="Did more residents of Birmingham South feel safe after dark?",
            measure_id="perceptions-of-safety",
            target_area="SYN-PU1",
            baseline_from="2013-04",
            baseline_to="2014-03",
            followup_from="2015-04",
            followup_to="2016-03",
            method=EvaluationPlan.Method.BEFORE_AFTER,
        )


# Each demo user's role in the demo partnership (demo-admin is also the
# site administrator), and demo-neighbour in the neighbouring one only.
DEMO_MEMBERSHIPS: list[tuple[str, str, Role]] = [
    ("demo-admin", "birmingham-south-ldg", Role.ADMINISTRATOR),
    ("demo-analyst", "birmingham-south-ldg", Role.ANALYST),
    ("demo-lead", "birmingham-south-ldg", Role.GROUP_LEAD),
    ("demo-caseworker", "birmingham-south-ldg", Role.CASE_WORKER),
    ("demo-police", "birmingham-south-ldg", Role.CASE_WORKER),
    ("demo-fire", "birmingham-south-ldg", Role.CASE_WORKER),
    ("demo-viewer", "birmingham-south-ldg", Role.VIEWER),
    ("demo-neighbour", "neighbouring-ldg-synthetic", Role.ANALYST),
]


def _demo_milestones_and_target(plan: Plan) -> None:
    """SYNTHETIC milestones for the road safety action, and a target on its
    outcome measure (the seed plan sets neither)."""
    road = plan.actions.filter(number="3.1.1").first()
    if road is None:
        return
    for title, due, state in [
        ("SYNTHETIC: hotspot schools agreed with District Tasking", "2014-06-30",
         "met"),
        ("SYNTHETIC: parking enforcement at five schools", "2014-10-31", "met"),
        ("SYNTHETIC: KSI casualties reviewed against the baseline", "2015-03-31",
         "missed"),
    ]:  # fmt: skip
        Milestone.objects.create(
            action=road,
            title=title,
            due=datetime.date.fromisoformat(due),
            state=state,
        )
    road.measures.filter(measure_id="road-casualties-ksi").update(
        baseline_from="2012-04", baseline_to="2014-03", target=4.0
    )


def assign_demo_members() -> None:
    """Demo users in their partnerships and groups: the group lead leads
    Road Safety Tasking (West Midlands Fire Service leads it in the plan)."""
    for username, partnership_slug, role in DEMO_MEMBERSHIPS:
        user = User.objects.filter(username=username).first()
        partnership = Partnership.objects.filter(slug=partnership_slug).first()
        if user and partnership:
            Membership.objects.get_or_create(
                user=user, partnership=partnership, defaults={"role": role}
            )
    lead = User.objects.filter(username="demo-lead").first()
    road = Group.objects.filter(
        partnership__slug="birmingham-south-ldg", slug="road-safety-tasking"
    ).first()
    if lead and road and road.lead_id != lead.pk:
        road.lead = lead
        road.save(update_fields=["lead"])
        road.members.add(lead)
    caseworker = User.objects.filter(username="demo-caseworker").first()
    environment = Group.objects.filter(
        partnership__slug="birmingham-south-ldg", slug="environmental-tasking"
    ).first()
    if caseworker and environment:
        environment.members.add(caseworker)
