"""Comparing areas: "the second best performing policing unit", "the worst
performing district", "in line with the city trend".

``compare_areas`` ranks every area of one level inside a parent area on a
measure for one period, with the change from the period before (an exact
Poisson rate ratio) and whether that change is in line with the parent's.
Rank 1 is the best performer by the measure's polarity (the lowest rate for
crime); a measure with no polarity is ranked highest first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from saferplaces.analytics.compare import RateRatio, rate_ratio, relative_to_parent
from saferplaces.analytics.geography import areas_inside, lsoas_in, name_of
from saferplaces.analytics.measures.population import (
    Residents,
    populations_by_year,
    residents_for,
)
from saferplaces.analytics.measures.registry import Measure, get_measure
from saferplaces.analytics.measures.series import (
    MONTHS_IN,
    PER,
    Period,
    Placing,
    lsoa_month_counts,
    measure_months,
    measure_series,
    poisson_intervals,
    require_tables,
)
from saferplaces.analytics.perturbation import PTable
from saferplaces.analytics.refusals import Refused
from saferplaces.analytics.store import AsOf, Store
from saferplaces.codes import financial_quarter, financial_year

LABELS: dict[str, Callable[[str], str]] = {
    "month": lambda month: month,
    "quarter": financial_quarter,
    "year": financial_year,
}


@dataclass(frozen=True)
class AreaComparison:
    area_code: str
    name: str
    period: str
    value: float | None
    numerator: float | None
    denominator: float | None
    lower: float | None
    upper: float | None
    previous_period: str | None
    previous_numerator: float | None
    change: RateRatio | None
    in_line_with_parent: bool | None
    rank: int
    # Withheld from this (published) answer: too few to show.
    suppressed: bool
    # The data covers only part of the period.
    partial: bool = False
    # What the value is in: a count measure is compared as a rate.
    unit: str = ""
    # "rate uses the 2021 population" when the period's own year's residents
    # are not loaded (``population``).
    population_note: str = ""
    # Months of data in the period, and how the change was made like for
    # like ("change per month (2 months against 3)"; "" for plain counts).
    months: int = 0
    change_note: str = ""
    # What the count owes to LSOA vintages ("records coded to 2011 LSOAs
    # were counted in 2021 LSOAs using ..."; ``series.Placing``).
    placing_note: str = ""
    # "Birmingham South: 2nd lowest of 4 policing units; change in line
    # with Birmingham".
    statement: str = ""

    def as_row(self) -> dict[str, Any]:
        """A flat row, as the CLI and the API give it."""
        return {
            "rank": self.rank,
            "area_code": self.area_code,
            "name": self.name,
            "period": self.period,
            "value": self.value,
            "lower": self.lower,
            "upper": self.upper,
            "numerator": self.numerator,
            "previous_period": self.previous_period,
            "previous_numerator": self.previous_numerator,
            "change_ratio": self.change.ratio if self.change else None,
            "change_lower": self.change.lower if self.change else None,
            "change_upper": self.change.upper if self.change else None,
            "in_line_with_parent": self.in_line_with_parent,
            "suppressed": self.suppressed,
            "partial": self.partial,
            "unit": self.unit,
            "statement": self.statement,
        }


def compare_areas(
    store: Store,
    measure_id: str,
    level: str,
    within: str,
    period: str,
    *,
    by: Period = "year",
    as_of: AsOf = None,
    publishing: PTable | None = None,
) -> list[AreaComparison]:
    """Every ``level`` area inside ``within``, ranked on ``period``.

    A count is ranked as a rate per 1,000 residents (areas differ in size),
    or as a count where no population is loaded (the statement says so).
    With ``publishing``, every count (this period's, the period before's and
    the parent's) is the perturbed count of its own cell, and the rates,
    intervals, changes and ranks are computed from those."""
    measure = get_measure(measure_id)
    if by not in LABELS:
        raise Refused("compare by month, quarter or year")
    if measure.counted_at == "force":
        raise Refused(
            f"{measure.title} is counted for a whole police force only: it has "
            "no smaller areas to compare"
        )
    require_tables(store, measure, as_of)
    parent_lsoas = set(lsoas_in(store, within))
    if not parent_lsoas:
        raise Refused(f"no LSOAs are known for area {within!r}")
    areas = areas_inside(store, level, parent_lsoas, as_of)
    if not areas:
        raise Refused(f"no {level} areas are loaded inside {within!r}")
    parent_name = name_of(store, within, as_of)
    ptable = publishing if measure.publication.method != "open" else None
    if measure.kind != "count":
        return _described(
            _compare_estimates(store, measure, areas, period, by, as_of, ptable),
            measure,
            level,
            parent_name,
        )
    counts = _counts_by_lsoa_and_period(store, measure, by, as_of)
    periods = sorted({p for _, p in counts})
    if period not in periods:
        known = ", ".join(periods)
        raise Refused(f"{measure.id} has no data for {period}; it has {known}")
    previous = periods[periods.index(period) - 1] if periods.index(period) > 0 else None
    covered = _months_of(store, measure, by, period, as_of)
    covered_before = _months_of(store, measure, by, previous, as_of) if previous else []
    partial = len(covered) < MONTHS_IN[by]

    # Every cell the comparison shows or uses (each area's and the parent's
    # period and period before), published together: one vectorised lookup.
    members = {code: lsoas for code, (_, lsoas) in areas.items()}
    members[within] = parent_lsoas
    shown = _published_cells(counts, members, (period, previous), ptable)
    if ptable is not None:
        # The publication lattice (ADR 0007): a period not yet whole is not
        # published, so neither it nor a change from it is shown.
        for when, months in ((period, covered), (previous, covered_before)):
            if when and len(months) < MONTHS_IN[by]:
                shown.update(dict.fromkeys(((c, when) for c in members), None))

    def published(code: str, when: str | None) -> int | None:
        return shown.get((code, when)) if when else None

    has_population = store.held("population", as_of)
    populations = populations_by_year(store, members, as_of) if has_population else {}
    change_notes: dict[str, str] = {}

    def change_of(code: str) -> RateRatio | None:
        """The change from the period before, like for like: counts per
        month when the periods cover different months, per resident when a
        rate's residents differ (exposures of the exact rate ratio)."""
        now, before = published(code, period), published(code, previous)
        if now is None or not before:
            return None
        exposure, baseline = float(len(covered)), float(len(covered_before))
        notes = []
        if exposure != baseline:
            notes.append(
                f"change per month ({_months_words(len(covered))} against "
                f"{len(covered_before)})"
            )
        residents = populations.get(code, {})
        used, used_before = (
            residents_for(residents, covered[0]),
            residents_for(residents, covered_before[0]),
        )
        if used and used_before and used.residents != used_before.residents:
            exposure, baseline = (
                exposure * used.residents,
                baseline * used_before.residents,
            )
            notes.append(
                f"change per resident ({used.year} population against "
                f"{used_before.year})"
            )
        change_notes[code] = "; ".join(notes)
        return rate_ratio(now, before, exposure, baseline)

    parent_change = change_of(within)
    rows = []
    for code, (name, _) in areas.items():
        numerator = published(code, period)
        used: Residents | None = (
            residents_for(populations.get(code, {}), covered[0])
            if has_population
            else None
        )
        residents = used.residents if used else None
        value: float | None = None
        interval: tuple[float | None, float | None] = (None, None)
        if numerator is not None and (residents or not has_population):
            scale = PER / residents if residents else 1.0
            value = numerator * scale
            [(low, high)] = poisson_intervals([numerator])
            interval = (low * scale, high * scale)
        change = change_of(code)
        in_line = (
            relative_to_parent(change, parent_change).in_line
            if change and parent_change
            else None
        )
        rows.append((code, name, value, numerator, used, change, in_line,
                     interval))  # fmt: skip
    compared = [
        AreaComparison(
            area_code=code,
            name=name,
            period=period,
            value=value,
            numerator=numerator,
            denominator=used.residents if used else None,
            lower=interval[0],
            upper=interval[1],
            previous_period=previous,
            previous_numerator=published(code, previous),
            change=change,
            in_line_with_parent=in_line,
            rank=rank,
            suppressed=numerator is None,
            partial=partial,
            unit=_rate_unit(measure.unit) if has_population else measure.unit,
            population_note=used.note if used and value is not None else "",
            months=len(covered),
            change_note=change_notes.get(code, "") if change else "",
            placing_note=Placing.of(store, measure, sorted(members[code]), as_of).note(
                covered, exact=ptable is None
            )
            if numerator is not None
            else "",
        )
        for rank, (
            code,
            name,
            value,
            numerator,
            used,
            change,
            in_line,
            interval,
        ) in enumerate(_rank(rows, measure), start=1)
    ]
    return _described(compared, measure, level, parent_name)


def _published_cells(
    counts: dict[tuple[str, str], tuple[int, int]],
    members: dict[str, set[str]],
    periods: tuple[str, str | None],
    ptable: PTable | None,
) -> dict[tuple[str, str], int | None]:
    """{(area, period): its count, perturbed if ``ptable``; None if withheld}.

    Each area's cell is its own records (the sums of its LSOAs' counts and
    record keys), never a sum of other published figures."""
    keys_of = [(code, when) for code in members for when in periods if when]
    totals = []
    for code, when in keys_of:
        count = keys = 0
        for lsoa in members[code]:
            cell = counts.get((lsoa, when))
            if cell is not None:
                count, keys = count + cell[0], keys + cell[1]
        totals.append((count, keys))
    values = np.array([count for count, _ in totals], dtype=np.int64)
    if ptable is not None:
        key_sums = np.array([key for _, key in totals], dtype=np.int64)
        published = ptable.perturb(values, ptable.cell_keys(key_sums))
    else:
        published = values.astype(np.float64)
    return {
        cell: None if np.isnan(value) else int(value)
        for cell, value in zip(keys_of, published, strict=True)
    }


def _months_of(
    store: Store, measure: Measure, by: Period, period: str, as_of: AsOf
) -> list[str]:
    """The months of ``period`` the measure's data covers (the first of them
    picks the period's population year, as in the series)."""
    label = LABELS[by]
    return [m for m in measure_months(store, measure, as_of) if label(m) == period]


def _months_words(count: int) -> str:
    return "1 month" if count == 1 else f"{count} months"


def _ordinal(number: int) -> str:
    if number == 1:
        return ""
    suffix = (
        "th"
        if 10 <= number % 100 <= 20
        else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix} "


def _described(
    rows: list[AreaComparison], measure: Measure, level: str, parent: str
) -> list[AreaComparison]:
    """Each area's place in words, as the seed plan reports it."""
    extreme, other = ("lowest", "highest")
    if measure.polarity != "down":
        extreme, other = other, extreme
    plural = level.replace("_", " ") + "s"
    ranked = sum(1 for row in rows if row.value is not None)
    described = []
    for row in rows:
        place = other if row.rank == ranked > 1 else f"{_ordinal(row.rank)}{extreme}"
        text = f"{row.name}: {place} of {ranked} {plural} with figures"
        if ranked == len(rows):
            text = f"{row.name}: {place} of {ranked} {plural}"
        if row.value is None:
            text = f"{row.name}: no figure for {row.period}"
        if row.suppressed:
            text = f"{row.name}: too few to show for {row.period}"
        if row.population_note:
            text += f"; {row.population_note}"
        if row.in_line_with_parent is not None:
            text += (
                f"; change in line with {parent}"
                if row.in_line_with_parent
                else f"; change not in line with {parent}"
            )
        if row.change_note:
            text += f"; {row.change_note}"
        if row.placing_note:
            text += f"; {row.placing_note}"
        described.append(dataclasses.replace(row, statement=text))
    return described


def _compare_estimates(
    store: Store,
    measure: Measure,
    areas: dict[str, tuple[str, set[str]]],
    period: str,
    by: Period,
    as_of: AsOf,
    ptable: PTable | None,
) -> list[AreaComparison]:
    """Areas ranked on a proportion or ratio (survey shares, re-offending).

    The change between periods is a difference of shares, not a ratio of
    counts, so no rate ratio or "in line with the parent" is given here.
    """
    rows = []
    seen_periods: set[str] = set()
    for code, (name, _) in areas.items():
        points = measure_series(
            store, measure.id, code, by=by, as_of=as_of, publishing=ptable
        )
        by_period = {point.period: point for point in points}
        seen_periods.update(by_period)
        labels = [point.period for point in points]
        point = by_period.get(period)
        previous = labels[labels.index(period) - 1] if period in labels[1:] else None
        rows.append((code, name, point, previous))
    if period not in seen_periods:
        known = ", ".join(sorted(seen_periods))
        raise Refused(f"{measure.id} has no data for {period}; it has {known}")
    ranked = _rank(
        [(code, name, p.value if p else None, p, prev) for code, name, p, prev in rows],
        measure,
    )
    return [
        AreaComparison(
            area_code=code,
            name=name,
            period=period,
            value=value,
            numerator=point.numerator if point else 0,
            denominator=point.denominator if point else None,
            lower=point.lower if point else None,
            upper=point.upper if point else None,
            previous_period=previous,
            previous_numerator=None,
            change=None,
            in_line_with_parent=None,
            rank=rank,
            suppressed=point.suppressed if point else True,
            partial=point.partial if point else False,
            unit=measure.unit,
            months=point.months if point else 0,
        )
        for rank, (code, name, value, point, previous) in enumerate(ranked, start=1)
    ]


Row = tuple[Any, ...]


def _rank(rows: list[Row], measure: Measure) -> list[Row]:
    best_first = measure.polarity == "down"
    known = [row for row in rows if row[2] is not None]
    unknown = [row for row in rows if row[2] is None]
    known.sort(key=lambda row: (row[2], row[0]), reverse=not best_first)
    return known + unknown


def _counts_by_lsoa_and_period(
    store: Store, measure: Measure, by: str, as_of: AsOf
) -> dict[tuple[str, str], tuple[int, int]]:
    """Counts by LSOA and period, kept (like the monthly counts) until the
    next load: ranking areas again costs only the sums."""
    return store.cached(
        f"period-counts:{measure.id}:{by}:{as_of}",
        lambda: _sum_by_period(store, measure, LABELS[by], as_of),
    )


def _sum_by_period(
    store: Store, measure: Measure, label: Callable[[str], str], as_of: AsOf
) -> dict[tuple[str, str], tuple[int, int]]:
    table = lsoa_month_counts(store, measure, None, as_of)
    months = pc.unique(table.column("month")).to_pylist()
    periods = pc.take(
        # Typed: a measure none of whose rows match has no months, and an
        # untyped empty array (null) cannot be looked up in.
        pa.array([label(str(m)) for m in months], type=pa.string()),
        pc.index_in(
            table.column("month"),
            value_set=pa.array(months, type=table.column("month").type),
        ),
    )
    summed = (
        table.append_column("period", periods)
        .group_by(["lsoa_code", "period"])
        .aggregate([("n", "sum"), ("keys", "sum")])
    )
    return {
        (str(row["lsoa_code"]), str(row["period"])): (
            int(row["n_sum"]),
            int(row["keys_sum"]),
        )
        for row in summed.to_pylist()
    }


def _rate_unit(unit: str) -> str:
    """A count's unit as a rate ("crimes per 1,000 residents"); a measure that
    is a rate already keeps its own (it said "per 1,000 residents" twice)."""
    return unit if "per 1,000" in unit else f"{unit} per 1,000 residents"
