"""Exact Poisson rate ratios, checked against an independent calculation."""

from __future__ import annotations

import doctest
import math

import pytest
from scipy import stats

from saferplaces.analytics import compare
from saferplaces.analytics.compare import rate_ratio, relative_to_parent


def test_examples_in_the_docstrings_run():
    assert doctest.testmod(compare).failed == 0


def clopper_pearson_ratio(a: int, b: int) -> tuple[float, float]:
    """The textbook interval through beta quantiles (a separate route)."""
    low = stats.beta.ppf(0.025, a, b + 1)
    high = stats.beta.ppf(0.975, a + 1, b)
    return low / (1 - low), high / (1 - high)


@pytest.mark.parametrize(("a", "b"), [(30, 10), (120, 100), (5, 9), (250, 260)])
def test_interval_matches_the_beta_quantile_formula(a, b):
    result = rate_ratio(a, b)
    low, high = clopper_pearson_ratio(a, b)
    assert result.ratio == pytest.approx(a / b)
    assert (result.lower, result.upper) == (pytest.approx(low), pytest.approx(high))


def test_exposure_turns_counts_into_rates():
    # 60 crimes among 2,000 people against 40 among 1,000: rates 30 and 40
    # per 1,000, a ratio of 0.75.
    result = rate_ratio(60, 40, exposure=2000, baseline_exposure=1000)
    assert result.ratio == pytest.approx(0.75)
    assert result.lower < 0.75 < result.upper


def test_p_value_is_the_exact_binomial_one():
    # Under no change, 30 of 40 is binomial(40, 0.5): two-sided p = 0.00222.
    assert rate_ratio(30, 10).p_value == pytest.approx(0.0022214, rel=1e-4)


def test_a_change_in_line_with_the_parent():
    relative = relative_to_parent(rate_ratio(66, 50), rate_ratio(1200, 1000))
    assert relative.ratio == pytest.approx((66 / 50) / 1.2)
    assert relative.in_line


def test_a_change_out_of_line_with_the_parent():
    # The plan's Selly Oak: casualties up while the city's fell.
    relative = relative_to_parent(rate_ratio(90, 50), rate_ratio(900, 1000))
    assert not relative.in_line
    assert relative.lower > 1


def test_no_events_at_all_gives_no_ratio():
    result = rate_ratio(0, 0)
    assert math.isnan(result.ratio)
    assert not result.significant


def test_negative_counts_are_refused():
    with pytest.raises(ValueError, match="negative"):
        rate_ratio(-1, 3)


def test_share_difference_matches_newcombes_published_interval():
    # Newcombe (1998), Statistics in Medicine 17:873, table II: 56/70 vs 48/80,
    # method 10 gives 0.0524 to 0.3339.
    from saferplaces.analytics.compare import share_difference
    from saferplaces.analytics.measures.proportions import wilson_interval

    now, before = 56 / 70, 48 / 80
    change = share_difference(
        (now, *wilson_interval(now, 70)), (before, *wilson_interval(before, 80))
    )
    assert round(change.lower, 4) == 0.0524
    assert round(change.upper, 4) == 0.3339
    assert change.significant
    same = share_difference((0.5, 0.4, 0.6), (0.52, 0.42, 0.62))
    assert not same.significant


# Each end of the exact conditional interval is where statsmodels' exact
# conditional test of that ratio gives a one-sided p-value of 2.5% (the
# interval inverts the test), with exposures of months or residents.
EXPOSED = [(22, 2, 54, 3), (60, 2, 90, 3), (30, 12000, 20, 9600), (11, 2, 27, 3)]
ATOL = 1e-9


@pytest.mark.parametrize(("a", "exposure", "b", "baseline"), EXPOSED)
def test_interval_with_exposures_inverts_statsmodels_exact_conditional_test(
    a, exposure, b, baseline
):
    from statsmodels.stats.rates import test_poisson_2indep

    result = rate_ratio(a, b, exposure, baseline)
    assert result.ratio == pytest.approx((a / exposure) / (b / baseline))
    for value, side in ((result.lower, "larger"), (result.upper, "smaller")):
        tail = test_poisson_2indep(
            a, exposure, b, baseline, value=value, method="exact-cond",
            alternative=side,
        ).pvalue  # fmt: skip
        assert tail == pytest.approx(0.025, abs=ATOL)
    two_sided = test_poisson_2indep(a, exposure, b, baseline, method="exact-cond")
    assert result.p_value == pytest.approx(two_sided.pvalue, abs=ATOL)
