"""A measure for one area over time: counts, rates, intervals, SPC signals.

Periods: calendar months (``2024-05``), financial quarters (``2024/25 Q1``,
April to June), financial years (``2024/25``, April to March, as
partnerships report), and rolling 12 months ending each month. Counts have
exact Poisson 95% intervals; rates divide them by the area's population.
SPC signals (``saferplaces.analytics.spc``) are given for months, quarters
and years; a rolling sum overlaps itself, so it gets none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy import special

from saferplaces.analytics.geography import is_known, lsoas_in
from saferplaces.analytics.measures.proportions import (
    Tally,
    monthly_tallies,
    wilson_interval,
)
from saferplaces.analytics.measures.registry import Measure, get_measure
from saferplaces.analytics.spc import XmRChart, xmr
from saferplaces.analytics.store import AsOf, Store, StoreError

Period = Literal["month", "quarter", "year", "rolling12"]
PERIODS: tuple[Period, ...] = ("month", "quarter", "year", "rolling12")
PER = 1000  # rates per 1,000 residents


@dataclass(frozen=True)
class SeriesPoint:
    measure: str
    area_code: str
    period: str
    group: str | None
    value: float | None
    # Crimes counted; weighted positive answers; re-offences.
    numerator: float
    # Residents; weighted respondents; offenders (re-offenders).
    denominator: float | None
    lower: float | None
    upper: float | None
    spc_signal: str | None
    suppressed: bool


def financial_year(month: str) -> str:
    """'2024-03' -> '2023/24'; '2024-04' -> '2024/25'."""
    year, number = int(month[:4]), int(month[5:7])
    start = year if number >= 4 else year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def financial_quarter(month: str) -> str:
    """'2024-04' -> '2024/25 Q1'; '2025-01' -> '2024/25 Q4'."""
    number = int(month[5:7])
    quarter = (number - 4) % 12 // 3 + 1
    return f"{financial_year(month)} Q{quarter}"


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
) -> list[SeriesPoint]:
    """The measure for ``area_code`` by period (and by ``group`` if given)."""
    measure = get_measure(measure_id)
    if by not in PERIODS:
        raise ValueError(f"by must be one of {', '.join(PERIODS)}")
    if group is not None and group not in measure.groups:
        offered = ", ".join(measure.groups) or "none"
        raise ValueError(
            f"{measure.id} cannot be broken down by {group!r} (offers: {offered})"
        )
    for table in (measure.table, *measure.also_needs):
        if table not in store.tables():
            raise StoreError(
                f"{measure.id} needs the {table} table: load {measure.source}"
            )
    months = [
        m
        for m in measure_months(store, measure, as_of)
        if (first is None or m >= first) and (last is None or m <= last)
    ]
    if measure.kind != "count":
        return _tally_series(store, measure, area_code, months, by, group, as_of)
    lsoas = lsoas_in(store, area_code)
    if not lsoas:
        raise StoreError(f"no LSOAs are known for area {area_code!r}")
    counts = _monthly_counts(store, measure, lsoas, group, as_of)
    population = population_by_year(store, lsoas, as_of) if measure.denominator else {}
    groups = sorted({g for _, g in counts}, key=str) if group else [None]
    points: list[SeriesPoint] = []
    for value in groups:
        monthly = [counts.get((m, value), 0) for m in months]
        points += _points(measure, area_code, value, months, monthly, by, population)
    return points


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
) -> XmRChart:
    """The measure's XmR chart for an area: limits, signals, icons, with an
    optional target (for the assurance icon) and rebasing (e.g. where an
    intervention started)."""
    if by == "rolling12":
        raise ValueError(
            "a rolling sum overlaps itself: chart by month, quarter or year"
        )
    points = measure_series(
        store, measure_id, area_code, by=by, first=first, last=last, as_of=as_of
    )
    values = [point.value for point in points]
    if len(values) < 2 or any(value is None for value in values):
        raise StoreError(f"{measure_id} has too few periods with data to chart")
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
) -> list[SeriesPoint]:
    """A proportion or ratio measure (see ``proportions``)."""
    tallies = monthly_tallies(store, measure, area_code, group, as_of)
    if not tallies and not is_known(store, area_code):
        raise StoreError(f"no data or geography is known for area {area_code!r}")
    groups = sorted({g for _, g in tallies}, key=str) if group else [None]
    points: list[SeriesPoint] = []
    for value in groups:
        monthly = [tallies.get((m, value), Tally()) for m in months]
        labels, periods = _aggregate_tallies(months, monthly, by)
        estimates = [_estimate(measure, tally) for tally in periods]
        signals: Sequence[str | None] = [None] * len(periods)
        values = [e[0] for e in estimates]
        if by != "rolling12" and len(values) >= 2 and None not in values:
            chart = xmr([float(v) for v in values if v is not None], labels,
                        polarity=measure.polarity)  # fmt: skip
            signals = [p.special_cause for p in chart.points]
        for label, tally, (estimate, low, high), signal in zip(
            labels, periods, estimates, signals, strict=True
        ):
            numerator, denominator = _parts(measure, tally)
            points.append(
                SeriesPoint(
                    measure=measure.id,
                    area_code=area_code,
                    period=label,
                    group=value,
                    value=estimate,
                    numerator=numerator,
                    denominator=denominator,
                    lower=low,
                    upper=high,
                    spc_signal=signal,
                    suppressed=tally.rows < measure.suppress_below,
                )
            )
    return points


def _aggregate_tallies(
    months: list[str], monthly: list[Tally], by: Period
) -> tuple[list[str], list[Tally]]:
    if by == "month":
        return list(months), list(monthly)
    if by == "rolling12":
        labels, sums = [], []
        for end in range(11, len(months)):
            labels.append(months[end])
            sums.append(sum(monthly[end - 11 : end + 1], Tally()))
        return labels, sums
    key = financial_quarter if by == "quarter" else financial_year
    labels, sums = [], []
    for month, tally in zip(months, monthly, strict=True):
        label = key(month)
        if not labels or labels[-1] != label:
            labels.append(label)
            sums.append(Tally())
        sums[-1] = sums[-1] + tally
    return labels, sums


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


def lsoa_month_counts(
    store: Store, measure: Measure, group: str | None, as_of: AsOf
) -> pa.Table:
    """The measure's numerator by LSOA, month (and group), for the whole store.

    Kept until the next load: an area's series is then a filter and a sum in
    memory, not a scan of the Parquet files (bench/measures.py).
    """
    group_sql = group if group else "NULL::VARCHAR"

    def count() -> pa.Table:
        return store.query(
            f"SELECT lsoa_code, month, {group_sql} AS grp, count(*) AS n "
            f"FROM {measure.from_sql} WHERE ({measure.where}) "
            "AND lsoa_code IS NOT NULL "
            "GROUP BY ALL",
            as_of=as_of,
        )

    return store.cached(f"counts:{measure.id}:{group}:{as_of}", count)


def _monthly_counts(
    store: Store, measure: Measure, lsoas: list[str], group: str | None, as_of: AsOf
) -> dict[tuple[str, str | None], int]:
    counts = lsoa_month_counts(store, measure, group, as_of)
    inside = counts.filter(pc.is_in(counts.column("lsoa_code"), pa.array(lsoas)))
    rows = inside.group_by(["month", "grp"]).aggregate([("n", "sum")]).to_pylist()
    return {
        (str(r["month"]), None if r["grp"] is None else str(r["grp"])): int(r["n_sum"])
        for r in rows
    }


def population_by_year(store: Store, lsoas: list[str], as_of: AsOf) -> dict[int, float]:
    if "population" not in store.tables():
        raise StoreError("a rate needs population: saferplaces ingest population")
    rows = store.query(
        "SELECT year, sum(population) AS residents FROM population "
        "WHERE age_band = 'all' AND sex = 'all' "
        "AND area_code IN (SELECT unnest(?::VARCHAR[])) GROUP BY year",
        [lsoas],
        as_of=as_of,
    ).to_pylist()
    return {int(r["year"]): float(r["residents"]) for r in rows}


def residents_in_year(population: dict[int, float], year: int) -> float | None:
    """That year's population, else the nearest earlier one, else the earliest."""
    if not population:
        return None
    earlier = [y for y in population if y <= year]
    return population[max(earlier) if earlier else min(population)]


