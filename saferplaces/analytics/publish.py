"""What the public may see of a measure: small counts withheld, and enough
other cells withheld that no published total gives them back.

Primary suppression comes from each point (``SeriesPoint.suppressed``: a
count, or for surveys and cohorts the number of people, below the measure's
threshold). Secondary suppression (``disclosure.suppress_with_total``) then
runs over every set of cells whose total is published elsewhere:

* the groups of one period (the area's ungrouped figure is their total);
* the months of one financial year (the yearly series is their total);
* the areas of one comparison (the parent's figure is their total).

It applies to counts; a survey share or a re-offending rate is withheld
only where its own base is small, since its numerator is not a count of
events that a total could reveal.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from saferplaces.analytics.disclosure import suppress_with_total
from saferplaces.analytics.measures.registry import get_measure
from saferplaces.analytics.measures.series import SeriesPoint, financial_year

WITHHELD = ("value", "numerator", "lower", "upper")


def public_series(points: Sequence[SeriesPoint]) -> list[dict[str, Any]]:
    """The points as dictionaries, with withheld figures set to None."""
    rows = [dataclasses.asdict(point) for point in points]
    if not rows:
        return rows
    measure = get_measure(rows[0]["measure"])
    if measure.kind == "count":
        grouped = rows[0]["group"] is not None
        total_key = (lambda r: r["period"]) if grouped else _year_of_month
        _secondary(rows, total_key, measure.suppress_below)
    for row in rows:
        if row["suppressed"]:
            row.update(dict.fromkeys(WITHHELD))
    return rows


def public_comparison(
    rows: list[dict[str, Any]], measure_id: str
) -> list[dict[str, Any]]:
    """Area comparison rows (``numerator``, ``suppressed``) made public."""
    measure = get_measure(measure_id)
    if measure.kind == "count":
        _secondary(rows, lambda _row: "all areas", measure.suppress_below)
    for row in rows:
        if row["suppressed"]:
            row.update({k: None for k in row if k in COMPARISON_WITHHELD})
    return rows


COMPARISON_WITHHELD = (
    *WITHHELD,
    "previous_numerator",
    "change_ratio",
    "change_lower",
    "change_upper",
    "in_line_with_parent",
)


def _year_of_month(row: dict[str, Any]) -> str | None:
    """Months add up to their financial year; other periods stand alone."""
    period = str(row["period"])
    is_month = len(period) == 7 and period[4] == "-"
    return financial_year(period) if is_month else None


def _secondary(
    rows: list[dict[str, Any]],
    total_key: Callable[[dict[str, Any]], str | None],
    threshold: int,
) -> None:
    """Mark more rows suppressed wherever a published total could reveal one."""
    sets: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        key = total_key(row)
        if key is not None:
            sets[key].append(row)
    for members in sets.values():
        counts = [int(row["numerator"] or 0) for row in members]
        hidden = suppress_with_total(counts, threshold)
        for row, hide in zip(members, hidden, strict=True):
            row["suppressed"] = row["suppressed"] or hide
