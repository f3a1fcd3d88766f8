"""XmR charts checked against hand-worked series (Making Data Count rules).

Each series' mean, limits and signals were worked by hand; the arithmetic is
in the comments so a reader can check it.
"""

from __future__ import annotations

import doctest
import itertools

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
    # NHSRplotthedots counts a window only when its three points are all on
    # one side of the mean, so the middle point is 6.5 (above the mean).
    # Mean 114.1/18 = 6.339; average moving range 9.4/17 = 0.5529; the
    # upper 2-sigma line 7.319 and limit 7.810 bracket both 7.4s.
    values = [6, 6.4] * 6 + [7.4, 6.5, 7.4] + [6, 6.4, 6]
    chart = xmr(values, polarity="neither")
    assert chart.points[0].upper_2sigma == pytest.approx(
        114.1 / 18 + 2.66 * 9.4 / 17 * 2 / 3
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
    with pytest.raises(ValueError, match="12 or more points"):
        xmr([1, 2] * 10, fix_after_n_points=5)


# Known answers from NHSRplotthedots (nhs-r-community, v0.2.0): its tests
# tests/testthat/test-ptd_spc_standard.R and the snapshot of their results.
# R's rnorm(20) after set.seed(123):
RNORM_123 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774,
    1.71506499, 0.46091621, -1.26506123, -0.68685285, -0.44566197,
    1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113,
    1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
]  # fmt: skip
# The snapshot prints 7 significant figures.
RTOL = 5e-7


def test_limits_equal_nhsrplotthedots_snapshot():
    chart = xmr(RNORM_123)
    assert chart.points[0].mean == pytest.approx(0.1416238, rel=RTOL)
    assert chart.points[0].lower == pytest.approx(-3.01138, rel=RTOL)
    assert chart.points[0].upper == pytest.approx(3.294627, rel=RTOL)


def test_screening_outliers_equals_nhsrplotthedots_snapshot():
    values = list(RNORM_123)
    values[14] = 10  # y[15] <- 10 in R's one-based indexing
    screened = xmr(values)
    assert screened.points[0].mean == pytest.approx(0.6694159, rel=RTOL)
    assert screened.points[0].lower == pytest.approx(-2.383666, rel=RTOL)
    assert screened.points[0].upper == pytest.approx(3.722497, rel=RTOL)
    spreadsheet = xmr(values, screen_outliers=False)
    assert spreadsheet.points[0].lower == pytest.approx(-4.596625, rel=RTOL)
    assert spreadsheet.points[0].upper == pytest.approx(5.935457, rel=RTOL)


def test_a_moving_range_equal_to_the_screening_limit_is_screened_out(monkeypatch):
    # With a factor of 2 the arithmetic is exact: ranges 1, 1, 1, 3 average
    # 1.5, so the limit is 3.0 and the range of 3 equals it: screened out
    # (kept only strictly below), leaving an average of 1.
    monkeypatch.setattr(spc, "RANGE_LIMIT_FACTOR", 2.0)
    chart = xmr([0, 1, 0, 1, 4])
    assert chart.points[0].upper == pytest.approx(6 / 5 + 2.66 * 1.0)


def test_fixing_limits_after_n_points_uses_only_those_points():
    fixed = xmr(RNORM_123, fix_after_n_points=12)
    first = RNORM_123[:12]
    mean = sum(first) / 12
    ranges = [abs(b - a) for a, b in itertools.pairwise(first)]
    average = sum(ranges) / len(ranges)
    kept = [r for r in ranges if r < 3.267 * average]
    assert fixed.points[-1].mean == pytest.approx(mean)
    assert fixed.points[-1].upper == pytest.approx(mean + 2.66 * sum(kept) / len(kept))
    assert fixed.points[0].lower != xmr(RNORM_123).points[0].lower


def test_two_of_three_close_points_on_opposite_sides_are_common_cause():
    # NHSRplotthedots: "it only reports special cause for 2of3 points close
    # to limits when they are on the same side of the mean".
    values = [1.0, -1.0] * 8
    values[14], values[15] = 5.5, -5.5
    chart = xmr(values)
    assert [p.signal for p in chart.points[-2:]] == [None, None]


@pytest.mark.parametrize(
    ("close", "sides", "marked"),
    [
        # From test-ptd_calculate_point_type.R (ptd_two_in_three and
        # ptd_part_of_two_in_three): only the close points are marked.
        ([1, 0, 1], [1, 1, 1], [1, 0, 1]),
        ([0, 1, 1], [1, 1, 1], [0, 1, 1]),
        ([0, 0, 1, 0, 1, 0, 0], [1] * 7, [0, 0, 1, 0, 1, 0, 0]),
        ([1, 0, 0, 1], [1, 1, 1, 1], [0, 0, 0, 0]),
        ([1, 0, 0, 1, 1], [1] * 5, [0, 0, 0, 1, 1]),
        ([1, 0, 1], [1, -1, 1], [0, 0, 0]),
    ],
)
def test_two_of_three_matches_nhsrplotthedots(close, sides, marked):
    # A long steady baseline fixes mean 0 and average moving range 2: limits
    # +/- 5.32, 2-sigma lines +/- 3.547. "Close" points are 4.5 on their
    # side, the others 0.5.
    baseline = [1.0, -1.0] * 20
    tail = [(4.5 if c else 0.5) * s for c, s in zip(close, sides, strict=True)]
    chart = xmr(baseline + tail, fix_after_n_points=len(baseline))
    got = [int(p.signal == "two_of_three") for p in chart.points[len(baseline) :]]
    assert got == marked


def test_a_point_beyond_the_limit_is_not_close_to_it():
    # Two of three "beyond 2 sigma" where one is beyond the limit: the other
    # is not part of a two-of-three (the far one is beyond_limits).
    baseline = [1.0, -1.0] * 20
    chart = xmr([*baseline, 4.5, 0.5, 9.0], fix_after_n_points=len(baseline))
    assert [p.signal for p in chart.points[-3:]] == [None, None, "beyond_limits"]


def test_a_rebase_period_not_in_the_data_does_nothing():
    values = [9, 11] * 10
    periods = [f"p{i:02d}" for i in range(20)]
    chart = xmr(values, periods, rebase_at=["2030-01"])
    assert chart.points == xmr(values, periods).points
    assert "rebase at 2030-01 ignored" in chart.warnings[0]


@pytest.mark.parametrize(
    ("values", "trend"),
    [
        (list(range(1, 7)), []),
        ([1, 2, 3, 3, 4, 5, 6], []),  # a tie breaks a trend
        (list(range(1, 8)), list(range(7))),
        ([2, *range(1, 8), 3], list(range(1, 8))),
        ([2, *range(7, 0, -1), 3], list(range(1, 8))),
    ],
)
def test_seven_point_trends_match_nhsrplotthedots(values, trend):
    # ptd_seven_point_trend's cases, after a baseline (mean 10, limits
    # 10 +/- 53.2) that ends high, so it starts no trend of its own.
    baseline = [0.0, 20.0] * 10
    chart = xmr(baseline + [float(v) for v in values], fix_after_n_points=20)
    got = [i - len(baseline) for i, p in enumerate(chart.points) if p.signal == "trend"]
    assert got == trend
