"""Hotspot analysis of the store's incidents: one row per grid cell, for
the CLI (``saferplaces hotspots``) and, later, the tasking pages.

Sources with a location: ``street-crime`` (police.uk street crime and ASB,
at their anonymised snap points; ``--type`` is the crime type) and
``road-collisions`` (STATS19; ``--type`` is fatal, serious, slight or ksi)
and ``concerns`` (the local concerns CSV; ``--type`` is its category).
An area limits the incidents to its LSOAs (the grid covers them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from saferplaces.analytics import geography, hotspots, places
from saferplaces.analytics.store import Store
from saferplaces.codes import month_number, month_of

METHODS = ("counts", "kde", "gi", "change", "classify")
# A collision's severity is its worst casualty's: ksi = fatal or serious.
SEVERITY = {
    "fatal": ["Fatal"],
    "serious": ["Serious"],
    "slight": ["Slight"],
    "ksi": ["Fatal", "Serious"],
}
SOURCES = {
    "street-crime": ("street_crime", "crime_type"),
    "road-collisions": ("road_collisions", "collision_severity"),
    "concerns": ("local_concerns", "category"),
}


class HotspotError(ValueError):
    """A request that cannot be answered, in words fit to show."""


@dataclass(frozen=True)
class Request:
    method: str
    source: str
    area: str
    first: str
    last: str
    kind: str | None = None
    cell_size: float = 250.0
    permutations: int | None = None  # gi: None is by the counts (hotspots.gi_star)
    periods: int = 4
    bandwidth: float | None = None  # kde: metres (default: the normal rule)


def _selection(
    store: Store, request: Request, first: str, last: str
) -> tuple[str, str, list[Any]]:
    """(table, WHERE clause, its parameters) for the source's incidents in
    the area's LSOAs, the months (inclusive) and the kind asked for."""
    if request.source not in SOURCES:
        known = ", ".join(SOURCES)
        raise HotspotError(f"no source {request.source!r}: choose {known}")
    table, kind_column = SOURCES[request.source]
    if table not in store.tables():
        raise HotspotError(f"{request.source} is not loaded")
    lsoas = geography.lsoas_in(store, request.area)
    if not lsoas:
        raise HotspotError(f"no LSOAs are known within {request.area}")
    where = "month BETWEEN ? AND ? AND list_contains(?, lsoa_code)"
    parameters: list[Any] = [first, last, lsoas]
    if request.kind:
        values = (
            SEVERITY.get(request.kind.lower())
            if request.source == "road-collisions"
            else [request.kind]
        )
        if values is None:
            raise HotspotError(
                "--type for road collisions: fatal, serious, slight, ksi"
            )
        where += f" AND list_contains(?, CAST({kind_column} AS VARCHAR))"
        parameters.append(values)
    return table, where, parameters


def incidents(
    store: Store, request: Request, first: str, last: str
) -> tuple[np.ndarray, np.ndarray]:
    """British National Grid x and y of the source's incidents in the area
    and months (inclusive)."""
    table, where, parameters = _selection(store, request, first, last)
    rows = store.query(
        f"SELECT longitude, latitude FROM {table} WHERE {where} "
        "AND longitude IS NOT NULL",
        parameters,
    )
    return hotspots.to_bng(
        rows.column("longitude").to_numpy(), rows.column("latitude").to_numpy()
    )


def months_between(first: str, last: str) -> list[str]:
    for month in (first, last):
        if len(month) != 7 or month[4] != "-" or not 1 <= int(month[5:]) <= 12:
            raise HotspotError(f"{month!r} is not a month: write YYYY-MM")
    start, end = month_number(first), month_number(last)
    if end < start:
        raise HotspotError("--to must not be before --from")
    return [month_of(m) for m in range(start, end + 1)]


