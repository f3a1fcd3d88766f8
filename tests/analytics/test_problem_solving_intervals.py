"""The interval of a problem-solving assessment is named for what it is
(issue 26, fault 7): the exact conditional interval where a count is
small, the Wald interval on the log scale otherwise."""

from __future__ import annotations

import doctest

import pytest

from saferplaces.analytics import problem_solving
from saferplaces.analytics.problem_solving import Place, relative_change

RTOL = 1e-4  # the exact limits are found by root finding


def test_small_counts_get_the_exact_conditional_interval_worked_by_hand():
    # One incident in each of the four: given the totals (2 in the target,
    # 2 after), the target's after count x is 0, 1 or 2 with weights
    # C(2,x) C(2,2-x) psi^x = 1, 4 psi, psi^2, psi the ratio of rate ratios.
    # The lower limit solves P(x >= 1) = 0.025:
    #   (4 psi + psi^2) = 0.025 (1 + 4 psi + psi^2)
    #   0.975 psi^2 + 3.9 psi - 0.025 = 0
    #   psi = (-3.9 + sqrt(3.9^2 + 4 * 0.975 * 0.025)) / 1.95 = 0.0064000
    # and by symmetry the upper one is 1 / 0.0064 = 156.25.
    change = relative_change(Place(1, 1), Place(1, 1))
    assert change.ratio == 1
    assert change.lower == pytest.approx(0.0064000, rel=RTOL)
    assert change.upper == pytest.approx(156.25, rel=RTOL)
    assert change.method == "exact"


def test_large_counts_get_the_wald_interval_on_the_log_scale_by_hand():
    # Target 100 -> 50, comparison flat at 1000: ratio 0.5; log standard
    # error sqrt(1/50 + 1/100 + 1/1000 + 1/1000) = sqrt(0.032) = 0.178885;
    # 0.5 exp(-/+ 1.959964 x 0.178885) = 0.352130 to 0.709966.
    change = relative_change(Place(100, 50), Place(1000, 1000))
    assert change.ratio == pytest.approx(0.5)
    assert change.lower == pytest.approx(0.352130, rel=RTOL)
    assert change.upper == pytest.approx(0.709966, rel=RTOL)
    assert change.method == "wald"


def test_a_target_that_falls_to_nothing_still_has_an_interval():
    # 8 -> 0 against 50 -> 60: the Wald interval cannot take a zero; the
    # exact one can, and it lies wholly below 1.
    change = relative_change(Place(8, 0), Place(50, 60))
    assert change.ratio == 0
    assert change.lower == 0
    assert 0 < change.upper < 1
    assert change.method == "exact"


def test_nothing_at_all_in_the_target_has_no_interval():
    change = relative_change(Place(0, 0), Place(50, 60))
    assert (change.lower, change.upper) == (0, float("inf"))


def test_the_examples_in_the_docstrings_run():
    assert doctest.testmod(problem_solving).failed == 0
