"""A plan's "reduce it by 10%" against the baseline months it states
(issue 29, finding 9): the target is the baseline's mean a month, moved by
the size in the action's direction, and it needs only those months."""

from __future__ import annotations

import pytest

from saferplaces.analytics.cards import Aim, plan_target
from saferplaces.analytics.measures.series import SeriesPoint


def months(values: dict[str, float]) -> list[SeriesPoint]:
    blank = dict.fromkeys(("group", "denominator", "lower", "upper", "spc_signal"))
    fixed = {"measure": "total-recorded-crime", "area_code": "E05000001"}
    return [
        SeriesPoint(period=p, value=v, numerator=v, suppressed=False, **fixed, **blank)
        for p, v in values.items()
    ]


# Six months only: far fewer than the 24 a year-on-year baseline needs.
SIX = {"2024-01": 100.0, "2024-02": 120.0, "2024-03": 110.0,
       "2024-04": 90.0, "2024-05": 95.0, "2024-06": 85.0}  # fmt: skip


def test_a_percentage_target_comes_from_the_stated_baseline_months():
    # Baseline 2024-01..03: (100 + 120 + 110) / 3 = 110 a month; 10% less: 99.
    aim = Aim("down", "10%", baseline_from="2024-01", baseline_to="2024-03")
    assert plan_target(aim, months(SIX)) == pytest.approx(99.0)


def test_an_increase_by_points_adds_to_the_stated_baseline():
    # Baseline 2024-04..06: (90 + 95 + 85) / 3 = 90; up 5 points: 95.
    aim = Aim("up", "5 points", baseline_from="2024-04", baseline_to="2024-06")
    assert plan_target(aim, months(SIX)) == pytest.approx(95.0)


def test_a_baseline_with_months_not_loaded_gives_no_target_and_says_so():
    aim = Aim("down", "10%", baseline_from="2023-11", baseline_to="2024-02")
    assert plan_target(aim, months(SIX)) is None
    assert "2 of its 4 months" in aim.why_no_target(months(SIX))


def test_without_a_stated_baseline_the_year_before_is_still_used():
    values = {f"{2022 + i // 12}-{i % 12 + 1:02d}": float(i) for i in range(24)}
    # The 12 months before the latest 12: 0..11, a mean of 5.5; 10% less.
    assert plan_target(Aim("down", "10%"), months(values)) == pytest.approx(4.95)
