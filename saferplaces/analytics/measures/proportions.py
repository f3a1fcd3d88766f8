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

from saferplaces.analytics.geography import codes_within
from saferplaces.analytics.measures.keys import key_sum_sql
from saferplaces.analytics.measures.registry import Measure
from saferplaces.analytics.store import AsOf, Store

Z95 = 1.959963984540054


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
    """{(month, group value): Tally} for everyone in the area."""
    success = f"({measure.success})::INTEGER" if measure.success else "0"
    amount = measure.amount or "0"
    group_sql = group if group else "NULL::VARCHAR"
    rows = store.query(
        f"SELECT month, {group_sql} AS grp, count(*) AS n, "
        f"sum({measure.weight}) AS w, sum({measure.weight} * {success}) AS ws, "
        f"sum({measure.weight} * {measure.weight}) AS w2, sum({amount}) AS a, "
        f"sum({success})::BIGINT AS s, {key_sum_sql(store, measure, as_of)} AS k, "
        f"{key_sum_sql(store, measure, as_of, success)} AS sk "
        f"FROM {measure.from_sql} WHERE ({measure.where}) "
        "AND list_contains(?::VARCHAR[], area_code) GROUP BY ALL",
        [codes_within(store, area_code)],
        as_of=as_of,
    ).to_pylist()
    return {
        (str(r["month"]), None if r["grp"] is None else str(r["grp"])): Tally(
            int(r["n"]),
            float(r["w"]),
            float(r["ws"]),
            float(r["w2"]),
            float(r["a"]),
            int(r["s"]),
            int(r["k"]),
            int(r["sk"]),
        )
        for r in rows
    }
