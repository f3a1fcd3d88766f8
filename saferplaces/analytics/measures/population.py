"""Residents by area and year, and the one rule for which year's residents a
period's rate uses.

Every rate (a measure's series, the ranking of areas, the change beside a
ranked area, disproportionality by group) asks ``population_year`` which
year's population belongs to a period, and ``residents_for`` for that
year's residents: the calendar year of the first month the period's figure
covers ("2016/17" from April 2016: 2016; "2016/17 Q4", January to March
2017: 2017; a rolling 12 months: the year of its first month). Where that
year is not loaded, the nearest year loaded on either side is used (the
earlier of two equally near: it was known at the time), and
``Residents.note`` says which year ("rate uses the 2021 population").

Example:
    >>> used = residents_for({2011: 900.0, 2021: 1000.0}, "2017-01")
    >>> used.residents, used.year, used.note
    (1000.0, 2021, 'rate uses the 2021 population')
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from saferplaces.analytics.refusals import Refused
from saferplaces.analytics.store import AsOf, Store


def population_year(first_month: str) -> int:
    """The year whose population a period's rate uses: the calendar year of
    the first month the period covers (``YYYY-MM``).

    Mid-year estimates are for 30 June and the Census for March 2021; a
    financial year or quarter is set against the residents of the year it
    begins in, so a period's rate never changes with the way it is asked for
    (by label or by its months).

    >>> population_year("2016-04"), population_year("2017-01")
    (2016, 2017)
    """
    return int(first_month[:4])


@dataclass(frozen=True)
class Residents:
    """The residents a rate divides by, and which year's they are."""

    residents: float
    # The year of the population used, and the period's own year.
    year: int
    wanted: int

    @property
    def own_year(self) -> bool:
        return self.year == self.wanted

    @property
    def note(self) -> str:
        """Words for a row whose rate uses another year's residents; ""
        when it uses its own year's."""
        return "" if self.own_year else f"rate uses the {self.year} population"


def year_used(years: set[int] | list[int], wanted: int) -> int | None:
    """``wanted`` if loaded, else the nearest year loaded on either side,
    the earlier of two equally near (None when no year is loaded).

    >>> year_used({2011, 2021}, 2017), year_used({2011, 2021}, 2016)
    (2021, 2011)
    >>> year_used({2011, 2021}, 2009), year_used({2011, 2021}, 2024)
    (2011, 2021)
    """
    if not years:
        return None
    return min(years, key=lambda year: (abs(year - wanted), year))


def residents_for(population: dict[int, float], first_month: str) -> Residents | None:
    """The residents for a period beginning ``first_month`` (see the module
    docstring), or None when no population is loaded for the area."""
    wanted = population_year(first_month)
    year = year_used(set(population), wanted)
    if year is None:
        return None
    return Residents(population[year], year, wanted)


def residents_in_year(population: dict[int, float], year: int) -> float | None:
    """That year's population, else the nearest year's (``year_used``)."""
    used = year_used(set(population), year)
    return None if used is None else population[used]


def residents_by_area_and_year(store: Store, as_of: AsOf) -> pa.Table:
    """Every area's residents by year (area_code, year, residents), kept
    until the next load: an area's population is then a filter and a sum in
    memory, and ranking every ward of a nation one join, not a query per
    ward (bench/national.py)."""
    if not store.held("population", as_of):
        raise Refused("a rate needs population: saferplaces ingest population")

    def residents() -> pa.Table:
        return store.query(
            "SELECT area_code, year, sum(population)::DOUBLE AS residents "
            "FROM population WHERE age_band = 'all' AND sex = 'all' "
            # Rows by ethnic group add up to the same residents again.
            "AND coalesce(ethnicity, 'all') = 'all' GROUP BY ALL",
            as_of=as_of,
        )

    return store.cached(f"residents:{as_of}", residents)


def population_by_year(store: Store, lsoas: list[str], as_of: AsOf) -> dict[int, float]:
    return populations_by_year(store, {"": set(lsoas)}, as_of).get("", {})


def populations_by_year(
    store: Store, members: dict[str, set[str]], as_of: AsOf
) -> dict[str, dict[int, float]]:
    """{area: {year: residents}} for areas given as their LSOAs, in one join."""
    pairs = [(lsoa, code) for code, lsoas in members.items() for lsoa in lsoas]
    if not pairs:
        return {}
    lsoa_column, area_column = zip(*pairs, strict=True)
    wanted = pa.table({"area_code": list(lsoa_column), "area": list(area_column)})
    summed = (
        residents_by_area_and_year(store, as_of)
        .join(wanted, "area_code", join_type="inner")
        .group_by(["area", "year"])
        .aggregate([("residents", "sum")])
        .to_pylist()
    )
    found: dict[str, dict[int, float]] = {}
    for row in summed:
        found.setdefault(row["area"], {})[int(row["year"])] = float(
            row["residents_sum"]
        )
    return found
