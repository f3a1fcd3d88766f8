"""Status changes, overdue and stale actions, copy forward, evaluation."""

from __future__ import annotations

import datetime
import math

import pytest

from saferplaces.analytics import evaluation
from saferplaces.analytics.evaluation import Window, evaluate
from saferplaces.partnership.models import Status, allowed_change
from saferplaces.partnership.services import CopyRefused, copy_forward
from tests.factories import (
    ActionFactory,
    PlanFactory,
    PrincipleFactory,
    PriorityFactory,
)


@pytest.mark.parametrize(
    ("old", "new", "allowed"),
    [
        ("not_started", "on_track", True),
        ("on_track", "off_track", True),
        ("at_risk", "complete", True),
        ("on_track", "not_started", False),
        ("complete", "on_track", True),  # reopened
        ("complete", "off_track", False),
        ("stopped", "complete", False),
        ("complete", "complete", True),
    ],
)
def test_status_changes(old, new, allowed):
    assert allowed_change(old, new) is allowed


@pytest.mark.django_db
def test_overdue_and_stale():
    action = ActionFactory(number="5.2")  # starts with its plan, 1 April 2014
    action.status = Status.ON_TRACK
    action.due = datetime.date(2014, 12, 31)
    assert action.is_overdue(datetime.date(2015, 1, 1))
    assert not action.is_overdue(datetime.date(2014, 12, 31))
    action.status = Status.COMPLETE
    assert not action.is_overdue(datetime.date(2016, 1, 1))
    action.status = Status.ON_TRACK
    action.updates.all().delete()
    # No update since it started (1 April 2014): stale after 6 weeks (42 days).
    assert action.is_stale(6, datetime.date(2014, 5, 14))
    assert not action.is_stale(6, datetime.date(2014, 5, 13))


@pytest.mark.django_db
def test_an_ended_plan_is_judged_on_its_last_day():
    """Every action of the 2014/15 plan was "overdue by a decade" (issue 14):
    once the plan has ended it is a record of where things stood then."""
    action = ActionFactory(number="5.2")  # of a plan ending 31 March 2015
    plan = action.plan
    action.status = Status.ON_TRACK
    action.due = plan.ends
    action.updates.all().delete()
    years_later = datetime.date(2026, 11, 27)
    assert plan.has_ended(years_later)
    assert not action.is_overdue(years_later)  # due on its last day
    assert action.open_at_end(years_later)
    action.due = datetime.date(2015, 1, 31)
    assert action.is_overdue(years_later)  # overdue by two months, then
    # Stale as of the plan's end, not counted in years since.
    assert action.is_stale(6, years_later)
    action.updates.create(
        text="x",
        status="on_track",
        created=datetime.datetime(2015, 3, 20, tzinfo=datetime.UTC),
    )
    assert not action.is_stale(6, years_later)


@pytest.fixture
def plan_to_copy(db):
    """A plan shaped like the seed plan: ten principles, five priorities,
    and actions in every status (complete and stopped ones stay behind)."""
    plan = PlanFactory(title="Birmingham South LDG plan 2014/15")
    PrincipleFactory.create_batch(10, plan=plan)
    priorities = [PriorityFactory(plan=plan, number=n) for n in range(1, 6)]
    for n, status in enumerate(Status):
        ActionFactory(
            priority=priorities[n % 5], number=f"{n % 5 + 1}.{n}", status=status
        )
    return plan


def test_copy_forward_carries_open_actions_only(plan_to_copy):
    open_actions = plan_to_copy.actions.exclude(status__in=["complete", "stopped"])
    new = copy_forward(
        plan_to_copy,
        title="Birmingham South LDG plan 2015/16",
        slug="birmingham-south-2015-16",
        starts=datetime.date(2015, 4, 1),
        ends=datetime.date(2016, 3, 31),
    )
    assert new.previous == plan_to_copy
    assert new.actions.count() == open_actions.count() > 0
    assert all(a.carried_from is not None for a in new.actions.all())
    assert {a.due for a in new.actions.all()} == {datetime.date(2016, 3, 31)}
    assert new.priorities.count() == 5
    assert new.principles.count() == 10
    with pytest.raises(CopyRefused, match="has this short name already"):
        copy_forward(
            plan_to_copy, title="x", slug=new.slug, starts=new.starts, ends=new.ends
        )


def test_difference_in_differences_on_a_hand_worked_example(monkeypatch):
    # Target: 100 crimes in a 12-month baseline, 60 in a 12-month follow-up;
    # comparison: 100 then 90. Rate ratios 0.6 and 0.9; their ratio 2/3.
    # SE of the log ratio: sqrt(1/60 + 1/100 + 1/90 + 1/100) = 0.218581;
    # 95% interval: (2/3) x exp(+/-1.959964 x 0.218581) = 0.4343 to 1.0232.
    totals = {
        ("T", "2023-01"): 100, ("T", "2024-01"): 60,
        ("C", "2023-01"): 100, ("C", "2024-01"): 90,
    }  # fmt: skip
    monkeypatch.setattr(
        evaluation, "_total", lambda _s, _m, area, window: totals[(area, window.first)]
    )
    monkeypatch.setattr(evaluation, "name_of", lambda _store, code: f"area {code}")
    every_month = [
        f"{year}-{month:02d}" for year in (2023, 2024) for month in range(1, 13)
    ]
    monkeypatch.setattr(evaluation, "measure_months", lambda *_: every_month)
    result = evaluate(
        None,  # type: ignore[arg-type]
        "total-recorded-crime",
        "T",
        Window("2023-01", "2023-12"),
        Window("2024-01", "2024-12"),
        comparison="C",
    )
    assert result.estimate == pytest.approx(2 / 3)
    assert result.lower == pytest.approx(0.4343, abs=1e-4)
    assert result.upper == pytest.approx(1.0232, abs=1e-4)
    assert not result.significant
    assert "-40%" in result.statement
    assert "-10%" in result.statement
    # The change against the comparison's in words (issue 30).
    assert "33% lower than area C's" in result.statement
    assert result.statement.startswith("area T changed by")
    before_after = evaluate(
        None,  # type: ignore[arg-type]
        "total-recorded-crime",
        "T",
        Window("2023-01", "2023-12"),
        Window("2024-01", "2024-12"),
    )
    assert before_after.estimate == pytest.approx(0.6)
    assert before_after.significant
    assert math.isfinite(before_after.upper)


@pytest.mark.django_db
def test_an_emerging_issue_needs_its_decision_record():
    from django.core.exceptions import ValidationError

    action = ActionFactory(
        emerging=True, decision="Taken on by the Substance Misuse Sub-Group"
    )
    action.decision = " "
    with pytest.raises(ValidationError, match="decision"):
        action.full_clean()
