"""The publication lattice: the only cells the public is shown of a measure
that is not open data (docs/decisions/0007-publication-lattice.md).

The public sees whole calendar months, whole financial quarters and whole
financial years, at each public area level and breakdown; each is its own
perturbed cell. Any other run of months would be a cell of its own with
noise of its own: overlapping runs give an attacker many noisy looks at the
same months to average or solve, so they are refused. A rolling year is
shown only where four published quarters make it, as their sum (no new
noise to average). A period the data covers in part is withheld until it is
whole: each load would otherwise publish the same period again with one
more month, a new cell overlapping the last.

Example:
    >>> check_window("year", "2021-04", "2023-03")
    >>> try:
    ...     check_window("year", "2021-05", "2022-03")
    ... except OffLattice as refused:
    ...     print(str(refused).split("(")[-1])
    for example 2021-04 to 2022-03).
"""

from __future__ import annotations

from saferplaces.analytics.refusals import Refused
from saferplaces.codes import shift_month

# The first month of each financial quarter (April, July, October, January).
QUARTER_STARTS = (4, 7, 10, 1)
YEAR_START = 4
# A rolling year is published from four whole quarters, so it is asked by
# quarters' edges.
UNITS = {
    "quarter": "financial quarter",
    "rolling12": "financial quarter",
    "year": "financial year",
}
# What one may ask for instead (the API's 400 lists these).
ALLOWED = (
    "by month: any first and last month",
    "by quarter or rolling12: from the first month of a financial quarter "
    "(April, July, October or January) to the last month of one (June, "
    "September, December or March)",
    "by year: from an April to a March",
)
WHOLE_ONLY = "published once the period is whole"


class OffLattice(Refused):
    """A question whose answer is not a cell of the lattice."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.allowed = list(ALLOWED)


def check_window(by: str, first: str | None, last: str | None) -> None:
    """Refuse ``first``/``last`` that would cut a period of ``by``."""
    if by == "month":
        return
    starts = (YEAR_START,) if by == "year" else QUARTER_STARTS
    size = 12 if by == "year" else 3
    bad_first = first is not None and _month(first) not in starts
    bad_last = last is not None and (_month(last) % 12) + 1 not in starts
    if not (bad_first or bad_last):
        return
    example_first = _start_of(first or last or "2021-04", starts)
    example_last = shift_month(_start_of(last or example_first, starts), size - 1)
    raise OffLattice(
        "For the public, figures are published for whole months, financial "
        f"quarters and financial years: by {by}, first must be the first month "
        f"of a {UNITS[by]} and last its last month (for example "
        f"{example_first} to {example_last})."
    )


def _month(month: str) -> int:
    return int(month[5:7])


def _start_of(month: str, starts: tuple[int, ...]) -> str:
    """The first month, at or before ``month``, that starts a period."""
    while _month(month) not in starts:
        month = shift_month(month, -1)
    return month
