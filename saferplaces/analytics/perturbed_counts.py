"""Cases opened, as the case counts page shows them: by type and by risk
level, in each of the last four calendar quarters and in the 12 months to
the latest month, each cell perturbed as published counts are
(``perturbation``, docs/publication.md).

The rows come from the case database (``saferplaces.cases.services.counts``)
as counts per month with the sum of their record keys; this module never
sees a case.

Example:
    >>> from saferplaces.analytics.perturbation import default_ptable
    >>> counts = [
    ...     {"month": "2026-01", "case_type": "asb", "risk_level": "high",
    ...      "cases": 120, "key_sum": 2},
    ... ]
    >>> table = count_table(
    ...     counts, default_ptable(threshold=10), datetime.date(2026, 12, 7),
    ...     {"asb": "Anti-social behaviour"},
    ... )
    >>> table.periods[-2:]
    ['Jan to Mar 2026', '12 months to January 2026']
    >>> table.rows[0]
    ('Anti-social behaviour', ['0', '0', '0', '118', '118'])
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from saferplaces.analytics.perturbation import PTable
from saferplaces.vocabulary import RISK_LEVELS

QUARTER_NAMES = {1: "Jan to Mar", 2: "Apr to Jun", 3: "Jul to Sep", 4: "Oct to Dec"}
RISK_ROWS = [f"Risk: {level.replace('_', ' ')}" for level in RISK_LEVELS]
ALL_CASES = "All cases"


@dataclass(frozen=True)
class CountTable:
    periods: list[str]  # column labels: four quarters, then the year
    rows: list[tuple[str, list[str]]]  # label, a cell per period


def count_table(
    counts: Sequence[Mapping[str, Any]],
    ptable: PTable,
    today: datetime.date,
    type_labels: Mapping[str, str],
) -> CountTable:
    """Cases opened by type and by risk level in each of the last four
    calendar quarters and in the 12 months to the latest month. Each cell is
    the cell key perturbed count of its own cases (as published figures
    are: docs/publication.md), withheld under the threshold, so no total
    less its parts gives a small count back.

    Parameters:
        counts: one mapping per month, case type and risk level (and any
            more breakdown): ``month`` (YYYY-MM), ``case_type``,
            ``risk_level``, ``cases`` and ``key_sum`` (the sum of the cases'
            record keys).
        ptable: the perturbation table published counts use.
        today: the quarter it falls in is labelled "(so far)".
        type_labels: each case type's label, in the order the rows take.

    Returns:
        The column labels and, for each type, risk level and all cases that
        has any case, its label and one shown cell per column.
    """
    if not counts:
        return CountTable([], [])
    latest = max(str(row["month"]) for row in counts)
    year, month = int(latest[:4]), int(latest[5:])
    quarters = [
        _quarter_back(year, (month - 1) // 3 + 1, back) for back in (3, 2, 1, 0)
    ]
    first_month = f"{year - 1}-{month + 1:02d}" if month < 12 else f"{year}-01"
    current = (today.year, (today.month - 1) // 3 + 1)
    # The quarter still running is labelled so: its count is not final.
    periods = [
        f"{QUARTER_NAMES[q]} {y}" + (" (so far)" if (y, q) == current else "")
        for y, q in quarters
    ]
    periods.append(f"12 months to {_month_name(latest)}")
    sums: dict[str, dict[str, tuple[int, int]]] = {}
    for row in counts:
        y, m = int(row["month"][:4]), int(row["month"][5:])
        columns = []
        if (y, (m - 1) // 3 + 1) in quarters:
            columns.append(periods[quarters.index((y, (m - 1) // 3 + 1))])
        if first_month <= row["month"] <= latest:
            columns.append(periods[-1])
        for label in (
            type_labels[row["case_type"]],
            f"Risk: {row['risk_level'].replace('_', ' ')}",
            ALL_CASES,
        ):
            for period in columns:
                n, keys = sums.setdefault(label, {}).get(period, (0, 0))
                sums[label][period] = (n + row["cases"], keys + row["key_sum"])
    order = [*type_labels.values(), *RISK_ROWS, ALL_CASES]
    rows = []
    for label in (name for name in order if name in sums):
        cells = [sums[label].get(period, (0, 0)) for period in periods]
        published = ptable.perturb(
            [n for n, _ in cells], ptable.cell_keys([k for _, k in cells])
        )
        shown = [
            _published(n, float(value), ptable.threshold)
            for (n, _), value in zip(cells, published, strict=True)
        ]
        rows.append((label, shown))
    return CountTable(periods, rows)


def _quarter_back(year: int, quarter: int, back: int) -> tuple[int, int]:
    index = year * 4 + quarter - 1 - back
    return index // 4, index % 4 + 1


def _month_name(month: str) -> str:
    return datetime.date(int(month[:4]), int(month[5:]), 1).strftime("%B %Y")


def _published(count: int, value: float, threshold: int) -> str:
    if count == 0:
        return "0"
    if value != value:  # NaN: withheld
        return f"fewer than {threshold}"
    return f"{int(value):,}"
