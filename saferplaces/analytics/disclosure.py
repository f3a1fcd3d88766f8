"""Disclosure control for published statistics.

Primary suppression withholds small counts (1 to ``threshold - 1``; a zero
reveals nothing about a person and is shown). Secondary suppression then
withholds further cells so that no published total can give a suppressed
cell back by subtraction: in every row and every column with a published
total, the suppressed cells number none or at least two. The next cell taken
is the smallest unsuppressed non-zero one, which hides the least.

Example:
    >>> suppress_with_total([12, 3, 40, 8])
    [False, True, False, True]
"""

from __future__ import annotations

from collections.abc import Sequence

THRESHOLD = 5


def is_small(count: int, threshold: int = THRESHOLD) -> bool:
    return 0 < count < threshold


def suppress_with_total(
    counts: Sequence[int], threshold: int = THRESHOLD
) -> list[bool]:
    """Which cells of one row to withhold when the row's total is published."""
    return suppress_table([list(counts)], threshold, column_totals=False)[0]


def suppress_table(
    table: Sequence[Sequence[int]],
    threshold: int = THRESHOLD,
    *,
    row_totals: bool = True,
    column_totals: bool = True,
) -> list[list[bool]]:
    """Which cells of a two-way table to withhold, given the totals published.

    >>> suppress_table([[10, 2], [20, 30]])
    [[True, True], [True, True]]
    """
    hidden = [[is_small(c, threshold) for c in row] for row in table]
    changed = True
    while changed:
        changed = False
        lines: list[list[tuple[int, int]]] = []
        if row_totals:
            lines += [[(r, c) for c in range(len(row))] for r, row in enumerate(table)]
        if column_totals and table:
            lines += [[(r, c) for r in range(len(table))] for c in range(len(table[0]))]
        for line in lines:
            if sum(hidden[r][c] for r, c in line) != 1:
                continue
            # The smallest non-zero cell; a zero only when nothing else is left
            # (else the total minus the zeros would give the hidden cell away).
            candidates = [
                (table[r][c] == 0, table[r][c], r, c)
                for r, c in line
                if not hidden[r][c]
            ]
            if candidates:
                _, _, r, c = min(candidates)
                hidden[r][c] = True
                changed = True
    return hidden
