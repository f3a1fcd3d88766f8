"""The sum of record keys beside every count (cell key perturbation)."""

from __future__ import annotations

from saferplaces.analytics.measures.registry import Measure
from saferplaces.analytics.store import AsOf, Store


def key_sum_sql(store: Store, measure: Measure, as_of: AsOf, success: str = "1") -> str:
    """SQL summing the record keys of the measure's rows (0 where the table
    was loaded before keys were kept: the public is then refused)."""
    if "record_key" not in store.columns(measure.table, as_of):
        return "0::BIGINT"
    return f"coalesce(sum(record_key * {success}), 0)::BIGINT"
