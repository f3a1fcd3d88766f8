"""Every measure for every area and period, written as a Delta table.

For publication or a BI tool (Power BI, Tableau, a Databricks dashboard):
one row per measure, area, period grouping, period and breakdown value, as
partners or as the public see it, on either engine (``saferplaces measure
batch``). Each run replaces the table's contents in one new Delta version,
so the table's history keeps earlier runs, and every row says which
versions of the store's tables it was computed from.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
from deltalake import CommitProperties, write_deltalake

from saferplaces.analytics import geography, results
from saferplaces.analytics.measures.registry import REGISTRY
from saferplaces.analytics.measures.series import PERIODS, Period
from saferplaces.analytics.store import Store, StoreError

RESULTS_SCHEMA = pa.schema(
    [
        ("measure", pa.string()),
        ("level", pa.string()),
        ("area_code", pa.string()),
        ("area_name", pa.string()),
        ("by", pa.string()),
        ("period", pa.string()),
        ("partial", pa.bool_()),
        ("months", pa.int32()),
        # The breakdown field (e.g. victim_sex) and this row's value of it.
        ("breakdown", pa.string()),
        ("group", pa.string()),
        ("value", pa.float64()),
        ("numerator", pa.float64()),
        ("denominator", pa.float64()),
        ("lower", pa.float64()),
        ("upper", pa.float64()),
        ("signal", pa.string()),
        ("withheld", pa.bool_()),
        ("treatment", pa.string()),
        ("audience", pa.string()),
    ]
)


@dataclass
class BatchReport:
    rows: int = 0
    series: int = 0
    # Measure -> why it was left out (its data is not loaded).
    skipped: dict[str, str] = field(default_factory=dict)
    # Series the audience may not see (e.g. a public breakdown of a ward).
    refused: int = 0


def levels_in(store: Store) -> list[str]:
    """The area levels the store's geography holds, smallest first."""
    if "geography" not in store.tables():
        return []
    rows = store.query(
        "SELECT level, count(DISTINCT code) AS areas FROM geography "
        "WHERE level IS NOT NULL GROUP BY level"
    ).to_pylist()
    return [r["level"] for r in sorted(rows, key=lambda r: (-r["areas"], r["level"]))]


def areas_to_compute(
    store: Store, levels: Iterable[str], within: str | None
) -> list[geography.Area]:
    """Every area of those levels (inside ``within`` when given)."""
    parent = set(geography.lsoas_in(store, within)) if within else None
    if parent is not None and not parent:
        raise StoreError(f"no LSOAs are known for area {within!r}")
    chosen = []
    for level in levels:
        every = geography.areas_of_level(store, level)
        if parent is None:
            chosen += every
            continue
        inside = geography.areas_inside(store, level, parent)
        chosen += [area for area in every if area.code in inside]
    return chosen


def compute_results(
    store: Store,
    *,
    measures: Iterable[str] | None = None,
    levels: Iterable[str] | None = None,
    periods: Iterable[Period] = PERIODS,
    within: str | None = None,
    audience: results.Audience = "partner",
    rules: results.Rules = results.DEFAULT_RULES,
    progress: Callable[[str], None] | None = None,
) -> tuple[pa.Table, BatchReport]:
    """Every measure's series for every area, period grouping and breakdown."""
    report = BatchReport()
    areas = areas_to_compute(store, levels or levels_in(store), within)
    columns: dict[str, list[object]] = {name: [] for name in RESULTS_SCHEMA.names}
    for measure_id in measures or sorted(REGISTRY):
        measure = results.measure(measure_id)
        tables = (measure.table, *measure.also_needs)
        missing = ", ".join(t for t in tables if t not in store.tables())
        if missing:
            report.skipped[measure_id] = f"needs {missing}: load {measure.source}"
            continue
        if progress:
            progress(measure_id)
        for area, breakdown, by in itertools.product(
            areas, (None, *measure.groups), periods
        ):
            try:
                answer = results.series(
                    store, measure_id, area.code, by=by, group=breakdown,
                    audience=audience, rules=rules,
                )  # fmt: skip
            except results.ResultError:
                report.refused += 1
                continue
            report.series += 1
            extra = {"level": area.level, "by": by, "breakdown": breakdown,
                     "audience": audience}  # fmt: skip
            for row in answer.rows:
                values = row.as_dict() | extra
                for name in RESULTS_SCHEMA.names:
                    columns[name].append(values[name])
    table = pa.table(columns, schema=RESULTS_SCHEMA)
    report.rows = table.num_rows
    return table, report


def write_results(
    store: Store, table: pa.Table, destination: str | Path, engine: str
) -> int:
    """Replace the results table's contents in one Delta commit; returns
    its version. The commit records the store's table versions it read."""
    where = str(destination)
    provenance = {
        "saferplaces_results": json.dumps(
            {
                "engine": engine,
                "produced_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "store": str(store.root),
                "store_versions": store.table_versions(),
            }
        )
    }
    write_deltalake(
        where,
        table,
        mode="overwrite",
        schema_mode="overwrite",
        partition_by=["measure"],
        commit_properties=CommitProperties(custom_metadata=provenance),
    )
    from deltalake import DeltaTable

    return DeltaTable(where).version()
