"""Demographic breakdowns: who is affected, against who lives there.

For one area and period, each group's share of the events (e.g. victims of
violence with injury aged 18-24) is set against its share of the population.
The disproportionality ratio is the group's rate per resident divided by the
rate of everyone else in the area (a relative rate index), with an exact
Poisson interval: 1 means in proportion.

Populations come from the ``population`` table: age band by sex, and ethnic
group (Census 2021 TS021, or the documented CSV's ethnicity column).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from saferplaces.analytics.compare import RateRatio, rate_ratio
from saferplaces.analytics.geography import lsoas_in
from saferplaces.analytics.measures.keys import key_sum_sql
from saferplaces.analytics.measures.population import population_year, year_used
from saferplaces.analytics.measures.registry import Measure, get_measure
from saferplaces.analytics.measures.series import measure_months
from saferplaces.analytics.perturbation import PTable
from saferplaces.analytics.refusals import Refused
from saferplaces.analytics.store import AsOf, Store
from saferplaces.codes import financial_year

# measure group column -> population column
POPULATION_COLUMNS = {
    "victim_age_band": "age_band",
    "victim_sex": "sex",
    "victim_ethnicity": "ethnicity",
}


@dataclass(frozen=True)
class GroupShare:
    group: str
    count: int
    share_of_events: float
    population: float
    share_of_population: float
    # This group's rate per resident against everyone else's.
    against_the_rest: RateRatio
    suppressed: bool
    # "rate uses the 2021 population" when the year's own residents by this
    # group are not loaded (``population``).
    population_note: str = ""


def disproportionality(
    store: Store,
    measure_id: str,
    area_code: str,
    group: str,
    financial_year_label: str,
    *,
    as_of: AsOf = None,
    publishing: PTable | None = None,
) -> list[GroupShare]:
    """Each group's share of events against its share of residents; with
    ``publishing``, from each group's perturbed count (its own cell), the
    withheld groups left out of the shares."""
    measure = get_measure(measure_id)
    if group not in measure.groups:
        raise Refused(f"{measure.id} cannot be broken down by {group!r}")
    if group not in POPULATION_COLUMNS:
        raise Refused(f"no population is loaded by {group!r} to compare with")
    lsoas = lsoas_in(store, area_code)
    if not lsoas:
        raise Refused(f"no LSOAs are known for area {area_code!r}")
    cells = _counts_in_year(store, measure, group, lsoas, financial_year_label, as_of)
    ptable = publishing if measure.publication.method != "open" else None
    counts = {value: count for value, (count, _) in cells.items()}
    withheld: set[str] = set()
    if ptable is not None:
        names = sorted(cells)
        shown = ptable.perturb(
            [cells[n][0] for n in names], ptable.cell_keys([cells[n][1] for n in names])
        )
        withheld = {n for n, v in zip(names, shown, strict=True) if np.isnan(v)}
        counts = {
            n: int(v) for n, v in zip(names, shown, strict=True) if not np.isnan(v)
        }
    # The population year of the series' rule: the year's first month with
    # data (April when the year is whole).
    covered = [
        month
        for month in measure_months(store, measure, as_of)
        if financial_year(month) == financial_year_label
    ]
    wanted = population_year(
        covered[0] if covered else f"{financial_year_label[:4]}-04"
    )
    year, residents = _residents_by(
        store, POPULATION_COLUMNS[group], lsoas, wanted, as_of
    )
    note = "" if year == wanted else f"rate uses the {year} population"
    # Events whose group has no population ("unknown") are left out of both
    # sides, so the shares compare like with like.
    events = sum(counts.get(value, 0) for value in residents)
    people = sum(residents.values())
    if not people or (not events and ptable is None):
        raise Refused(
            f"no {measure.id} events or residents for {area_code} in "
            f"{financial_year_label}"
        )
    shares = []
    for value in sorted(residents):
        count = counts.get(value, 0)
        population = residents[value]
        shares.append(
            GroupShare(
                group=value,
                count=count,
                share_of_events=count / events if events else 0.0,
                population=population,
                share_of_population=population / people,
                against_the_rest=rate_ratio(
                    count, events - count, population, people - population
                ),
                suppressed=value in withheld or (ptable is not None and not count),
                population_note=note,
            )
        )
    return shares


def _counts_in_year(
    store: Store,
    measure: Measure,
    group: str,
    lsoas: list[str],
    year_label: str,
    as_of: AsOf,
) -> dict[str, tuple[int, int]]:
    """{group value: (count, sum of record keys)} in the financial year."""
    rows = store.query(
        f"SELECT month, {group} AS value, count(*) AS n, "
        f"{key_sum_sql(store, measure, as_of)} AS keys FROM {measure.table} "
        f"WHERE ({measure.where}) AND {group} IS NOT NULL "
        "AND lsoa_code IN (SELECT unnest(CAST(? AS VARCHAR[]))) GROUP BY ALL",
        [lsoas],
        as_of=as_of,
    ).to_pylist()
    counts: dict[str, tuple[int, int]] = {}
    for row in rows:
        if financial_year(str(row["month"])) == year_label:
            count, keys = counts.get(str(row["value"]), (0, 0))
            counts[str(row["value"])] = (count + int(row["n"]), keys + int(row["keys"]))
    return counts


def _residents_by(
    store: Store, column: str, lsoas: list[str], year: int, as_of: AsOf
) -> tuple[int, dict[str, float]]:
    """(the year used, residents by age band, sex or ethnic group): ``year``
    or the one ``population.year_used`` picks when it is not loaded."""
    if not store.held("population", as_of):
        raise Refused("a breakdown needs population: saferplaces ingest population")
    # Age by sex rows give age or sex; ethnicity rows are for all ages and
    # sexes (Census 2021 TS021).
    where = {
        "age_band": "age_band <> 'all' AND sex <> 'all'",
        "sex": "age_band <> 'all' AND sex <> 'all'",
        "ethnicity": "age_band = 'all' AND sex = 'all'",
    }[column]
    if column != "ethnicity":
        where += " AND coalesce(ethnicity, 'all') = 'all'"
    if column not in store.columns("population"):
        raise Refused(f"no population by {column} is loaded for this area")
    rows = store.query(
        f"SELECT year, {column} AS value, sum(population) AS people FROM population "
        f"WHERE {column} <> 'all' AND {where} "
        "AND area_code IN (SELECT unnest(CAST(? AS VARCHAR[]))) GROUP BY ALL",
        [lsoas],
        as_of=as_of,
    ).to_pylist()
    chosen = year_used({int(r["year"]) for r in rows}, year)
    if chosen is None:
        raise Refused(f"no population by {column} is loaded for this area")
    return chosen, {
        str(r["value"]): float(r["people"]) for r in rows if int(r["year"]) == chosen
    }
