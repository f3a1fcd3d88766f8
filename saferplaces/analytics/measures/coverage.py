"""Which force's files cover an area, month by month, and what an area
smaller than a force cannot count (issue 29).

police.uk publishes one file per force and month. An area is covered in a
month when the files of every force whose area it lies in are loaded for
that month; with none of them loaded it has *no data* (not zero), and
with only another force's rows falling in it (police.uk snaps points
across force boundaries) it is *partial*. Which force an area lies in
comes from ONS's "Local Authority District to Community Safety Partnership
to Police Force Area" lookup, loaded as geography (``PFA23CD``/``PFA23NM``
columns give areas of level ``force``, parents of the local authorities);
the force's name becomes its police.uk slug by ``codes.force_slug``.
Without that lookup the forces of an area cannot be known: a month counts
when a loaded file places rows in the area's local authority (every
council has crime every month, so one no file reaches is one whose force's
files are not loaded: no data), and the answer says so.

A smaller area counts the rows police.uk placed in its LSOAs, so the rows
of its forces with no location, or placed outside the force's own LSOAs,
are in the force's total and in no smaller area's: ``uncounted`` says how
many.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc

from saferplaces.analytics import geography
from saferplaces.analytics.measures.forces import (
    FORCE_LEVEL,
    FORCE_SQL,
    counts_by_force,
    force_of,
)
from saferplaces.analytics.measures.registry import Measure
from saferplaces.analytics.store import AsOf, Store
from saferplaces.codes import force_slug

State = Literal["full", "partial", "none"]


@dataclass(frozen=True)
class MonthCoverage:
    """Whose rows an area's figure for one month holds."""

    month: str
    state: State
    # Names of the forces whose rows are counted ("City of London Police").
    counted: tuple[str, ...] = ()
    # Names of the area's forces whose files are not loaded for the month.
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Coverage:
    area_code: str
    # True when a police force area lookup (or the area itself being a
    # force) says which forces cover the area.
    known: bool
    months: dict[str, MonthCoverage]

    def of(self, months: list[str]) -> MonthCoverage:
        """The coverage of a period made of ``months``: none if no month
        has data, partial if any month lacks some of it."""
        each = [self.months[m] for m in months if m in self.months]
        if not each or all(c.state == "none" for c in each):
            missing = sorted({name for c in each for name in c.missing})
            return MonthCoverage(
                months[-1] if months else "", "none", (), tuple(missing)
            )
        counted = sorted({name for c in each for name in c.counted})
        missing = sorted({name for c in each for name in c.missing})
        state: State = "full" if all(c.state == "full" for c in each) else "partial"
        return MonthCoverage(months[-1], state, tuple(counted), tuple(missing))


@dataclass(frozen=True)
class Uncounted:
    """Rows of an area's forces that no area smaller than a force counts."""

    forces: tuple[str, ...]
    first: str
    last: str
    no_location: int
    # Placed in LSOAs outside the force's own (None: the force's LSOAs are
    # not known, no police force area lookup being loaded).
    elsewhere: int | None


def lsoa_forces(store: Store, as_of: AsOf = None) -> dict[str, str]:
    """{LSOA: the police.uk slug of the force whose area it lies in}, from
    a loaded police force area lookup ({} when none is loaded)."""
    if not store.held("geography", as_of):
        return {}

    def index() -> dict[str, str]:
        rows = store.query(
            f"""
            WITH lsoa AS (SELECT DISTINCT code, unnest(parents) AS la
                          FROM geography WHERE level = 'lsoa'),
                 la AS (SELECT DISTINCT code AS la, unnest(parents) AS pfa
                        FROM geography WHERE level = 'local_authority'),
                 pfa AS (SELECT DISTINCT code AS pfa, name
                         FROM geography WHERE level = '{FORCE_LEVEL}'
                         AND vintage <> 'partnership' AND name IS NOT NULL)
            SELECT DISTINCT lsoa.code AS lsoa, pfa.name AS name
            FROM lsoa JOIN la USING (la) JOIN pfa USING (pfa)
            """,
            as_of=as_of,
        ).to_pylist()
        found = {str(r["lsoa"]): force_slug(str(r["name"])) for r in rows}
        found.update(_own_force_areas(store, as_of))
        return found

    return store.cached(f"lsoa-forces:{as_of}", index)


def _own_force_areas(store: Store, as_of: AsOf) -> dict[str, str]:
    """{LSOA: force} from force areas a partnership's areas file defines by
    what they contain (the demo's force, made of its policing units)."""
    rows = store.query(
        f"SELECT DISTINCT code, name FROM geography WHERE level = '{FORCE_LEVEL}' "
        "AND vintage = 'partnership'",
        as_of=as_of,
    ).to_pylist()
    found: dict[str, str] = {}
    for row in rows:
        code = str(row["code"])
        slug = code if force_slug(code) == code else force_slug(str(row["name"]))
        found.update(dict.fromkeys(geography.lsoas_in(store, code), slug))
    return found


