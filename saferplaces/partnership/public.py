"""What the public pages may show of a partnership's plan: its published
plan only, never a draft, and of its actions what the published plan page
shows (what will be done, by which group, and its progress)."""

from __future__ import annotations

from collections.abc import Iterable

from saferplaces.partnership.models import Action, Partnership, Plan
from saferplaces.partnership.progress import plan_actions


def published_plan(partnership: Partnership) -> Plan | None:
    """The partnership's newest published plan (None before it has one)."""
    return partnership.plans.filter(published=True).first()


def actions_in(plan: Plan, codes: Iterable[str]) -> list[Action]:
    """The plan's actions aimed at any of ``codes`` (an area and the areas
    it lies in): those whose target areas name one, in the plan's order."""
    wanted = set(codes)
    return [a for a in plan_actions(plan) if wanted.intersection(a.target_areas)]
