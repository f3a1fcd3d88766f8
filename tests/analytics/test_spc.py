"""XmR charts checked against hand-worked series (Making Data Count rules).

Each series' mean, limits and signals were worked by hand; the arithmetic is
in the comments so a reader can check it.
"""

from __future__ import annotations

import doctest

import pytest

from saferplaces.analytics import spc
from saferplaces.analytics.spc import xmr


def signals(chart):
    return [(i, p.signal) for i, p in enumerate(chart.points) if p.signal]


def test_examples_in_the_docstring_run():
    assert doctest.testmod(spc).failed == 0


def test_a_point_beyond_the_limits_with_moving_range_screening():
    # Mean 159/12 = 13.25. Moving ranges 2,1,2,1,18,19,1,1,1,1,1: mean 4.36,
    # upper range limit 14.26 screens out 18 and 19; mean of the rest 11/9.
    # Limits 13.25 +/- 2.66 * 11/9 = 13.25 +/- 3.251; the lower 2-sigma line
    # is 13.25 - 2.167 = 11.08, so points 0 (10) and 2 (11) are two of three.
    chart = xmr([10, 12, 11, 13, 12, 30, 11, 12, 13, 12, 11, 12], polarity="down")
    first = chart.points[0]
    assert first.mean == pytest.approx(13.25)
    assert first.upper == pytest.approx(13.25 + 2.66 * 11 / 9)
    assert first.lower == pytest.approx(13.25 - 2.66 * 11 / 9)
    assert signals(chart) == [
        (0, "two_of_three"),
        (2, "two_of_three"),
        (5, "beyond_limits"),
    ]
    assert chart.points[5].special_cause == "concern_high"
    assert chart.points[0].special_cause == "improvement_low"
    assert chart.variation == "common_cause"  # the latest point is ordinary


def test_a_run_of_seven_rising_points_is_a_trend():
    # Mean 111.2/19 = 5.853; average moving range 24.4/18 = 1.356, so the
    # 2-sigma lines are 3.45 and 8.26 and nothing reaches them. 5.0 to 6.2
    # rise six times running: seven points.
    values = [5, 7] * 5 + [5.0, 5.2, 5.4, 5.6, 5.8, 6.0, 6.2] + [5, 7]
    chart = xmr(values, polarity="up")
    assert signals(chart) == [(i, "trend") for i in range(10, 17)]
    assert {chart.points[i].special_cause for i in range(10, 17)} == {
        "improvement_high"
    }


def test_two_of_three_beyond_two_sigma():
    # Mean 111.5/18 = 6.194; average moving range 6.2/17 = 0.3647; upper
    # limit 7.165, upper 2-sigma line 6.841. Points 12 and 14 (7.0) lie
    # between them, two of the three points 12-14.
    values = [6, 6.2] * 6 + [7, 6.1, 7] + [6, 6.2, 6]
    chart = xmr(values, polarity="neither")
    assert chart.points[0].upper_2sigma == pytest.approx(
        111.5 / 18 + 2.66 * 6.2 / 17 * 2 / 3
    )
    assert signals(chart) == [(12, "two_of_three"), (14, "two_of_three")]
    assert chart.points[12].special_cause == "neither_high"


def test_seven_points_on_one_side_of_the_mean_is_a_shift():
    # Mean 202.5/17 = 11.91; upper 2-sigma line 14.46 (average moving range
    # 23/16). Points 5-12 (12, then 13 and 13.5) are all above the mean.
    values = [10, 12] * 3 + [13, 13.5, 13, 13.5, 13, 13.5, 13] + [10, 12, 10, 12]
    chart = xmr(values, polarity="down")
    assert signals(chart) == [(i, "shift") for i in range(5, 13)]
    assert chart.points[5].special_cause == "concern_high"


def test_a_point_takes_the_first_rule_that_marks_it():
    values = [10, 12] * 3 + [13, 13.5, 13, 25, 13, 13.5, 13] + [10, 12, 10, 12]
    chart = xmr(values)
    assert chart.points[9].signal == "beyond_limits"
    assert [chart.points[i].signal for i in (6, 7, 8, 10, 11, 12)] == ["shift"] * 6


def test_rebasing_gives_each_segment_its_own_limits():
    before = [9, 11] * 10
    after = [4, 6] * 10
    periods = [f"p{i:02d}" for i in range(40)]
    assert signals(xmr(before + after, periods))  # one process: a shift
    chart = xmr(before + after, periods, rebase_at=["p20"])
    assert signals(chart) == []
    assert (chart.points[0].mean, chart.points[-1].mean) == (10, 5)
    assert chart.points[-1].segment == 1


def test_fewer_than_twelve_points_gives_trial_limits_and_a_warning():
    chart = xmr([3, 4, 5, 4, 3])
    assert chart.trial_limits
    assert "trial limits" in chart.warnings[0]
    assert not xmr([3, 4] * 6).trial_limits


@pytest.mark.parametrize(
    ("target", "polarity", "assurance"),
    [
        (2.0, "up", "consistently_pass"),
        (10.0, "up", "hit_and_miss"),
        (30.0, "up", "consistently_fail"),
        (30.0, "down", "consistently_pass"),
        (10.0, "neither", None),
    ],
)
def test_assurance_compares_the_target_with_the_limits(target, polarity, assurance):
    # Mean 10, average moving range 2: limits 10 +/- 5.32 = 4.68 to 15.32.
    chart = xmr([9, 11] * 6, polarity=polarity, target=target)
    assert chart.assurance == assurance


def test_no_target_no_assurance():
    assert xmr([9, 11] * 6, polarity="up").assurance is None


def test_bad_input_is_refused_clearly():
    with pytest.raises(ValueError, match="at least two points"):
        xmr([1])
    with pytest.raises(ValueError, match="cannot rebase at 2030-01"):
        xmr([1, 2, 3], ["a", "b", "c"], rebase_at=["2030-01"])