def _force_area_names(store: Store, as_of: AsOf) -> dict[str, str]:
    """{slug: ONS's name of the police force area}."""
    if not store.held("geography", as_of):
        return {}
    rows = store.query(
        f"SELECT DISTINCT name FROM geography WHERE level = '{FORCE_LEVEL}' "
        "AND name IS NOT NULL",
        as_of=as_of,
    ).to_pylist()
    return {force_slug(str(r["name"])): str(r["name"]) for r in rows}


def _rows_by_force(store: Store, measure: Measure, as_of: AsOf) -> pa.Table:
    """The measure's rows by force, falls_within, LSOA (null: no location)
    and month, for the whole store; kept until the next load."""

    # police.uk's files name the force in words; a local extract only by slug.
    named = "falls_within" in store.columns(measure.table, as_of)
    name_sql = "any_value(falls_within)" if named else "NULL::VARCHAR"

    def count() -> pa.Table:
        return store.query(
            f"SELECT {FORCE_SQL} AS {FORCE_SQL}, {name_sql} AS name, "
            "lsoa_code, month, count(*) AS n "
            f"FROM {measure.table} WHERE ({measure.where}) "
            f"GROUP BY {FORCE_SQL}, lsoa_code, month",
            as_of=as_of,
        )

    return store.cached(f"rows-by-force:{measure.id}:{as_of}", count)


def _names(store: Store, measure: Measure, as_of: AsOf) -> dict[str, str]:
    """{slug: the force's name, as its files write it, else as ONS does}."""

    def names() -> dict[str, str]:
        rows = _rows_by_force(store, measure, as_of)
        pairs = rows.group_by(["force"]).aggregate([("name", "max")]).to_pylist()
        named = _force_area_names(store, as_of)
        named.update(
            {str(r["force"]): str(r["name_max"]) for r in pairs if r["name_max"]}
        )
        return named

    return store.cached(f"force-names:{measure.id}:{as_of}", names)


def _loaded_by_month(
    store: Store, measure: Measure, as_of: AsOf
) -> dict[str, set[str]]:
    """{month: slugs of the forces whose files for the month are loaded}."""

    def loaded() -> dict[str, set[str]]:
        rows = _rows_by_force(store, measure, as_of)
        pairs = rows.group_by(["month", "force"]).aggregate([]).to_pylist()
        found: dict[str, set[str]] = {}
        for pair in pairs:
            found.setdefault(str(pair["month"]), set()).add(str(pair["force"]))
        return found

    return store.cached(f"forces-by-month:{measure.id}:{as_of}", loaded)


def coverage_of(
    store: Store, measure: Measure, area_code: str, months: list[str], as_of: AsOf
) -> Coverage | None:
    """Whose rows the area's figures hold, each month of ``months``; None
    for a measure whose rows do not name their force."""
    if not counts_by_force(store, measure, as_of):
        return None
    loaded = _loaded_by_month(store, measure, as_of)
    names = _names(store, measure, as_of)
    force = force_of(store, measure, area_code, as_of)
    if force is not None:
        expected, known = {force}, True
    else:
        index = lsoa_forces(store, as_of)
        lsoas = geography.lsoas_in(store, area_code)
        expected = {index[lsoa] for lsoa in lsoas if lsoa in index}
        known = bool(expected)
    found: dict[str, set[str]] | None = None  # looked for only when needed
    covered: dict[str, MonthCoverage] = {}
    councils = set() if known else _councils_of(store, area_code, as_of)
    reached = {} if known else _councils_reached(store, measure, as_of)
    for month in months:
        here = loaded.get(month, set())
        if not known:
            # With no lookup, a month of an area counts only when some loaded
            # file places rows in its council: every council has crime every
            # month, so a council no file reaches is one whose force's files
            # are not loaded.
            reaches = not councils or bool(councils & reached.get(month, set()))
            state: State = "full" if here and reaches else "none"
            covered[month] = MonthCoverage(month, state)
            continue
        missing = expected - here
        if missing and found is None:
            found = (
                {} if force else _forces_with_rows_in(store, measure, area_code, as_of)
            )
        others = (found or {}).get(month, set()) - expected
        counted = (expected & here) | others
        state = "full" if not missing else "partial" if counted else "none"
        covered[month] = MonthCoverage(
            month,
            state,
            tuple(sorted(names.get(f, f) for f in counted)),
            tuple(sorted(names.get(f, f) for f in missing)),
        )
    return Coverage(area_code, known, covered)


def lsoa_councils(store: Store, as_of: AsOf = None) -> dict[str, frozenset[str]]:
    """{LSOA: the local authorities the geography puts it in}."""
    if not store.held("geography", as_of):
        return {}

    def index() -> dict[str, frozenset[str]]:
        rows = store.query(
            """
            WITH lsoa AS (SELECT DISTINCT code, unnest(parents) AS parent
                          FROM geography WHERE level = 'lsoa')
            SELECT lsoa.code AS lsoa, list(DISTINCT la.code) AS councils
            FROM lsoa JOIN geography la
              ON la.code = lsoa.parent AND la.level = 'local_authority'
            GROUP BY lsoa.code
            """,
            as_of=as_of,
        ).to_pylist()
        return {str(r["lsoa"]): frozenset(r["councils"]) for r in rows}

    return store.cached(f"lsoa-councils:{as_of}", index)


