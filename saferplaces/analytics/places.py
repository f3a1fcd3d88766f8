"""Grid cells named in words (issue 30): a hot cell called "404500-280500"
tells a tasking group nothing, so each cell is named by the police.uk snap
point nearest its centre and its ward: "On or near Bristol Road, Selly Oak
ward". The ward is the one whose boundary holds the cell's centre, as the
map outlines it; with no ward boundaries loaded, the snap point's (police.uk
gives each point's LSOA).

police.uk publishes every street crime at one of a fixed set of snap points,
each with its street ("On or near ...") and LSOA; the snap points of the
area's LSOAs in any month loaded are the names available. Where street crime
is not loaded (or the area has none), cells are not named: the name is "".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from saferplaces.analytics import geography, hotspots
from saferplaces.analytics.store import Store


@dataclass(frozen=True)
class SnapPoints:
    """The area's snap points: a k-d tree over their national grid
    coordinates, and each point's name in words."""

    tree: Any  # scipy.spatial.cKDTree
    streets: list[str]
    wards: list[str]  # each point's LSOA's ward


def cell_places(store: Store, area_code: str, x: Any, y: Any) -> list[str]:
    """The name of each point (x, y, British National Grid metres, usually
    cell centres): its nearest snap point's street and ward; "" for every
    point when the area has no snap points loaded."""
    points = store.cached(f"snap-points:{area_code}", lambda: _snap(store, area_code))
    xs, ys = np.asarray(x, float).reshape(-1), np.asarray(y, float).reshape(-1)
    if points is None:
        return [""] * len(xs)
    if len(xs) == 0:
        return []
    _, nearest = points.tree.query(np.column_stack([xs, ys]))
    outlined = _wards_holding(store, xs, ys)
    return [
        _named(points.streets[int(index)], outlined[at] or points.wards[int(index)])
        for at, index in enumerate(nearest)
    ]


def _wards_holding(store: Store, x: Any, y: Any) -> list[str]:
    """The name of the ward whose boundary holds each point, "" where none
    (or no ward boundary) is loaded."""
    import shapely

    outlines = store.cached("ward-outlines", lambda: _ward_outlines(store))
    found = [""] * len(x)
    if not outlines:
        return found
    lon, lat = hotspots.to_wgs84(x, y)
    for name, outline in outlines:
        for at in np.flatnonzero(shapely.contains_xy(outline, lon, lat)):
            found[int(at)] = found[int(at)] or name
    return found


def _ward_outlines(store: Store) -> list[tuple[str, Any]]:
    from shapely.geometry import shape

    wards = {ward.code: ward.name for ward in geography.areas_of_level(store, "ward")}
    found = geography.boundaries(store, sorted(wards))
    return [(wards[code], shape(geometry)) for code, geometry in sorted(found.items())]


def _snap(store: Store, area_code: str) -> SnapPoints | None:
    from scipy.spatial import cKDTree

    if "street_crime" not in store.tables():
        return None
    # One row per point: police.uk's snap points repeat month after month.
    rows = store.query(
        "SELECT longitude, latitude, min(location) AS location, "
        "min(lsoa_code) AS lsoa_code FROM street_crime "
        "WHERE list_contains(?, lsoa_code) AND location IS NOT NULL "
        "AND longitude IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2",
        [geography.lsoas_in(store, area_code)],
    )
    if rows.num_rows == 0:
        return None
    x, y = hotspots.to_bng(
        rows.column("longitude").to_numpy(), rows.column("latitude").to_numpy()
    )
    wards = _ward_names(store)
    return SnapPoints(
        cKDTree(np.column_stack([x, y])),
        [str(location) for location in rows.column("location").to_pylist()],
        [wards.get(str(lsoa), "") for lsoa in rows.column("lsoa_code").to_pylist()],
    )


def _named(street: str, ward: str) -> str:
    """ "On or near Bristol Road, Selly Oak ward" (a ward already called
    "... Ward" is not called so twice)."""
    if not ward:
        return street
    return (
        f"{street}, {ward}"
        if ward.lower().endswith(" ward")
        else (f"{street}, {ward} ward")
    )


def _ward_names(store: Store) -> dict[str, str]:
    """Each LSOA's ward's name, by LSOA code."""

    def build() -> dict[str, str]:
        wards = geography.areas_of_level(store, "ward")
        members = geography.lsoas_in_each(store, [ward.code for ward in wards])
        return {
            lsoa: ward.name for ward in wards for lsoa in members.get(ward.code, [])
        }

    return store.cached("ward-names-of-lsoas", build)
