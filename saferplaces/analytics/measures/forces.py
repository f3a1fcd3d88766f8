"""Police forces as areas: a force's total is every row of its files.

police.uk publishes each force's rows with the force in "Falls within",
including crimes it could not place on a map (no location, no LSOA) and
crimes it snapped to a point in a neighbouring authority's LSOA. Counting a
force by its LSOAs would drop both, so an area that is a force counts by
the force column instead (issue 29): its police.uk slug as an area code
(``city-of-london``), or an area of level ``force`` whose name is the
force's ("City of London Police", or ONS's "London, City of").
"""

from __future__ import annotations

from saferplaces.analytics import geography
from saferplaces.analytics.measures.keys import key_sum_sql
from saferplaces.analytics.measures.registry import Measure
from saferplaces.analytics.store import AsOf, Store
from saferplaces.codes import force_slug, level_of_code

# Every row of these tables names the force whose file it came from.
FORCE_COLUMN = "force"
# Quoted in SQL: FORCE is a keyword to SQLGlot, which hands queries to Spark.
FORCE_SQL = f'"{FORCE_COLUMN}"'
FORCE_LEVEL = "force"


def counts_by_force(store: Store, measure: Measure, as_of: AsOf) -> bool:
    """True if the measure's rows say which force published them."""
    return not measure.relation and FORCE_COLUMN in store.columns(measure.table, as_of)


def forces_loaded(store: Store, table: str, as_of: AsOf) -> frozenset[str]:
    """The slugs of the forces whose rows ``table`` holds."""
    if not store.held(table, as_of):
        return frozenset()

    def distinct() -> frozenset[str]:
        result = store.query(
            f"SELECT DISTINCT {FORCE_SQL} AS {FORCE_SQL} FROM {table}", as_of=as_of
        )
        return frozenset(str(f) for f in result.column("force").to_pylist() if f)

    return store.cached(f"forces:{table}:{as_of}", distinct)


def force_of(store: Store, measure: Measure, area_code: str, as_of: AsOf) -> str | None:
    """The force ``area_code`` stands for, if it is one, for a measure whose
    rows name their force; else None (the area is counted by its LSOAs)."""
    if not counts_by_force(store, measure, as_of):
        return None
    if area_code in forces_loaded(store, measure.table, as_of):
        return area_code
    if level_of_code(area_code) is not None:
        return None  # an LSOA, ward, authority...: its code says it is no force
    here = geography.area(store, area_code)
    return force_slug(here.name) if here.level == FORCE_LEVEL else None


def force_month_counts(
    store: Store, measure: Measure, force: str, group: str | None, as_of: AsOf
) -> dict[tuple[str, str | None], tuple[int, int]]:
    """{(month, group): (count, sum of record keys)} of every row of the
    force's files, located or not."""
    return monthly_cells(
        store,
        f"{measure.table} WHERE ({measure.where}) AND {FORCE_SQL} = ?",
        force,
        group,
        key_sum_sql(store, measure, as_of),
        as_of,
    )


def monthly_cells(
    store: Store,
    rows_sql: str,
    force: str,
    group: str | None,
    keys_sql: str,
    as_of: AsOf,
) -> dict[tuple[str, str | None], tuple[int, int]]:
    """{(month, group): (count, sum of record keys)} of ``rows_sql`` (a
    relation and its WHERE clause, with one parameter: the force)."""
    group_sql = group if group else "NULL::VARCHAR"
    rows = store.query(
        f"SELECT month, {group_sql} AS grp, count(*) AS n, {keys_sql} AS keys "
        f"FROM {rows_sql} GROUP BY ALL",
        [force],
        as_of=as_of,
    ).to_pylist()
    return {
        (str(r["month"]), None if r["grp"] is None else str(r["grp"])): (
            int(r["n"]),
            int(r["keys"]),
        )
        for r in rows
    }
