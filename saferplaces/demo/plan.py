"""The demo's SYNTHETIC plans: the Birmingham South seed plan with invented
progress, evaluations, milestones and a target, and an invented neighbouring
partnership's draft plan sharing the installation."""

from __future__ import annotations

import datetime
import random
from pathlib import Path

from django.db import transaction

from saferplaces.partnership.models import (
    Action,
    EvaluationPlan,
    Milestone,
    Plan,
    ProgressUpdate,
    Status,
)
from saferplaces.partnership.plan_file import import_plan
from saferplaces.partnership.signals import one_revision_for_many_changes

PLANS = Path(__file__).resolve().parent / "plans"
DEMO_PLAN = PLANS / "birmingham-south-2014-15.yaml"
DEMO_PLAN_SLUG = "birmingham-south-2014-15"
DEMO_PARTNERSHIP_SLUG = "birmingham-south-ldg"
# A second, invented partnership sharing the installation (unpublished plan).
NEIGHBOUR_PLAN = PLANS / "neighbouring-partnership-synthetic.yaml"
NEIGHBOUR_SLUG = "neighbouring-ldg-synthetic-draft"


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
    with one_revision_for_many_changes(), transaction.atomic():
        return _load_demo_plans(seed)


def _load_demo_plans(seed: int) -> tuple[Plan, bool]:
    plan = Plan.objects.filter(slug=DEMO_PLAN_SLUG).first()
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
