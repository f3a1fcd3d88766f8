"""A measure for one area over time: counts, rates, intervals, SPC signals.

Periods: calendar months (``2024-05``), financial quarters (``2024/25 Q1``,
April to June), financial years (``2024/25``, April to March, as
partnerships report), and rolling 12 months ending each month. Counts have
exact Poisson 95% intervals; rates divide them by the area's population.
SPC signals (``saferplaces.analytics.spc``) are given for months, quarters
and years; a rolling sum overlaps itself, so it gets none. A quarter or
financial year that the data does not cover whole is marked ``partial``.

With ``publishing`` (a ptable) the series is the published one: each
period's count is the perturbed count of its own cell (the records of that
area, period and group), and the value, interval and SPC signals are
computed from the published counts (``Publication`` in the registry says
which measures are perturbed and which are open data, published exactly).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy import special

from saferplaces.analytics.geography import (
    LsoaChanges,
    is_known,
    known_lsoas,
    lsoa_changes,
    lsoas_in,
)
from saferplaces.analytics.measures import force_level
from saferplaces.analytics.measures.forces import force_month_counts, force_of
from saferplaces.analytics.measures.keys import key_sum_sql
from saferplaces.analytics.measures.lattice import OffLattice, check_window
from saferplaces.analytics.measures.population import (
    population_by_year,
    residents_for,
)
from saferplaces.analytics.measures.proportions import (
    Tally,
    monthly_tallies,
    wilson_interval,
)
from saferplaces.analytics.measures.registry import Measure, get_measure
from saferplaces.analytics.perturbation import PTable
from saferplaces.analytics.refusals import Refused
from saferplaces.analytics.spc import XmRChart, xmr
from saferplaces.analytics.store import AsOf, Store
from saferplaces.codes import financial_quarter, financial_year, shift_month

Period = Literal["month", "quarter", "year", "rolling12"]
PERIODS: tuple[Period, ...] = ("month", "quarter", "year", "rolling12")
PER = 1000  # rates per 1,000 residents
# Months a whole period holds.
MONTHS_IN = {"month": 1, "quarter": 3, "year": 12, "rolling12": 12}


@dataclass(frozen=True)
class SeriesPoint:
    measure: str
    area_code: str
    period: str
    group: str | None
    value: float | None
    # Crimes counted; weighted positive answers; re-offences.
    numerator: float | None
    # Residents; weighted respondents; offenders (re-offenders).
    denominator: float | None
    lower: float | None
    upper: float | None
    spc_signal: str | None
    # Withheld from this (published) answer: too few to show.
    suppressed: bool
    # The data covers only part of the period (e.g. 6 months of a year).
    partial: bool = False
    months: int = 1
    # What a reader should know of this figure ("rate uses the 2021
    # population").
    note: str = ""


def measure_series(
    store: Store,
    measure_id: str,
    area_code: str,
    *,
    by: Period = "month",
    group: str | None = None,
    first: str | None = None,
    last: str | None = None,
    as_of: AsOf = None,
    publishing: PTable | None = None,
    lattice: bool = True,
) -> list[SeriesPoint]:
    """The measure for ``area_code`` by period (and by ``group`` if given);
    as published when ``publishing`` is given (see the module docstring):
    then only cells of the publication lattice (``lattice``), unless
    ``lattice`` is False (the attack tests' any-window control)."""
    measure = get_measure(measure_id)
    if by not in PERIODS:
        raise Refused(f"by must be one of {', '.join(PERIODS)}")
    if group is not None and group not in measure.groups:
        offered = ", ".join(measure.groups) or "none"
        raise Refused(
            f"{measure.id} cannot be broken down by {group!r} (offers: {offered})"
        )
    require_tables(store, measure, as_of)
    months = [
        m
        for m in measure_months(store, measure, as_of)
        if (first is None or m >= first) and (last is None or m <= last)
    ]
    if measure.counted_at == "force":
        months = force_level.force_months(store, measure, area_code, months, as_of)
    if by == "rolling12" and len(months) < MONTHS_IN["rolling12"]:
        raise Refused(_too_few_for_a_rolling_year(measure.id, months))
    ptable = publishing if measure.publication.method != "open" else None
    whole_only = ptable is not None and lattice
    if whole_only:
        check_window(by, first, last)
    if whole_only and by == "rolling12":
        if measure.publication.method == "survey":
            raise OffLattice(
                "For the public, survey figures are published by month, quarter "
                "and year only: ask by quarter or year."
            )
        quarters = measure_series(
            store, measure.id, area_code, by="quarter", group=group, first=first,
            last=last, as_of=as_of, publishing=publishing,
        )  # fmt: skip
        return _rolling_years_of(measure, quarters, months)
    if measure.kind != "count":
        return _tally_series(
            store, measure, area_code, months, by, group, as_of, ptable, whole_only
        )
    if measure.counted_at == "force":
        return _force_series(store, measure, area_code, months, by, group, as_of)
    lsoas = lsoas_in(store, area_code)
    # A force counts every row of its files, not only those in its LSOAs.
    force = force_of(store, measure, area_code, as_of)
    if not lsoas and force is None:
        raise Refused(f"no LSOAs are known for area {area_code!r}")
    counts = store.cached(
        f"monthly-counts:{measure.id}:{group}:{area_code}:{as_of}",
        lambda: (
            force_month_counts(store, measure, force, group, as_of)
            if force
            else _monthly_counts(store, measure, lsoas, group, as_of)
        ),
    )
    population = population_by_year(store, lsoas, as_of) if measure.denominator else {}
    groups: Sequence[str | None] = (
        sorted({g for _, g in counts}, key=str) if group else [None]
    )
    if ptable is not None and group:
        groups, counts = _classified(
            classification_of(store, measure, group, as_of), measure, group, counts,
            lambda a, b: (a[0] + b[0], a[1] + b[1]),
        )  # fmt: skip
    placing = _placing_notes(
        store, measure, lsoas, months, by, as_of, exact=ptable is None
    )
    points: list[SeriesPoint] = []
    for value in groups:
        cells = [counts.get((m, value), (0, 0)) for m in months]
        points += [
            _with_note(point, placing.get(point.period, ""))
            for point in _points(
                measure, area_code, value, months, cells, by, population, ptable,
                whole_only,
            )
        ]  # fmt: skip
    return points


def _with_note(point: SeriesPoint, words: str) -> SeriesPoint:
    if not words or point.numerator is None:
        return point
    return replace(point, note="; ".join(filter(None, [point.note, words])))


def _placing_notes(
    store: Store,
    measure: Measure,
    lsoas: list[str],
    months: list[str],
    by: Period,
    as_of: AsOf,
    exact: bool,
) -> dict[str, str]:
    """{period: what its count owes to LSOA vintages} (``Placing``)."""
    placing = Placing.of(store, measure, lsoas, as_of)
    labels, starts, sizes = _periods(months, by)
    return {
        label: placing.note(months[start : start + size], exact=exact)
        for label, start, size in zip(labels, starts, sizes, strict=True)
    }


@dataclass(frozen=True)
class Placing:
    """How an area's records were placed, by month: those counted through
    the LSOA 2011 to 2021 lookup (``moved``, ``split`` of them in split
    LSOAs), and those of the whole store whose LSOA the geography does not
    know, which no area counts (``unknown``) (issue 29, fault 8)."""

    changes: LsoaChanges
    moved: dict[str, int]
    split: dict[str, int]
    unknown: dict[str, int]

    @classmethod
    def of(
        cls, store: Store, measure: Measure, lsoas: list[str], as_of: AsOf
    ) -> Placing:
        changes = lsoa_changes(store)
        if not known_lsoas(store):
            # No geography: a code is all there is, and is counted.
            return cls(changes, {}, {}, {})
        unknown = store.cached(
            f"unplaced:{measure.id}:{as_of}",
            lambda: _unplaced_by_month(store, measure, as_of),
        )
        moved = set(lsoas) & set(changes.counted_in)
        if not moved:
            return cls(changes, {}, {}, unknown)
        counts = lsoa_month_counts(store, measure, None, as_of)
        by_kind = [
            _sum_by_month(
                counts.filter(
                    pc.is_in(counts["lsoa_code"], pa.array(sorted(codes), pa.string()))
                )
            )
            for codes in (moved, moved & changes.split)
        ]
        return cls(changes, by_kind[0], by_kind[1], unknown)

    def note(self, months: Sequence[str], *, exact: bool = True) -> str:
        """Words for a figure over ``months`` ("" when there is nothing to
        say); without ``exact`` (a published, perturbed figure) they give no
        counts, which would be figures that bypass the perturbation."""
        moved, split, unknown = (
            sum(by_month.get(month, 0) for month in months)
            for by_month in (self.moved, self.split, self.unknown)
        )
        words = [self.changes.note(moved, split, exact=exact)]
        if unknown:
            many = f"{unknown:,} records" if exact else "Some records"
            words.append(
                f"{many} in these months had LSOA codes the geography does not "
                "know and are counted in no area"
            )
        return "; ".join(filter(None, words))


def _unplaced_by_month(store: Store, measure: Measure, as_of: AsOf) -> dict[str, int]:
    """The measure's records by month whose LSOA code the geography does
    not know (in the whole store: no area counts them)."""
    counts = lsoa_month_counts(store, measure, None, as_of)
    known = pa.array(sorted(known_lsoas(store)), pa.string())
    return _sum_by_month(counts.filter(pc.invert(pc.is_in(counts["lsoa_code"], known))))


def _sum_by_month(counts: pa.Table) -> dict[str, int]:
    rows = counts.group_by("month").aggregate([("n", "sum")]).to_pylist()
    return {str(row["month"]): int(row["n_sum"]) for row in rows}


Cell = TypeVar("Cell")


def classification_of(
    store: Store, measure: Measure, group: str, as_of: AsOf
) -> tuple[str, ...] | None:
    """Every category of ``measure``'s breakdown by ``group``: its fixed
    list, or for a breakdown ``classified_by_store`` every value the whole
    table holds (so a category with no record in one area or month is still
    listed there, as a zero); None when it has neither."""
    if group not in measure.classified_by_store:
        return measure.classification(group)

    def values() -> tuple[str, ...]:
        found = store.query(
            f"SELECT DISTINCT {group} AS value FROM {measure.table} "
            f"WHERE {group} IS NOT NULL ORDER BY 1",
            as_of=as_of,
        )
        return tuple(str(v) for v in found.column("value").to_pylist())

    return store.cached(f"classification:{measure.id}:{group}:{as_of}", values)


def _classified(
    classification: tuple[str, ...] | None,
    measure: Measure,
    group: str,
    cells: dict[tuple[str, str | None], Cell],
    add: Callable[[Cell, Cell], Cell],
) -> tuple[list[str | None], dict[tuple[str, str | None], Cell]]:
    """A published breakdown's groups and cells: every category of the
    breakdown's ``classification``, zero or not, then "not recorded" (None),
    which also holds any value outside the classification. Which groups
    have records is itself a figure, so it is never left to the data of
    the cell."""
    if classification is None:
        raise OffLattice(f"{measure.title} is not published by {group}.")
    folded: dict[tuple[str, str | None], Cell] = {}
    for (month, value), cell in cells.items():
        key = (month, value if value in classification else None)
        folded[key] = add(folded[key], cell) if key in folded else cell
    return [*classification, None], folded


def _rolling_years_of(
    measure: Measure, quarters: list[SeriesPoint], months: list[str]
) -> list[SeriesPoint]:
    """Published rolling years: each the sum of four consecutive published
    quarters, labelled by its last month (no new noise to average)."""
    ends = _quarter_ends(months)
    points: list[SeriesPoint] = []
    by_group: dict[str | None, list[SeriesPoint]] = {}
    for quarter in quarters:
        by_group.setdefault(quarter.group, []).append(quarter)
    for group, mine in by_group.items():
        for index in range(3, len(mine)):
            four = mine[index - 3 : index + 1]
            label = ends.get(four[-1].period, "")
            if not label or ends.get(four[0].period, "") != shift_month(label, -9):
                continue  # not four consecutive quarters of data
            points.append(_rolling_point(measure, group, label, four))
    return points


def _quarter_ends(months: list[str]) -> dict[str, str]:
    """{quarter label: its last month}."""
    ends: dict[str, str] = {}
    for month in months:
        ends[financial_quarter(month)] = month
    return ends


def _rolling_point(
    measure: Measure, group: str | None, label: str, four: list[SeriesPoint]
) -> SeriesPoint:
    first = four[0]
    if any(q.suppressed or q.numerator is None for q in four):
        value = numerator = denominator = low = high = None
    else:
        numerator = float(sum(q.numerator or 0 for q in four))
        if measure.kind == "count":
            denominator = first.denominator
            scale = PER / denominator if denominator else 1.0
            known = denominator or not measure.denominator
            [(low, high)] = poisson_intervals([round(numerator)])
            value, low, high = (
                (numerator * scale, low * scale, high * scale)
                if known
                else (None, None, None)
            )
        else:
            denominator = float(sum(q.denominator or 0 for q in four))
            value, low, high = _published_ratio(measure, numerator, denominator)
    return SeriesPoint(
        measure=measure.id,
        area_code=first.area_code,
        period=label,
        group=group,
        value=value,
        numerator=numerator,
        denominator=denominator,
        lower=low,
        upper=high,
        spc_signal=None,
        suppressed=numerator is None,
        partial=False,
        months=12,
        note=first.note if value is not None else "",
    )


def _published_ratio(
    measure: Measure, numerator: float, denominator: float
) -> tuple[float, float, float]:
    """A share or ratio from published counts, with its interval."""
    if measure.kind == "proportion":
        share = min(numerator / denominator, 1.0)
        low, high = wilson_interval(share, denominator)
        return 100 * share, 100 * low, 100 * high
    [(low, high)] = poisson_intervals([round(numerator)])
    return round(numerator / denominator, 2), low / denominator, high / denominator


def measure_chart(
    store: Store,
    measure_id: str,
    area_code: str,
    *,
    by: Period = "month",
    target: float | None = None,
    rebase_at: Sequence[str] = (),
    first: str | None = None,
    last: str | None = None,
    as_of: AsOf = None,
    screen_outliers: bool = True,
    fix_after_n_points: int | None = None,
    publishing: PTable | None = None,
) -> XmRChart:
    """The measure's XmR chart for an area: limits, signals, icons, with an
    optional target (for the assurance icon) and rebasing (e.g. where an
    intervention started)."""
    if by == "rolling12":
        raise Refused("a rolling sum overlaps itself: chart by month, quarter or year")
    points = measure_series(
        store, measure_id, area_code, by=by, first=first, last=last, as_of=as_of,
        publishing=publishing,
    )  # fmt: skip
    # A period not yet whole is withheld from the public: not a value yet.
    points = [point for point in points if not (point.partial and point.suppressed)]
    values = [point.value for point in points]
    if len(values) < 2 or any(value is None for value in values):
        withheld = any(point.suppressed for point in points)
        raise Refused(
            f"{measure_id} has periods withheld as too few to show: no chart"
            if withheld
            else f"{measure_id} has too few periods with data to chart"
        )
    return xmr(
        [float(value) for value in values if value is not None],
        [point.period for point in points],
        polarity=get_measure(measure_id).polarity,
        target=target,
        rebase_at=rebase_at,
        screen_outliers=screen_outliers,
        fix_after_n_points=fix_after_n_points,
    )


def measure_months(store: Store, measure: Measure, as_of: AsOf) -> list[str]:
    """Every month the measure's data covers."""
    if not measure.relation:
        return store.months(measure.table, as_of)

    def distinct_months() -> list[str]:
        result = store.query(
            f"SELECT DISTINCT month FROM {measure.from_sql} "
            "WHERE month IS NOT NULL ORDER BY month",
            as_of=as_of,
        )
        return [str(month) for month in result.column("month").to_pylist()]

    return store.cached(f"months:{measure.id}:{as_of}", distinct_months)


def _tally_series(
    store: Store,
    measure: Measure,
    area_code: str,
    months: list[str],
    by: Period,
    group: str | None,
    as_of: AsOf,
    ptable: PTable | None,
    whole_only: bool = False,
) -> list[SeriesPoint]:
    """A proportion or ratio measure (see ``proportions``)."""
    tallies = monthly_tallies(store, measure, area_code, group, as_of)
    if not tallies and not is_known(store, area_code):
        raise Refused(f"no data or geography is known for area {area_code!r}")
    groups: Sequence[str | None] = (
        sorted({g for _, g in tallies}, key=str) if group else [None]
    )
    if ptable is not None and group:
        groups, tallies = _classified(
            classification_of(store, measure, group, as_of), measure, group, tallies,
            lambda a, b: a + b,
        )  # fmt: skip
    points: list[SeriesPoint] = []
    for value in groups:
        monthly = [tallies.get((m, value), Tally()) for m in months]
        labels, periods, sizes = _aggregate_tallies(months, monthly, by)
        shown = [
            WITHHELD
            if whole_only and size < MONTHS_IN[by]
            else _published_estimate(measure, tally, ptable)
            if ptable
            else _exact_estimate(measure, tally)
            for tally, size in zip(periods, sizes, strict=True)
        ]
        signals: Sequence[str | None] = [None] * len(periods)
        values = [estimate.value for estimate in shown]
        if by != "rolling12" and len(values) >= 2 and None not in values:
            chart = xmr([float(v) for v in values if v is not None], labels,
                        polarity=measure.polarity)  # fmt: skip
            signals = [p.special_cause for p in chart.points]
        for label, estimate, signal, size in zip(
            labels, shown, signals, sizes, strict=True
        ):
            points.append(
                SeriesPoint(
                    measure=measure.id,
                    area_code=area_code,
                    period=label,
                    group=value,
                    value=estimate.value,
                    numerator=estimate.numerator,
                    denominator=estimate.denominator,
                    lower=estimate.lower,
                    upper=estimate.upper,
                    spc_signal=signal,
                    suppressed=estimate.withheld,
                    partial=size < MONTHS_IN[by],
                    months=size,
                )
            )
    return points


@dataclass(frozen=True)
class _Estimate:
    value: float | None
    lower: float | None
    upper: float | None
    numerator: float | None
    denominator: float | None
    withheld: bool = False


WITHHELD = _Estimate(None, None, None, None, None, withheld=True)


def _exact_estimate(measure: Measure, tally: Tally) -> _Estimate:
    value, low, high = _estimate(measure, tally)
    numerator, denominator = _parts(measure, tally)
    return _Estimate(value, low, high, numerator, denominator)


def _published_estimate(measure: Measure, tally: Tally, ptable: PTable) -> _Estimate:
    """One period as published: from perturbed counts of its own cells.

    * a share of records (offenders who re-offended, crimes flagged
      domestic): both counts perturbed, the share and its Wilson interval
      computed from them;
    * a ratio (re-offences per offender): the people and the total of
      re-offences each perturbed (the total as a count of its own, with the
      same records' cell key), the ratio of the two rounded to two places;
      never the true total over the perturbed people, which gave the total
      away as the one whole number that fits;
    * a weighted survey share (the survey rule): published only where the
      perturbed number of respondents reaches ``minimum_base``; the share
      rounded to a whole percentage point; its interval from the rounded
      share on the Kish effective size scaled to the perturbed base; no
      weighted counts.
    """
    if tally.rows == 0:
        return WITHHELD
    [rows, successes] = ptable.perturb(
        [tally.rows, tally.successes],
        ptable.cell_keys([tally.keys, tally.success_keys]),
    )
    if np.isnan(rows):
        return WITHHELD
    if measure.publication.method == "survey":
        if rows < measure.minimum_base:
            return WITHHELD
        share = round(100 * tally.weighted_successes / tally.weight) / 100
        size = tally.effective_size * rows / tally.rows
        low, high = wilson_interval(share, size)
        return _Estimate(
            100 * share, round(100 * low, 1), round(100 * high, 1), None, float(rows)
        )
    if measure.kind == "ratio":
        [amount] = ptable.perturb([round(tally.amount)], ptable.cell_keys([tally.keys]))
        if np.isnan(amount):
            return WITHHELD
        ratio, low, high = _published_ratio(measure, float(amount), float(rows))
        return _Estimate(ratio, low, high, float(amount), float(rows))
    if np.isnan(successes):
        return WITHHELD
    share, low, high = _published_ratio(measure, float(successes), float(rows))
    return _Estimate(share, low, high, float(successes), float(rows))


def _aggregate_tallies(
    months: list[str], monthly: list[Tally], by: Period
) -> tuple[list[str], list[Tally], list[int]]:
    """(labels, tallies, months of data in each period)."""
    labels, starts, sizes = _periods(months, by)
    sums = [
        sum(monthly[start : start + size], Tally())
        for start, size in zip(starts, sizes, strict=True)
    ]
    return labels, sums, sizes


def period_months(months: list[str], by: Period) -> dict[str, list[str]]:
    """{period label: the months of ``months`` it holds}."""
    labels, starts, sizes = _periods(months, by)
    return {
        label: months[start : start + size]
        for label, start, size in zip(labels, starts, sizes, strict=True)
    }


def _periods(months: list[str], by: Period) -> tuple[list[str], list[int], list[int]]:
    """Each period's label, the index of its first month and its months."""
    if by == "month":
        return list(months), list(range(len(months))), [1] * len(months)
    if by == "rolling12":
        ends = list(range(11, len(months)))
        return (
            [months[end] for end in ends],
            [end - 11 for end in ends],
            [12] * len(ends),
        )
    key = financial_quarter if by == "quarter" else financial_year
    labels: list[str] = []
    starts: list[int] = []
    sizes: list[int] = []
    for index, month in enumerate(months):
        label = key(month)
        if not labels or labels[-1] != label:
            labels.append(label)
            starts.append(index)
            sizes.append(0)
        sizes[-1] += 1
    return labels, starts, sizes


def _estimate(
    measure: Measure, tally: Tally
) -> tuple[float | None, float | None, float | None]:
    """(value, lower, upper) of one period."""
    if tally.rows == 0:
        return None, None, None
    if measure.kind == "proportion":
        share = tally.weighted_successes / tally.weight
        low, high = wilson_interval(share, tally.effective_size)
        return 100 * share, 100 * low, 100 * high
    [(low, high)] = poisson_intervals([round(tally.amount)])
    return tally.amount / tally.rows, low / tally.rows, high / tally.rows


def _parts(measure: Measure, tally: Tally) -> tuple[float, float]:
    """(numerator, denominator) as reported beside the value."""
    if measure.kind == "proportion":
        return tally.weighted_successes, tally.weight
    return tally.amount, float(tally.rows)


def _too_few_for_a_rolling_year(measure_id: str, months: list[str]) -> str:
    held = f"{len(months)} ({months[0]} to {months[-1]})" if months else "none"
    return (
        f"a rolling 12-month sum needs 12 months of {measure_id}; "
        f"the store has {held}: show it by month, quarter or year"
    )


def require_tables(store: Store, measure: Measure, as_of: AsOf) -> None:
    """Refuse a question about a measure whose tables are not loaded."""
    for table in (measure.table, *measure.also_needs):
        if not store.held(table, as_of):
            raise Refused(
                f"{measure.id} needs the {table} table: load {measure.source}"
            )


def lsoa_month_counts(
    store: Store, measure: Measure, group: str | None, as_of: AsOf
) -> pa.Table:
    """The measure's numerator by LSOA, month (and group), for the whole store.

    Kept until the next load: an area's series is then a filter and a sum in
    memory, not a scan of the Parquet files (bench/measures.py).
    """
    group_sql = group if group else "NULL::VARCHAR"
    keys = key_sum_sql(store, measure, as_of)

    def count() -> pa.Table:
        return store.query(
            f"SELECT lsoa_code, month, {group_sql} AS grp, count(*) AS n, "
            # The sum of the records' keys: a cell's key is the sum over its
            # LSOAs and months, so any area and period can be perturbed.
            f"{keys} AS keys "
            f"FROM {measure.from_sql} WHERE ({measure.where}) "
            "AND lsoa_code IS NOT NULL "
            "GROUP BY ALL",
            as_of=as_of,
        )

    return store.cached(f"counts:{measure.id}:{group}:{as_of}", count)


def _monthly_counts(
    store: Store, measure: Measure, lsoas: list[str], group: str | None, as_of: AsOf
) -> dict[tuple[str, str | None], tuple[int, int]]:
    """{(month, group): (count, sum of record keys)} inside the LSOAs."""
    counts = lsoa_month_counts(store, measure, group, as_of)
    inside = counts.filter(pc.is_in(counts.column("lsoa_code"), pa.array(lsoas)))
    rows = (
        inside.group_by(["month", "grp"])
        .aggregate([("n", "sum"), ("keys", "sum")])
        .to_pylist()
    )
    return {
        (str(r["month"]), None if r["grp"] is None else str(r["grp"])): (
            int(r["n_sum"]),
            int(r["keys_sum"]),
        )
        for r in rows
    }


def _points(
    measure: Measure,
    area_code: str,
    group: str | None,
    months: list[str],
    cells: list[tuple[int, int]],
    by: Period,
    population: dict[int, float],
    ptable: PTable | None,
    whole_only: bool = False,
) -> list[SeriesPoint]:
    """Each period's point from its months' (count, key sum) cells; with
    ``whole_only``, a period the data covers in part is withheld."""
    labels, starts, sizes = _periods(months, by)
    spans = list(zip(starts, sizes, strict=True))
    counts = np.array([sum(c for c, _ in cells[s : s + n]) for s, n in spans])
    keys = np.array([sum(k for _, k in cells[s : s + n]) for s, n in spans])
    shown = (
        ptable.perturb(counts, ptable.cell_keys(keys))
        if ptable
        else counts.astype(np.float64)
    )
    if whole_only:
        shown[np.array(sizes) < MONTHS_IN[by]] = np.nan
    withheld = np.isnan(shown)
    intervals = poisson_intervals(np.where(withheld, 0, shown).astype(np.int64))
    rows = []
    for label, count, start, hidden, (low, high) in zip(
        labels, shown, starts, withheld, intervals, strict=True
    ):
        used = residents_for(population, months[start]) if measure.denominator else None
        residents = used.residents if used else None
        scale = PER / residents if residents else 1.0
        known = not hidden and (residents or not measure.denominator)
        value = float(count) * scale if known else None
        numerator = None if hidden else float(count)
        note = used.note if used and value is not None else ""
        rows.append(
            (label, numerator, residents, value, low * scale, high * scale, note)
        )
    signals: Sequence[str | None] = [None] * len(rows)
    plotted = [row[3] for row in rows if row[3] is not None]
    if by != "rolling12" and len(plotted) == len(rows) >= 2:
        chart = xmr(plotted, labels, polarity=measure.polarity)
        signals = [p.special_cause for p in chart.points]
    return [
        SeriesPoint(
            measure=measure.id,
            area_code=area_code,
            period=label,
            group=group,
            value=value,
            numerator=numerator,
            denominator=residents,
            lower=low if value is not None else None,
            upper=high if value is not None else None,
            spc_signal=signal,
            suppressed=bool(hidden),
            partial=size < MONTHS_IN[by],
            months=size,
            note=note,
        )
        for (
            label,
            numerator,
            residents,
            value,
            low,
            high,
            note,
        ), signal, hidden, size in zip(rows, signals, withheld, sizes, strict=True)
    ]


def poisson_intervals(
    counts: Sequence[int] | np.ndarray, confidence: float = 0.95
) -> list[tuple[float, float]]:
    """Exact (Garwood) intervals for Poisson counts, computed together."""
    tail = (1 - confidence) / 2
    values = np.asarray(counts, dtype=float)
    # chi2.ppf(q, 2k) / 2 is gammaincinv(k, q): the same number, without
    # scipy.stats' per-call overhead.
    with np.errstate(invalid="ignore"):
        low = np.where(values > 0, special.gammaincinv(values, tail), 0.0)
    high = special.gammaincinv(values + 1, 1 - tail)
    return [(float(a), float(b)) for a, b in zip(low, high, strict=True)]


def _force_series(
    store: Store,
    measure: Measure,
    force: str,
    months: list[str],
    by: Period,
    group: str | None,
    as_of: AsOf,
) -> list[SeriesPoint]:
    """A count of a force's records (``force_level``): open data, exact."""
    counts = force_level.force_month_counts(store, measure, force, group, as_of)
    groups: Sequence[str | None] = (
        sorted({g for _, g in counts}, key=str) if group else [None]
    )
    points: list[SeriesPoint] = []
    for value in groups:
        cells = [counts.get((m, value), (0, 0)) for m in months]
        points += _points(measure, force, value, months, cells, by, {}, None)
    return points
