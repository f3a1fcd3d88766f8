"""Areas from the store: members, boundaries and point-in-area lookups.

Example:
    >>> import tempfile
    >>> from saferplaces.analytics.store import Store
    >>> area_codes(Store(tempfile.mkdtemp()), "E05011119")
    ['E05011119']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from saferplaces.analytics.store import Store, StoreError


def _memberships(store: Store) -> dict[str, list[str]]:
    rows = store.query(
        "SELECT code, members FROM geography WHERE vintage = 'partnership'"
    ).to_pylist()
    return {str(row["code"]): list(row["members"] or []) for row in rows}


def _lsoas_by_parent(store: Store) -> dict[str, set[str]]:
    """Every code an LSOA nests in (ward, MSOA, local authority, ...) -> LSOAs."""
    rows = store.query(
        "SELECT DISTINCT code, unnest(parents) AS parent FROM geography "
        "WHERE level = 'lsoa'"
    ).to_pylist()
    index: dict[str, set[str]] = {}
    for row in rows:
        index.setdefault(str(row["parent"]), set()).add(str(row["code"]))
    return index


def area_codes(store: Store, code: str) -> list[str]:
    """The code itself, or for a partnership area every area it contains,
    followed down through nested partnership areas (districts in a unit)."""
    if "geography" not in store.tables():
        return [code]
    return _members_of(store.cached("memberships", lambda: _memberships(store)), code)


def _members_of(members: dict[str, list[str]], code: str) -> list[str]:
    found: list[str] = []
    pending = [code]
    while pending:
        current = pending.pop()
        if current in members:
            pending.extend(members[current])
        elif current not in found:
            found.append(current)
    return sorted(found)


def area_shape(store: Store, code: str) -> Any:
    """The area's boundary as a shapely geometry (unions partnership areas)."""
    import shapely
    from shapely.geometry import shape

    if "boundaries" not in store.tables():
        raise StoreError("no boundaries are loaded: `saferplaces ingest boundaries`")
    codes = area_codes(store, code)
    rows = store.query(
        "SELECT code, geometry FROM boundaries WHERE list_contains(?, code)", [codes]
    ).to_pylist()
    if not rows:
        raise StoreError(f"no boundary is loaded for area {code}")
    import json

    return shapely.union_all([shape(json.loads(row["geometry"])) for row in rows])


def lsoa_locator(store: Store) -> Callable[[float, float], tuple[str, str]]:
    """A function (latitude, longitude) -> (LSOA code, name), or ('', '')."""
    import json

    from shapely import STRtree
    from shapely.geometry import Point, shape

    if "boundaries" not in store.tables():
        return lambda _lat, _lng: ("", "")
    rows = store.query(
        "SELECT code, coalesce(name, '') AS name, geometry FROM boundaries "
        "WHERE level = 'lsoa'"
    ).to_pylist()
    shapes = [shape(json.loads(row["geometry"])) for row in rows]
    tree = STRtree(shapes)

    def locate(lat: float, lng: float) -> tuple[str, str]:
        point = Point(lng, lat)
        for index in tree.query(point, predicate="intersects"):
            row = rows[int(index)]
            return str(row["code"]), str(row["name"])
        return "", ""

    return locate


def lsoas_in(store: Store, code: str) -> list[str]:
    """Every LSOA in an area of any level (an LSOA is in itself).

    Partnership areas are followed down to their wards or LSOAs first; an LSOA
    code works even with no geography loaded.
    """
    return lsoas_in_each(store, [code])[code]


def lsoas_in_each(store: Store, codes: list[str]) -> dict[str, list[str]]:
    """``lsoas_in`` for many areas, looking the geography up once."""
    if "geography" not in store.tables():
        return {code: [code] if _is_lsoa(code) else [] for code in codes}
    members = store.cached("memberships", lambda: _memberships(store))
    index = store.cached("lsoas_by_parent", lambda: _lsoas_by_parent(store))
    result = {}
    for code in codes:
        found: set[str] = set()
        for each in _members_of(members, code):
            found |= index.get(each, set())
            if _is_lsoa(each):
                found.add(each)
        result[code] = sorted(found)
    return result


def _is_lsoa(code: str) -> bool:
    return code[:3] in ("E01", "W01")