def _points(
    measure: Measure,
    area_code: str,
    group: str | None,
    months: list[str],
    monthly: list[int],
    by: Period,
    population: dict[int, float],
) -> list[SeriesPoint]:
    labels, counts, starts = _aggregate(months, monthly, by)
    values: list[float | None] = []
    rows = []
    intervals = poisson_intervals(counts)
    for label, count, start, (low, high) in zip(
        labels, counts, starts, intervals, strict=True
    ):
        residents = (
            residents_in_year(population, int(start[:4]))
            if measure.denominator
            else None
        )
        scale = PER / residents if residents else 1.0
        value = count * scale if (residents or not measure.denominator) else None
        values.append(value)
        rows.append((label, count, residents, value, low * scale, high * scale))
    signals: Sequence[str | None] = [None] * len(rows)
    plotted = [v for v in values if v is not None]
    if by != "rolling12" and len(plotted) == len(values) and len(values) >= 2:
        chart = xmr(plotted, labels, polarity=measure.polarity)
        signals = [p.special_cause for p in chart.points]
    return [
        SeriesPoint(
            measure=measure.id,
            area_code=area_code,
            period=label,
            group=group,
            value=value,
            numerator=count,
            denominator=residents,
            lower=low if value is not None else None,
            upper=high if value is not None else None,
            spc_signal=signal,
            suppressed=count < measure.suppress_below,
        )
        for (label, count, residents, value, low, high), signal in zip(
            rows, signals, strict=True
        )
    ]


def _aggregate(
    months: list[str], monthly: list[int], by: Period
) -> tuple[list[str], list[int], list[str]]:
    """(labels, counts, first month of each period)."""
    if by == "month":
        return list(months), list(monthly), list(months)
    if by == "rolling12":
        labels, counts, starts = [], [], []
        for end in range(11, len(months)):
            labels.append(months[end])
            counts.append(sum(monthly[end - 11 : end + 1]))
            starts.append(months[end - 11])
        return labels, counts, starts
    key = financial_quarter if by == "quarter" else financial_year
    labels, counts, starts = [], [], []
    for month, count in zip(months, monthly, strict=True):
        label = key(month)
        if not labels or labels[-1] != label:
            labels.append(label)
            counts.append(0)
            starts.append(month)
        counts[-1] += count
    return labels, counts, starts


def poisson_intervals(
    counts: Sequence[int], confidence: float = 0.95
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
