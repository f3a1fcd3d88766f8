"""Measures counted for a whole police force only: their records carry the
force, not a place (police.uk stop and search: many searches have no
location, and none has an LSOA). Their relation gives each record's force as
``area_code`` (police.uk's name for it: ``city-of-london``), and an area is
asked for by that name; any other area is refused in words."""

from __future__ import annotations

from saferplaces.analytics.measures import forces
from saferplaces.analytics.measures.registry import Measure
from saferplaces.analytics.refusals import Refused
from saferplaces.analytics.store import AsOf, Store


def forces_loaded(store: Store, measure: Measure, as_of: AsOf) -> list[str]:
    """The forces the measure's records come from, by police.uk name."""
    return sorted(forces.forces_loaded(store, measure.table, as_of))


def force_months(
    store: Store, measure: Measure, force: str, months: list[str], as_of: AsOf
) -> list[str]:
    """Those of ``months`` the force's files cover (another force's months are
    no data for this one, not zeros); refused, naming the forces loaded, if
    the force has no records."""
    rows = store.query(
        f"SELECT DISTINCT month FROM {measure.from_sql} WHERE area_code = ?",
        [force],
        as_of=as_of,
    ).to_pylist()
    covered = {str(row["month"]) for row in rows}
    if not covered:
        loaded = ", ".join(forces_loaded(store, measure, as_of)) or "none"
        raise Refused(
            f"{measure.title} is counted for a whole police force only (many "
            f"records have no location): {force!r} is not a force with records "
            f"loaded. Forces loaded: {loaded}."
        )
    return [month for month in months if month in covered]


def force_month_counts(
    store: Store, measure: Measure, force: str, group: str | None, as_of: AsOf
) -> dict[tuple[str, str | None], tuple[int, int]]:
    """{(month, group): (count, sum of record keys)} of the force's records."""
    # No record keys: only open data is counted at force level (published
    # exactly), so no count here is ever perturbed.
    return forces.monthly_cells(
        store,
        f"{measure.from_sql} WHERE ({measure.where}) AND area_code = ?",
        force,
        group,
        "0",
        as_of,
    )
