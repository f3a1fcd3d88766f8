"""Published series: small counts withheld, and what a total would reveal."""

from __future__ import annotations

from saferplaces.analytics.measures.series import SeriesPoint
from saferplaces.analytics.publish import public_comparison, public_series


def point(period: str, count: int, group: str | None = None) -> SeriesPoint:
    return SeriesPoint(
        measure="total-recorded-crime", area_code="E01000001", period=period,
        group=group, value=float(count), numerator=count, denominator=None,
        lower=0.0, upper=1.0, spc_signal=None, suppressed=count < 5,
    )  # fmt: skip


def test_a_lone_small_month_takes_another_month_of_its_year_with_it():
    months = [point(f"2024-{m:02d}", n) for m, n in [(4, 30), (5, 2), (6, 12)]]
    shown = public_series(months)
    assert [row["suppressed"] for row in shown] == [False, True, True]
    assert shown[2]["numerator"] is None  # else 2024/25's total gives May back


def test_months_of_different_years_are_not_mixed():
    months = [point("2024-03", 2), point("2024-04", 40), point("2024-05", 41)]
    hidden = [row["suppressed"] for row in public_series(months)]
    # March is 2023/24's only month here: withheld, but nothing else need be.
    assert hidden == [True, False, False]


def test_groups_of_a_period_are_protected_against_the_areas_total():
    groups = [
        point("2024/25", n, g) for g, n in [("female", 3), ("male", 50), ("unknown", 9)]
    ]
    assert [r["suppressed"] for r in public_series(groups)] == [True, False, True]


def test_a_comparison_is_protected_against_the_parents_total():
    rows = [
        {"area_code": c, "numerator": n, "value": float(n), "suppressed": n < 5,
         "lower": 0.0, "upper": 1.0, "change_ratio": 1.0}
        for c, n in [("A", 3), ("B", 100), ("C", 20)]
    ]  # fmt: skip
    shown = public_comparison(rows, "total-recorded-crime")
    assert [r["suppressed"] for r in shown] == [True, False, True]
    assert shown[2]["change_ratio"] is None
