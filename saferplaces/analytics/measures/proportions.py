"""Proportions and ratios over respondents or offenders, by area and period.

A survey share is weighted: with weights w and successes s,

    p = sum(w * s) / sum(w),   n_eff = sum(w) ** 2 / sum(w ** 2)   (Kish)

and its 95% interval is Wilson's score interval with n_eff in place of n,
which keeps the interval inside 0-100% and widens it as unequal weights
cost precision. An unweighted share (offenders who re-offended) is the same
with every weight 1, where n_eff is the number of offenders.

A ratio (re-offences per offender) is a total over a number of people; its
interval is the exact Poisson interval of the total, divided by the people.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from saferplaces.analytics.geography import codes_within
from saferplaces.analytics.measures.keys import key_sum_sql
from saferplaces.analytics.measures.registry import Measure
from saferplaces.analytics.store import AsOf, Store

Z95 = 1.959963984540054
# Weights are summed in millionths (``micro``).
WEIGHT_UNITS = 1_000_000


@dataclass(frozen=True)
class Tally:
    """One period's sums for one area (and group)."""

    rows: int = 0
    weight: float = 0.0
    weighted_successes: float = 0.0
    weight_squared: float = 0.0
    amount: float = 0.0
    # Unweighted successes, and the sums of the record keys of all rows and
    # of the successful ones (the cells' keys, for publication).
    successes: int = 0
    keys: int = 0
    success_keys: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.rows + other.rows,
            self.weight + other.weight,
            self.weighted_successes + other.weighted_successes,
            self.weight_squared + other.weight_squared,
            self.amount + other.amount,
            self.successes + other.successes,
            self.keys + other.keys,
            self.success_keys + other.success_keys,
        )

    @property
    def effective_size(self) -> float:
        """Kish's effective sample size."""
        return self.weight**2 / self.weight_squared if self.weight_squared else 0.0


def wilson_interval(share: float, size: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion (0-1) from ``size`` observations."""
    if size <= 0:
        return (0.0, 1.0)
    z2 = z * z
    centre = (share + z2 / (2 * size)) / (1 + z2 / size)
    half = (z * math.sqrt(share * (1 - share) / size + z2 / (4 * size * size))) / (
        1 + z2 / size
    )
    return (max(0.0, centre - half), min(1.0, centre + half))


def monthly_tallies(
    store: Store,
    measure: Measure,
    area_code: str,
    group: str | None,
    as_of: AsOf,
) -> dict[tuple[str, str | None], Tally]:
    """{(month, group value): Tally} for everyone in the area (kept until
    the next load: a page asks for the same area by month, year and more)."""
    return store.cached(
        f"monthly-tallies:{measure.id}:{group}:{area_code}:{as_of}",
        lambda: _sum_monthly_tallies(store, measure, area_code, group, as_of),
    )


def _sum_monthly_tallies(
    store: Store,
    measure: Measure,
    area_code: str,
    group: str | None,
    as_of: AsOf,
) -> dict[tuple[str, str | None], Tally]:
    sums = area_month_sums(store, measure, group, as_of)
    inside = sums.filter(
        pc.is_in(sums.column("area_code"), pa.array(codes_within(store, area_code)))
    )
    columns = ["n", "w", "ws", "w2", "a", "s", "k", "sk"]
    rows = (
        inside.group_by(["month", "grp"])
        .aggregate([(column, "sum") for column in columns])
        .to_pylist()
    )
    return {
        (str(r["month"]), None if r["grp"] is None else str(r["grp"])): Tally(
            int(r["n_sum"]),
            int(r["w_sum"]) / WEIGHT_UNITS,
            int(r["ws_sum"]) / WEIGHT_UNITS,
            int(r["w2_sum"]) / WEIGHT_UNITS,
            float(r["a_sum"]),
            int(r["s_sum"]),
            int(r["k_sum"]),
            int(r["sk_sum"]),
        )
        for r in rows
    }


def micro(weight_sql: str) -> str:
    """A weight in whole millionths: sums of whole numbers come out the same
    in any order, so both engines (and any partitioning) agree to the bit."""
    return f"round(({weight_sql}) * {WEIGHT_UNITS})::BIGINT"


def area_month_sums(
    store: Store, measure: Measure, group: str | None, as_of: AsOf
) -> pa.Table:
    """The measure's sums by the code records carry, month (and group), for
    the whole store; kept until the next load, so an area is a filter and a
    sum in memory and every area of a batch costs no scan."""
    success = f"({measure.success})::INTEGER" if measure.success else "0"
    amount = measure.amount or "0"
    group_sql = group if group else "NULL::VARCHAR"

    def tally() -> pa.Table:
        return store.query(
            f"SELECT area_code, month, {group_sql} AS grp, count(*) AS n, "
            f"sum({micro(measure.weight)})::BIGINT AS w, "
            f"sum({micro(measure.weight)} * {success})::BIGINT AS ws, "
            f"sum({micro(f'{measure.weight} * {measure.weight}')})::BIGINT AS w2, "
            f"sum({amount})::DOUBLE AS a, sum({success})::BIGINT AS s, "
            f"{key_sum_sql(store, measure, as_of)} AS k, "
            f"{key_sum_sql(store, measure, as_of, success)} AS sk "
            f"FROM {measure.from_sql} WHERE ({measure.where}) "
            "AND area_code IS NOT NULL GROUP BY ALL",
            as_of=as_of,
        )

    return store.cached(f"tallies:{measure.id}:{group}:{as_of}", tally)
