"""Small counts are withheld, and no total gives one back."""

from __future__ import annotations

import doctest

from saferplaces.analytics import disclosure
from saferplaces.analytics.disclosure import suppress_table, suppress_with_total


def test_examples_in_the_docstrings_run():
    assert doctest.testmod(disclosure).failed == 0


def test_nothing_small_nothing_withheld():
    assert suppress_with_total([12, 30, 5, 0]) == [False] * 4


def test_one_small_cell_takes_the_next_smallest_with_it():
    # Total 63: publishing 12, 40, 8 would give the 3 away; 8 goes too.
    assert suppress_with_total([12, 3, 40, 8]) == [False, True, False, True]


def test_two_small_cells_protect_each_other():
    assert suppress_with_total([1, 2, 40]) == [True, True, False]


def test_zeros_are_shown_unless_nothing_else_can_hide_a_cell():
    assert suppress_with_total([0, 3, 40]) == [False, True, True]
    assert suppress_with_total([0, 3]) == [True, True]


def test_two_way_tables_are_protected_along_rows_and_columns():
    table = [
        [20, 2, 30],
        [25, 40, 35],
        [50, 45, 60],
    ]
    hidden = suppress_table(table)
    # Row 0 hides 2 and then 20; column 1 hides 2 and then 40; column 0
    # hides 20 and then 25; row 1 now hides 25 and 40.
    assert hidden == [
        [True, True, False],
        [True, True, False],
        [False, False, False],
    ]
    for row in hidden:
        assert sum(row) != 1
    for column in zip(*hidden, strict=True):
        assert sum(column) != 1


def test_threshold_is_configurable():
    assert suppress_with_total([8, 30, 40], threshold=10) == [True, True, False]