def _councils_of(store: Store, area_code: str, as_of: AsOf) -> set[str]:
    """The local authorities the area's LSOAs lie in."""
    index = lsoa_councils(store, as_of)
    return {
        c for lsoa in geography.lsoas_in(store, area_code) for c in index.get(lsoa, ())
    }


def _councils_reached(
    store: Store, measure: Measure, as_of: AsOf
) -> dict[str, set[str]]:
    """{month: the local authorities in whose LSOAs a loaded file placed a
    row}; kept until the next load."""

    def reached() -> dict[str, set[str]]:
        rows = _rows_by_force(store, measure, as_of)
        index = lsoa_councils(store, as_of)
        found: dict[str, set[str]] = {}
        pairs = rows.group_by(["month", "lsoa_code"]).aggregate([]).to_pylist()
        for pair in pairs:
            councils = index.get(str(pair["lsoa_code"]), frozenset())
            found.setdefault(str(pair["month"]), set()).update(councils)
        return found

    return store.cached(f"councils-reached:{measure.id}:{as_of}", reached)


def _forces_with_rows_in(
    store: Store, measure: Measure, area_code: str, as_of: AsOf
) -> dict[str, set[str]]:
    """{month: slugs of the forces with rows placed in the area's LSOAs};
    kept until the next load (a filter of every force's rows)."""

    def look() -> dict[str, set[str]]:
        rows = _rows_by_force(store, measure, as_of)
        lsoas = geography.lsoas_in(store, area_code)
        inside = rows.filter(
            pc.is_in(rows.column("lsoa_code"), pa.array(lsoas, pa.string()))
        )
        pairs = inside.group_by(["month", "force"]).aggregate([]).to_pylist()
        found: dict[str, set[str]] = {}
        for pair in pairs:
            found.setdefault(str(pair["month"]), set()).add(str(pair["force"]))
        return found

    return store.cached(f"forces-in:{measure.id}:{area_code}:{as_of}", look)


def _uncounted_cells(
    store: Store, measure: Measure, as_of: AsOf
) -> dict[tuple[str, str], tuple[int, int]]:
    """{(force, month): (rows with no location, rows placed in an LSOA that
    is not the force's own)}, for the whole store; kept until the next load,
    so an area's sentence is a sum, not a scan (the national benchmark)."""

    def count() -> dict[tuple[str, str], tuple[int, int]]:
        rows = _rows_by_force(store, measure, as_of)
        index = lsoa_forces(store, as_of)
        placed = rows.column("lsoa_code")
        owner = pc.take(
            pa.array(list(index.values()), pa.string()),
            pc.index_in(placed, value_set=pa.array(list(index), pa.string())),
        )
        # An LSOA the lookup does not place counts as outside the force.
        outside = pc.and_(
            pc.is_valid(placed),
            pc.fill_null(pc.not_equal(owner, rows.column("force")), True),
        )
        table = pa.table(
            {
                "force": rows.column("force"),
                "month": rows.column("month"),
                "nowhere": pc.if_else(pc.is_null(placed), rows.column("n"), 0),
                "outside": pc.if_else(outside, rows.column("n"), 0),
            }
        )
        sums = table.group_by(["force", "month"]).aggregate(
            [("nowhere", "sum"), ("outside", "sum")]
        )
        return {
            (str(r["force"]), str(r["month"])): (
                int(r["nowhere_sum"]),
                int(r["outside_sum"]),
            )
            for r in sums.to_pylist()
        }

    return store.cached(f"uncounted-cells:{measure.id}:{as_of}", count)


def uncounted(
    store: Store, measure: Measure, area_code: str, months: list[str], as_of: AsOf
) -> Uncounted | None:
    """The rows of the area's forces in ``months`` that no area smaller
    than a force counts; None for a force itself, for a measure whose rows
    do not name their force, for an area no force's rows reach, and when
    every row has a place in the force's LSOAs."""
    if not months or not counts_by_force(store, measure, as_of):
        return None
    if force_of(store, measure, area_code, as_of) is not None:
        return None
    index = lsoa_forces(store, as_of)
    lsoas = geography.lsoas_in(store, area_code)
    forces = {index[lsoa] for lsoa in lsoas if lsoa in index}
    if not forces:  # no lookup: the forces whose rows fall in the area
        found = _forces_with_rows_in(store, measure, area_code, as_of)
        forces = {f for m in months for f in found.get(m, set())}
    if not forces:
        return None
    cells = _uncounted_cells(store, measure, as_of)
    asked = [cells.get((force, month), (0, 0)) for force in forces for month in months]
    no_location = sum(cell[0] for cell in asked)
    elsewhere = sum(cell[1] for cell in asked) if index else None
    if not no_location and not elsewhere:
        return None  # nothing left uncounted: nothing to say
    names = _names(store, measure, as_of)
    return Uncounted(
        tuple(sorted(names.get(f, f) for f in forces)),
        months[0],
        months[-1],
        no_location,
        elsewhere,
    )
