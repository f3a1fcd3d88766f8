"""Choropleth maps drawn as SVG from the boundaries in the store.

No tile server is needed, or any script: each area is a link (reachable by
keyboard, named by its title) to the measure's page for that area, the
legend gives each shade's range in words, and the page repeats every value
in a table. Shading uses five quantile bins, light to dark.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

from django.urls import reverse

from saferplaces.analytics import geography, results
from saferplaces.analytics.measures import deprivation, get_measure
from saferplaces.analytics.results import ComparisonRow
from saferplaces.analytics.store import Store

BINS = 5
WIDTH = 640


@dataclass(frozen=True)
class Choropleth:
    svg: str
    legend: list[tuple[str, str]]  # (css class, range in words)
    rows: list[ComparisonRow]
    period: str | None
    problem: str | None = None


def choropleth(
    store: Store,
    measure_id: str,
    level: str,
    within: str,
    seen_by: results.Clearance,
    rules: results.Rules,
) -> Choropleth:
    """The map for a person: exact where ``seen_by`` gives exact figures,
    as published (with ``rules``) elsewhere."""
    return store.cached(
        f"map:{measure_id}:{level}:{within}:{seen_by.key()}",
        lambda: _choropleth(store, measure_id, level, within, seen_by, rules),
    )


def _choropleth(
    store: Store,
    measure_id: str,
    level: str,
    within: str,
    seen_by: results.Clearance,
    rules: results.Rules,
) -> Choropleth:
    period = results.latest_year(store, measure_id, within, seen_by)
    try:
        answer = results.comparison(
            store, measure_id, level, within, period or "", audience=seen_by,
            rules=rules,
        )  # fmt: skip
        rows = [row for row in answer.rows if isinstance(row, ComparisonRow)]
    except results.ResultError as error:
        return Choropleth("", [], [], None, problem=str(error))
    if "boundaries" not in store.tables():
        return Choropleth("", [], rows, period, problem="no boundaries are loaded")
    shapes = geography.boundaries(store, [row.area_code for row in rows])
    values = sorted(r.value for r in rows if r.value is not None)
    edges = _edges(rows)
    unit = rows[0].unit if rows else get_measure(measure_id).unit
    tops = [*edges[1:], values[-1]] if values else []
    legend = [
        (f"app-bin-{i}", f"{edges[i]:,.1f} to {top:,.1f} {unit}")
        for i, top in enumerate(tops)
    ]
    return Choropleth(_svg(shapes, rows, edges, measure_id, unit), legend, rows, period)


def geojson(
    store: Store,
    measure_id: str,
    level: str,
    within: str,
    seen_by: results.Clearance,
    rules: results.Rules,
) -> dict[str, Any]:
    """The map's areas as GeoJSON, each with its shade, words and link."""
    shown = choropleth(store, measure_id, level, within, seen_by, rules)
    if shown.problem or "boundaries" not in store.tables():
        return {"type": "FeatureCollection", "features": []}
    unit = shown.rows[0].unit if shown.rows else get_measure(measure_id).unit
    edges = _edges(shown.rows)
    base = reverse("dashboard:measure", kwargs={"measure_id": measure_id})
    shapes = geography.boundaries(store, [row.area_code for row in shown.rows])
    features = []
    for row in shown.rows:
        if row.area_code not in shapes:
            continue
        value = "no data" if row.value is None else f"{row.value:,.1f} {unit}"
        features.append(
            {
                "type": "Feature",
                "geometry": shapes[row.area_code],
                "properties": {
                    "code": row.area_code,
                    "name": row.area_name,
                    "label": f"{row.area_name}: {value}",
                    "bin": _bin(row.value, edges),
                    "href": f"{base}?area={row.area_code}",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _edges(rows: list[ComparisonRow]) -> list[float]:
    values = sorted(r.value for r in rows if r.value is not None)
    return (
        [values[min(len(values) - 1, len(values) * i // BINS)] for i in range(BINS)]
        if values
        else []
    )


def _bin(value: float | None, edges: list[float]) -> str:
    if value is None or not edges:
        return "app-bin-none"
    index = max(i for i, edge in enumerate(edges) if value >= edge)
    return f"app-bin-{index}"


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def _svg(
    shapes: dict[str, dict[str, Any]],
    rows: list[ComparisonRow],
    edges: list[float],
    measure_id: str,
    unit: str,
) -> str:
    base = reverse("dashboard:measure", kwargs={"measure_id": measure_id})
    areas = []
    for row in rows:
        value = "no data" if row.value is None else f"{row.value:,.1f} {unit}"
        title = f"{row.area_name}: {value}, rank {row.rank}"
        areas.append(
            Shaded(row.area_code, row.area_name, title, _bin(row.value, edges),
                   f"{base}?area={row.area_code}")
        )  # fmt: skip
    return _draw(shapes, areas)


@dataclass(frozen=True)
class Shaded:
    """One area on a map: its shade (a css class), title and link."""

    code: str
    name: str
    title: str
    shade: str
    href: str


def _draw(shapes: dict[str, dict[str, Any]], areas: list[Shaded]) -> str:
    points = [pt for g in shapes.values() for ring in _rings(g) for pt in ring]
    if not points:
        return ""
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    squash = math.cos(math.radians((north + south) / 2))
    scale = WIDTH / max((east - west) * squash, 1e-9)
    height = (north - south) * scale

    def path(geometry: dict[str, Any]) -> str:
        return " ".join(
            "M"
            + " L".join(
                f"{(x - west) * squash * scale:.1f},{(north - y) * scale:.1f}"
                for x, y, *_ in ring
            )
            + " Z"
            for ring in _rings(geometry)
        )

    drawn = [
        f'<a href="{escape(area.href)}"><title>{escape(area.title)}</title>'
        f'<path class="{area.shade}" d="{path(shapes[area.code])}"/></a>'
        for area in areas
        if area.code in shapes
    ]
    labels = _labels(shapes, areas, lambda x, y: ((x - west) * squash * scale,
                                                   (north - y) * scale))  # fmt: skip
    return (
        f'<svg class="app-map" viewBox="0 0 {WIDTH} {height:.0f}" role="group" '
        f'aria-label="Map: each area links to its figures" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(drawn)}{labels}</svg>'
    )


# Areas are named on the map when there are few enough to read (wards of a
# district, districts of a city); the table names them all regardless.
MOST_LABELS = 40


def _labels(
    shapes: dict[str, dict[str, Any]],
    rows: list[Shaded],
    place: Callable[[float, float], tuple[float, float]],
) -> str:
    """Each area's name at a point inside it. Hidden from screen readers:
    each area's link already says its name and figure."""
    from shapely.geometry import shape

    shown = [row for row in rows if row.code in shapes]
    if len(shown) > MOST_LABELS:
        return ""
    texts = []
    for row in shown:
        point = shape(shapes[row.code]).representative_point()
        x, y = place(point.x, point.y)
        texts.append(
            f'<text class="app-map-label" x="{x:.1f}" y="{y:.1f}" '
            f'text-anchor="middle" aria-hidden="true">{escape(row.name)}</text>'
        )
    return "".join(texts)


# -- shaded by deprivation -------------------------------------------------

# Deciles two to a shade, the most deprived darkest (the five shades above).
DECILE_SHADES = [
    ("app-bin-4", "deciles 1 and 2 (the most deprived fifth)"),
    ("app-bin-3", "deciles 3 and 4"),
    ("app-bin-2", "deciles 5 and 6"),
    ("app-bin-1", "deciles 7 and 8"),
    ("app-bin-0", "deciles 9 and 10 (the least deprived fifth)"),
]


@dataclass(frozen=True)
class DecileMap:
    svg: str
    legend: list[tuple[str, str]]
    areas: list[tuple[geography.Area, deprivation.AreaDeprivation]]
    edition: str
    problem: str | None = None


def decile_map(store: Store, measure_id: str, level: str, within: str) -> DecileMap:
    """The areas of ``level`` inside ``within`` shaded by IMD decile (an
    area's decile: ``deprivation.area_deprivation``), each a link to the
    measure's page for it. The index is open data, so everyone sees the same
    map."""
    return store.cached(
        f"decile-map:{measure_id}:{level}:{within}",
        lambda: _decile_map(store, measure_id, level, within),
    )


def _decile_map(store: Store, measure_id: str, level: str, within: str) -> DecileMap:
    inside = geography.areas_inside(
        store, level, set(geography.lsoas_in(store, within))
    )
    areas = [
        geography.Area(code, name, level)
        for code, (name, _) in sorted(inside.items(), key=lambda item: item[1][0])
    ]
    try:
        placed = results.areas_deprivation(store, [a.code for a in areas])
    except results.ResultError as refused:
        return DecileMap("", [], [], "", problem=str(refused))
    if not areas:
        return DecileMap("", [], [], "", problem=f"No {level}s are known here.")
    pairs = [(area, placed[area.code]) for area in areas]
    edition = pairs[0][1].edition
    shapes = (
        geography.boundaries(store, [a.code for a in areas])
        if "boundaries" in store.tables()
        else {}
    )
    base = reverse("dashboard:measure", kwargs={"measure_id": measure_id})
    shaded = [
        Shaded(area.code, area.name, f"{area.name}: {_decile_words(found)}",
               _decile_shade(found.decile), f"{base}?area={area.code}")
        for area, found in pairs
    ]  # fmt: skip
    return DecileMap(_draw(shapes, shaded), DECILE_SHADES, pairs, edition)


def _decile_words(found: deprivation.AreaDeprivation) -> str:
    return "no decile" if found.decile is None else f"decile {found.decile}"


def _decile_shade(decile: int | None) -> str:
    if decile is None:
        return "app-bin-none"
    return DECILE_SHADES[(decile - 1) // 2][0]
