"""Progress against the plan: actions by status, overdue and stale, by
priority and group, and how the picture changed month by month."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from saferplaces.partnership.models import Action, Plan, Status


@dataclass
class Summary:
    label: str
    total: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    overdue: int = 0
    stale: int = 0

    def percent(self, *statuses: str) -> int:
        if not self.total:
            return 0
        return round(100 * sum(self.by_status[s] for s in statuses) / self.total)

    @property
    def on_track(self) -> int:
        return self.percent(Status.ON_TRACK)

    @property
    def complete(self) -> int:
        return self.percent(Status.COMPLETE)

    @property
    def still_open(self) -> int:
        """Neither complete nor stopped (overdue ones included)."""
        finished = self.by_status[Status.COMPLETE] + self.by_status[Status.STOPPED]
        return self.total - finished

    @property
    def overdue_percent(self) -> int:
        return round(100 * self.overdue / self.total) if self.total else 0

    def cells(self) -> list[int]:
        """Counts in the order of ``Status`` (for tables)."""
        return [self.by_status[status] for status in Status]


def summarise(
    label: str, actions: Iterable[Action], today: datetime.date | None = None
) -> Summary:
    today = today or timezone.localdate()
    weeks = settings.PLAN_STALE_AFTER_WEEKS
    summary = Summary(label)
    for action in actions:
        summary.total += 1
        # An overdue action counts as overdue, never also as "on track".
        if action.is_overdue(today):
            summary.overdue += 1
        else:
            summary.by_status[action.status] += 1
        summary.stale += action.is_stale(weeks, today)
    return summary


def plan_actions(plan: Plan) -> list[Action]:
    return list(
        plan.actions.select_related("priority", "group", "plan").prefetch_related(
            "updates"
        )
    )


def by_priority(plan: Plan, actions: Sequence[Action]) -> list[Summary]:
    return [
        summarise(
            f"{p.number}. {p.title}", [a for a in actions if a.priority_id == p.pk]
        )
        for p in plan.priorities.all()
    ]


def by_group(actions: Sequence[Action]) -> list[Summary]:
    groups = sorted({a.group for a in actions}, key=lambda g: g.name)
    return [
        summarise(g.name, [a for a in actions if a.group_id == g.pk]) for g in groups
    ]


def month_ends(plan: Plan, today: datetime.date) -> list[datetime.date]:
    """The last day of each month of the plan period that has begun."""
    ends: list[datetime.date] = []
    year, month = plan.starts.year, plan.starts.month
    while True:
        following = datetime.date(year + month // 12, month % 12 + 1, 1)
        end = following - datetime.timedelta(days=1)
        if end > plan.ends or (ends and end > today):
            break
        ends.append(min(end, today))
        year, month = following.year, following.month
    return ends


def trend(
    plan: Plan, actions: Sequence[Action], today: datetime.date | None = None
) -> list[tuple[datetime.date, Counter[str]]]:
    """Actions by status at the end of each month of the plan period."""
    today = today or timezone.localdate()
    rows = []
    for end in month_ends(plan, today):
        counts: Counter[str] = Counter()
        for action in actions:
            counts[status_on(action, end)] += 1
        rows.append((end, counts))
    return rows


def status_on(action: Action, day: datetime.date) -> str:
    """The action's status at the end of ``day``, from its updates."""
    earlier = [u for u in action.updates.all() if u.created.date() <= day]
    if earlier:
        return max(earlier, key=lambda u: u.created).status
    if any(True for _ in action.updates.all()):
        return Status.NOT_STARTED
    return action.status