def by_area(store: Store, request: Request, level: str) -> list[dict[str, Any]]:
    """Incidents per LSOA or ward of the area (every one, nil included),
    busiest first: area_code, name, count."""
    if level not in ("lsoa", "ward"):
        raise HotspotError("--level must be lsoa or ward")
    months = months_between(request.first, request.last)
    table, where, parameters = _selection(store, request, months[0], months[-1])
    lsoas: list[str] = parameters[2]
    sql = f"SELECT lsoa_code, count(*) AS n FROM {table} WHERE {where}"
    counted = {
        str(row["lsoa_code"]): int(row["n"])
        for row in store.query(sql + " GROUP BY 1", parameters).to_pylist()
    }
    if level == "lsoa":
        totals = {code: counted.get(code, 0) for code in lsoas}
    else:
        wards = geography.areas_inside(store, "ward", set(lsoas))
        totals = {
            code: sum(counted.get(lsoa, 0) for lsoa in members)
            for code, (_, members) in wards.items()
        }
    rows = [
        {"area_code": code, "name": geography.name_of(store, code), "count": n}
        for code, n in totals.items()
    ]
    return sorted(rows, key=lambda row: (-row["count"], row["name"]))


def analyse(store: Store, request: Request) -> list[dict[str, Any]]:
    """One row per cell: cell_id, x, y (centre, BNG metres), count, and the
    method's outputs."""
    if request.method not in METHODS:
        raise HotspotError(f"no method {request.method!r}: choose {', '.join(METHODS)}")
    months = months_between(request.first, request.last)
    x, y = incidents(store, request, months[0], months[-1])
    if len(x) == 0:
        raise HotspotError("no incidents in that area and period")
    grid = hotspots.Grid.covering(x, y, request.cell_size)
    counts = hotspots.grid_counts(grid, x, y)
    columns: dict[str, Any] = {"count": counts}
    if request.method == "kde":
        columns["density_per_km2"] = hotspots.kernel_density(
            grid, x, y, request.bandwidth
        )
    elif request.method == "gi":
        mask = cells_of_area(store, request, grid, counts)
        if mask.sum() < 3:
            raise HotspotError(
                f"{geography.name_of(store, request.area)} has incidents in fewer "
                f"than three {request.cell_size:g} m cells in these months: too few "
                "to look for hot spots; see the counts by place instead"
            )
        columns.update(_gi(counts, mask, request))
    elif request.method == "change":
        columns.update(_change(store, request, grid, months))
    elif request.method == "classify":
        columns["class"] = _classify(store, request, grid, months)
    names = places.cell_places(store, request.area, *grid.centres())
    return _rows(grid, columns, names)


# Every month there could be: the area's footprint is where its incidents
# have ever been recorded.
EVER = ("0000-01", "9999-12")


def cells_of_area(
    store: Store, request: Request, grid: hotspots.Grid, counts: np.ndarray
) -> np.ndarray:
    """The grid's cells that are the area's, for Gi*: the grid is the
    rectangle around the incidents, and its cells beyond the area (empty
    because they are not the area, not because nothing happens there) would
    be tested as cold spots and weigh on their neighbours.

    A cell is the area's when its centre lies within the area's boundary
    (or its LSOAs'), or, with no boundary loaded, when any incident of the
    source in the area's LSOAs was ever recorded in it (police.uk places
    each at a point within its LSOA); and always when it holds an incident
    counted."""
    outline = _outline(store, request.area)
    if outline is not None:
        import shapely

        lon, lat = hotspots.to_wgs84(*grid.centres())
        inside = np.asarray(shapely.contains_xy(outline, lon, lat), bool)
    else:
        ever = replace(request, kind=None)
        x, y = store.cached(
            f"hotspot-footprint:{request.source}:{request.area}",
            lambda: incidents(store, ever, *EVER),
        )
        inside = hotspots.grid_counts(grid, x, y) > 0
    return inside | (counts > 0)


