"""The case counts page's table, computed without Django: quarters and the
12 months to the latest month, each cell perturbed from its own record keys
and withheld under the threshold."""

from __future__ import annotations

import datetime
import doctest

import numpy as np

from saferplaces.analytics import perturbed_counts
from saferplaces.analytics.perturbation import PTable, default_ptable
from saferplaces.analytics.perturbed_counts import count_table

TYPES = {"asb": "Anti-social behaviour", "hate_crime": "Hate crime"}
TODAY = datetime.date(2026, 5, 20)


def exact(threshold: int = 10) -> PTable:
    """A ptable that adds no noise, so each cell shows its true count."""
    return PTable(np.zeros((751, 256), dtype=np.int64), threshold, "exact")


def row(month, case_type, risk_level, cases, key_sum=0):
    return {
        "month": month, "case_type": case_type, "risk_level": risk_level,
        "area_code": "", "cases": cases, "key_sum": key_sum,
    }  # fmt: skip


def test_examples_in_the_docstrings_run():
    assert doctest.testmod(perturbed_counts).failed == 0


def test_no_cases_is_an_empty_table():
    assert count_table([], default_ptable(), TODAY, TYPES) == (
        perturbed_counts.CountTable([], [])
    )


def test_quarters_and_the_year_add_up_each_months_cases():
    counts = [
        row("2025-06", "asb", "high", 30),  # in the year, before the quarters
        row("2025-07", "asb", "standard", 12),
        row("2026-04", "hate_crime", "high", 15),
        row("2026-05", "asb", "high", 20),
    ]
    table = count_table(counts, exact(), TODAY, TYPES)
    # The latest month is May 2026: the quarters are Jul-Sep 2025 to Apr-Jun
    # 2026 (running today, so "so far"); the year is June 2025 to May 2026.
    assert table.periods == [
        "Jul to Sep 2025", "Oct to Dec 2025", "Jan to Mar 2026",
        "Apr to Jun 2026 (so far)", "12 months to May 2026",
    ]  # fmt: skip
    assert table.rows == [
        ("Anti-social behaviour", ["12", "0", "0", "20", "62"]),
        ("Hate crime", ["0", "0", "0", "15", "15"]),
        ("Risk: standard", ["12", "0", "0", "0", "12"]),
        ("Risk: high", ["0", "0", "0", "35", "65"]),
        ("All cases", ["12", "0", "0", "35", "77"]),
    ]


def test_a_count_under_the_threshold_is_withheld():
    table = count_table([row("2026-05", "asb", "high", 3)], exact(), TODAY, TYPES)
    assert table.rows[0] == (
        "Anti-social behaviour",
        ["0", "0", "0", "fewer than 10", "fewer than 10"],
    )
