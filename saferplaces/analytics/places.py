"""Grid cells named in words (issue 30): a hot cell called "404500-280500"
tells a tasking group nothing, so each cell is named by the police.uk snap
point nearest its centre and that point's ward: "On or near Bristol Road,
Selly Oak ward".

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
    names: list[str]


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
    return [points.names[int(index)] for index in nearest]


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
    names = [
        _named(str(location), wards.get(str(lsoa), ""))
        for location, lsoa in zip(
            rows.column("location").to_pylist(),
            rows.column("lsoa_code").to_pylist(),
            strict=True,
        )
    ]
    return SnapPoints(cKDTree(np.column_stack([x, y])), names)


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