def _outline(store: Store, code: str) -> Any:
    """The area's boundary, else the union of its LSOAs'; None if neither
    is loaded (kept until the next load: a pack asks once per crime type)."""
    return store.cached(f"hotspot-outline:{code}", lambda: _union(store, code))


def _union(store: Store, code: str) -> Any:
    from shapely import union_all
    from shapely.geometry import shape

    found = geography.boundaries(store, geography.area_codes(store, code))
    if not found:
        found = geography.boundaries(store, geography.lsoas_in(store, code))
    if not found:
        return None
    return union_all([shape(geometry) for geometry in found.values()])


def _gi(counts: np.ndarray, mask: np.ndarray, request: Request) -> dict[str, Any]:
    result = hotspots.gi_star(counts, mask=mask, permutations=request.permutations)
    found = {"gi_z": result.z, "p": result.p, "p_fdr": result.p_fdr}
    if result.p_sim is not None:
        found["p_sim"] = result.p_sim
    found["spot"] = np.where(result.hot, "hot", np.where(result.cold, "cold", ""))
    return found


def _change(
    store: Store, request: Request, grid: hotspots.Grid, months: list[str]
) -> dict[str, Any]:
    """The period against the same number of months just before it."""
    start = month_number(months[0])
    first, last = month_of(start - len(months)), month_of(start - 1)
    bx, by = incidents(store, request, first, last)
    x, y = incidents(store, request, months[0], months[-1])
    result = hotspots.change(
        hotspots.grid_counts(grid, bx, by), hotspots.grid_counts(grid, x, y)
    )
    return {"before": result.before, "difference": result.difference, "p": result.p}


def _classify(
    store: Store, request: Request, grid: hotspots.Grid, months: list[str]
) -> Any:
    """Gi* hot and cold spots in each of ``periods`` equal runs of months."""
    if request.periods < 2 or len(months) < request.periods:
        raise HotspotError("classify needs at least two periods of a month or more")
    hot, cold = [], []
    x, y = incidents(store, request, months[0], months[-1])
    mask = cells_of_area(store, request, grid, hotspots.grid_counts(grid, x, y))
    for run in np.array_split(np.array(months), request.periods):
        x, y = incidents(store, request, str(run[0]), str(run[-1]))
        result = hotspots.gi_star(hotspots.grid_counts(grid, x, y), mask=mask)
        hot.append(result.hot)
        cold.append(result.cold)
    return hotspots.classify(np.array(hot), np.array(cold))


def _rows(
    grid: hotspots.Grid, columns: dict[str, Any], names: list[str]
) -> list[dict[str, Any]]:
    ids = grid.cell_ids().flatten()
    cx, cy = (a.flatten() for a in grid.centres())
    flat = {name: np.asarray(values).flatten() for name, values in columns.items()}
    rows = []
    for index, cell_id in enumerate(ids):
        row: dict[str, Any] = {
            "cell_id": str(cell_id),
            "place": names[index],
            "x": round(float(cx[index]), 1),
            "y": round(float(cy[index]), 1),
        }
        for name, values in flat.items():
            row[name] = _plain(values[index])
        rows.append(row)
    return rows


def _plain(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if np.isnan(value) else round(float(value), 10)
    return str(value)


def geojson(rows: list[dict[str, Any]], cell_size: float) -> str:
    """The cells as WGS84 polygons with their figures as properties."""
    from pyproj import Transformer

    back = Transformer.from_crs(hotspots.BNG, "EPSG:4326", always_xy=True)
    half = cell_size / 2
    features = []
    for row in rows:
        xs = [row["x"] - half, row["x"] + half, row["x"] + half, row["x"] - half]
        ys = [row["y"] - half, row["y"] - half, row["y"] + half, row["y"] + half]
        lon, lat = back.transform(xs, ys)
        ring = [[round(a, 6), round(b, 6)] for a, b in zip(lon, lat, strict=True)]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
                "properties": row,
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features})
