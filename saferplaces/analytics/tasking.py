"""A tasking pack: what a district tasking group reads before its meeting,
for an area and a run of months, each figure set against the same number
of months just before (issue 15):

* crime and ASB by type, with the number of Gi* hot cells (250 m grid,
  false discovery rate 5%) and the busiest cell;
* repeat locations: the police.uk snap points with the most incidents;
* new and emerging hot spots: the period in four runs, classified (docs/
  hotspots.md);
* road safety: collisions in which someone was killed or seriously injured;
* community concerns by category, where they are loaded.

Django-free; the tasking app adds the plan's open actions for the area.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from saferplaces.analytics import geography, hotspots, places, results
from saferplaces.analytics.hotspot_report import (
    HotspotError,
    Request,
    analyse,
    cells_of_area,
    incidents,
    months_between,
)
from saferplaces.analytics.store import Store
from saferplaces.codes import month_number, month_of, plural

CELL = 250.0
TOP_TYPES = 20  # police.uk has 14 types: all of them, commonest first


@dataclass(frozen=True)
class Line:
    """One thing counted in the period and in the months before it."""

    label: str
    count: int
    # None: the store holds no data (or not all of it) for the months before.
    previous: int | None
    hot_cells: int | None = None
    # The busiest cell by its place, "On or near Bristol Road, Selly Oak
    # ward (12)".
    busiest: str = ""
    # The hot cells by place with their counts, busiest first.
    hot_places: tuple[tuple[str, int], ...] = ()
    # Why there is no earlier figure ("no data before 2016-10").
    previous_words: str = ""

    @property
    def change(self) -> str:
        if self.previous is None:
            return "not compared"
        if self.previous == 0:
            return "new" if self.count else "none either period"
        percent = 100 * (self.count - self.previous) / self.previous
        return f"{percent:+.0f}%"


@dataclass
class Pack:
    area: geography.Area
    first: str
    last: str
    previous_first: str
    previous_last: str
    crime: list[Line] = field(default_factory=list)
    repeat_locations: list[Line] = field(default_factory=list)
    patterns: dict[str, int] = field(default_factory=dict)
    emerging: list[dict[str, Any]] = field(default_factory=list)
    roads: list[Line] = field(default_factory=list)
    concerns: list[Line] = field(default_factory=list)
    # Every cell with crime or ASB in the period, with its Gi* result.
    cells: list[dict[str, Any]] = field(default_factory=list)
    # The wards drawn on the map: (name, GeoJSON geometry).
    wards: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def hot_cells(self) -> list[dict[str, Any]]:
        """The hot cells, busiest first (the table behind the map)."""
        hot = [cell for cell in self.cells if cell["spot"] == "hot"]
        return sorted(hot, key=lambda cell: -cell["count"])

    @property
    def road_hot_places(self) -> list[tuple[str, str, int]]:
        """Each road line's hot cells: (what, place, collisions in it)."""
        return [
            (line.label, place, count)
            for line in self.roads
            for place, count in line.hot_places
        ]


def area_cells(store: Store, area_code: str, first: str, last: str) -> list[Any]:
    """Every 250 m cell with crime or ASB in the months, with its Gi*."""
    everything = Request("gi", "street-crime", area_code, first, last, cell_size=CELL)
    return [row for row in analyse(store, everything) if row["count"]]


def ward_outlines(store: Store, area_code: str) -> list[tuple[str, dict[str, Any]]]:
    """The wards to draw on the area's map, by name with their boundaries:
    the wards inside the area, or the ward it lies in (an LSOA's); none
    where no boundary is loaded."""
    lsoas = set(geography.lsoas_in(store, area_code))
    wards = {
        code: name
        for code, (name, _) in geography.areas_inside(store, "ward", lsoas).items()
    }
    if not wards:
        above = geography.parent(store, area_code)
        if above is not None and above.level == "ward":
            wards = {above.code: above.name}
    shapes = geography.boundaries(store, sorted(wards))
    return sorted((wards[code], shape) for code, shape in shapes.items())


def cells_geojson(
    cells: list[dict[str, Any]],
    href: str,
    wards: list[tuple[str, dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """Cells as WGS84 squares for the dashboard's Leaflet map:
    hot cells darkest; each names its place and count and links to ``href``
    with the cell (opening a problem-solving record). The wards follow as
    outlines named on the map (``"outline": true``)."""
    from saferplaces.analytics.hotspot_report import geojson

    shapes: dict[str, Any] = json.loads(geojson(cells, CELL))
    for feature in shapes["features"]:
        cell = feature["properties"]
        spot = cell["spot"] or "not a hot spot"
        place = cell.get("place") or f"Cell {cell['cell_id']}"
        feature["properties"] = {
            "name": place,
            "label": f"{place}: {_incidents(cell['count'])}, {spot}",
            "bin": {"hot": "app-bin-4", "cold": "app-bin-0"}.get(
                cell["spot"], "app-bin-1"
            ),
            "href": f"{href}&cells={cell['cell_id']}",
        }
    shapes["features"] += [
        {
            "type": "Feature",
            "geometry": geometry,
            "properties": {"name": name, "outline": True},
        }
        for name, geometry in wards or []
    ]
    return shapes


SPOT_COLOURS = {"hot": "#54278f", "cold": "#f2f0f7", "": "#cbc9e2"}


def cells_svg(pack: Pack, width: int = 480, fluid: bool = False) -> str:
    """The pack's cells drawn as an SVG map (for print, and the page without
    scripts): hot cells darkest, north up, one square per cell with
    incidents, each titled with its place; the wards outlined and named.
    ``width`` in pixels; ``fluid``: as wide as its box instead (a page on a
    phone), lettering sized for ``width``."""
    from html import escape

    if not pack.cells:
        return ""
    half = CELL / 2
    outlines = [(name, _rings_bng(geometry)) for name, geometry in pack.wards]
    xs = [c["x"] + d for c in pack.cells for d in (-half, half)]
    ys = [c["y"] + d for c in pack.cells for d in (-half, half)]
    for _, rings in outlines:
        xs += [x for ring in rings for x in ring[0]]
        ys += [y for ring in rings for y in ring[1]]
    left, bottom = min(xs), min(ys)
    span_x, span_y = max(xs) - left, max(ys) - bottom
    height = round(width * span_y / span_x)

    def at(x: float, y: float) -> str:
        return f"{x - left:.0f},{bottom + span_y - y:.0f}"

    squares = "".join(
        f'<rect x="{cell["x"] - half - left:.0f}" '
        f'y="{bottom + span_y - (cell["y"] + half):.0f}" '
        f'width="{CELL:.0f}" height="{CELL:.0f}" '
        f'fill="{SPOT_COLOURS.get(cell["spot"], "#cbc9e2")}" stroke="#ffffff" '
        f'stroke-width="10"><title>{escape(_cell_title(cell))}</title></rect>'
        for cell in pack.cells
    )
    metres_per_pixel = span_x / width
    lines = "".join(
        '<path fill="none" stroke="#0b0c0c" '
        f'stroke-width="{2 * metres_per_pixel:.0f}" d="'
        + " ".join(
            "M" + " L".join(at(x, y) for x, y in zip(*ring, strict=True)) + " Z"
            for ring in rings
        )
        + '"/>'
        for _, rings in outlines
    )
    labels = "".join(
        _svg_label(name, *_inside(geometry), at, 12 * metres_per_pixel)
        for name, geometry in pack.wards
    )
    hot = len(pack.hot_cells)
    wards = f", in {len(pack.wards)} wards outlined and named" if pack.wards else ""
    title = escape(
        f"Map of {pack.area.name}: {len(pack.cells)} cells of {CELL:.0f} m with "
        f"crime or anti-social behaviour, {hot} of them hot spots (darkest){wards}"
    )
    size = 'width="100%"' if fluid else f'width="{width}" height="{height}"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" {size} '
        f'viewBox="0 0 {span_x:.0f} {span_y:.0f}">'
        f"<title>{title}</title>{squares}{lines}{labels}</svg>"
    )


def _cell_title(cell: dict[str, Any]) -> str:
    spot = {"hot": ", a hot spot", "cold": ", a cold spot"}.get(cell["spot"], "")
    return f"{cell.get('place') or cell['cell_id']}: {_incidents(cell['count'])}{spot}"


def _rings_bng(geometry: dict[str, Any]) -> list[tuple[Any, Any]]:
    """A GeoJSON polygon's or multipolygon's rings in national grid metres."""
    polygons = (
        [geometry["coordinates"]]
        if geometry["type"] == "Polygon"
        else geometry["coordinates"]
    )
    rings = []
    for polygon in polygons:
        for ring in polygon:
            lon, lat = zip(*((point[0], point[1]) for point in ring), strict=True)
            rings.append(hotspots.to_bng(lon, lat))
    return rings


def _inside(geometry: dict[str, Any]) -> tuple[float, float]:
    """A point inside the area, in national grid metres, for its label."""
    from shapely.geometry import shape

    point = shape(geometry).representative_point()
    x, y = hotspots.to_bng([point.x], [point.y])
    return float(x[0]), float(y[0])


def _svg_label(name: str, x: float, y: float, at: Any, size: float) -> str:
    """A ward's name with a white halo, readable on the darkest cells: the
    halo drawn first as its own text (WeasyPrint has no paint-order).
    Hidden from screen readers: the map's title and the tables say it."""
    from html import escape

    left, top = at(x, y).split(",")
    text = (
        f'<text x="{left}" y="{top}" font-size="{size:.0f}" text-anchor="middle" '
        'font-family="DejaVu Sans, sans-serif" font-weight="bold" '
        'aria-hidden="true" '
    )
    return (
        f'{text}fill="#ffffff" stroke="#ffffff" stroke-width="{size / 4:.0f}">'
        f'{escape(name)}</text>{text}fill="#0b0c0c">{escape(name)}</text>'
    )


def _previous(months: list[str]) -> tuple[str, str]:
    start = month_number(months[0])
    return month_of(start - len(months)), month_of(start - 1)


def pack(store: Store, area_code: str, first: str, last: str) -> Pack:
    """The pack for ``area_code`` from ``first`` to ``last`` (YYYY-MM)."""
    months = months_between(first, last)
    lsoas = geography.lsoas_in(store, area_code)
    if not lsoas:
        raise HotspotError(f"no LSOAs are known within {area_code}")
    before = _previous(months)
    result = Pack(geography.area(store, area_code), first, last, *before)
    if "street_crime" in store.tables():
        result.crime = _by_kind(store, "street-crime", area_code, months, before)
        result.repeat_locations = _repeat_locations(store, lsoas, months, before)
        result.cells = area_cells(store, area_code, months[0], months[-1])
        result.wards = ward_outlines(store, area_code)
        _emerging(store, area_code, months, result)
        result.notes += results.coverage_sentences(
            store, "total-recorded-crime", area_code, months
        )
        _uncompared(store, "street crime", "street_crime", before, result.crime,
                    result.repeat_locations, notes=result.notes)  # fmt: skip
    else:
        result.notes.append("Street crime is not loaded.")
    if "road_collisions" in store.tables():
        result.roads = [
            _line(store, "road-collisions", area_code, months, before, kind, label)
            for kind, label in (("ksi", "Killed or seriously injured"),
                                ("slight", "Slight injuries only"))
        ]  # fmt: skip
        _uncompared(store, "road collisions", "road_collisions", before,
                    result.roads, notes=result.notes)  # fmt: skip
    if "local_concerns" in store.tables():
        result.concerns = _by_kind(store, "concerns", area_code, months, before)
        _uncompared(store, "community concerns", "local_concerns", before,
                    result.concerns, notes=result.notes)  # fmt: skip
    else:
        result.notes.append("Community concerns are not loaded.")
    return result


def _uncompared(
    store: Store,
    what: str,
    table: str,
    before: tuple[str, str],
    *lines: list[Line],
    notes: list[str],
) -> None:
    """Withdraw the earlier figures of ``lines`` when the store does not
    hold every month before: months without data are not zero, so a type
    is never "new" for want of them. Says how many months it needs and has."""
    needed = months_between(*before)
    held = store.months(table)
    have = [month for month in needed if month in held]
    if len(have) == len(needed):
        return
    starts = min((m for m in held if m > before[1]), default=None)
    words = (
        f"no data before {starts}"
        if starts and not have
        else f"{len(have)} of {len(needed)} months of data"
    )
    for each in lines:
        each[:] = [
            dataclasses.replace(line, previous=None, previous_words=words)
            for line in each
        ]
    notes.append(
        f"A comparison of {what} with the months before needs the "
        f"{len(needed)} months {before[0]} to {before[1]}; the store has "
        f"{len(have)} of them ({words}): no change is shown."
    )


KIND_COLUMNS = {"street-crime": "crime_type", "concerns": "category"}
TABLES = {"street-crime": "street_crime", "concerns": "local_concerns"}


def _by_kind(
    store: Store,
    source: str,
    area_code: str,
    months: list[str],
    before: tuple[str, str],
) -> list[Line]:
    """The commonest kinds in the period, each with its hot cells."""
    column, table = KIND_COLUMNS[source], TABLES[source]
    rows = store.query(
        f"SELECT {column} AS kind, count(*) AS n FROM {table} "
        "WHERE month BETWEEN ? AND ? AND list_contains(?, lsoa_code) "
        f"GROUP BY 1 ORDER BY n DESC, kind LIMIT {TOP_TYPES}",
        [months[0], months[-1], geography.lsoas_in(store, area_code)],
    ).to_pylist()
    return [
        _line(store, source, area_code, months, before, str(row["kind"]))
        for row in rows
    ]


def _line(
    store: Store,
    source: str,
    area_code: str,
    months: list[str],
    before: tuple[str, str],
    kind: str,
    label: str | None = None,
) -> Line:
    request = Request("gi", source, area_code, months[0], months[-1], kind=kind)
    x, y = incidents(store, request, months[0], months[-1])
    previous = len(incidents(store, request, *before)[0])
    if len(x) < 3:
        return Line(label or kind, len(x), previous)
    grid = hotspots.Grid.covering(x, y, CELL)
    counts = hotspots.grid_counts(grid, x, y)
    mask = cells_of_area(store, request, grid, counts)
    hot = hotspots.gi_star(counts, mask=mask).hot if mask.sum() >= 3 else counts < 0
    busiest = int(counts.argmax())
    hot_cells = np.flatnonzero(hot.reshape(-1))
    hot_cells = hot_cells[np.argsort(-counts.reshape(-1)[hot_cells], kind="stable")]
    named = _named_cells(store, area_code, grid, counts, [busiest, *hot_cells])
    place, count = named[0]
    return Line(label or kind, len(x), previous, int(hot.sum()),
                f"{place} ({count})", tuple(named[1:]))  # fmt: skip


def _named_cells(
    store: Store,
    area_code: str,
    grid: hotspots.Grid,
    counts: np.ndarray,
    cells: list[int],
) -> list[tuple[str, int]]:
    """The cells (flat indices) by place, with their counts; by grid
    corner where no place is known."""
    cx, cy = (centres.reshape(-1)[cells] for centres in grid.centres())
    names = places.cell_places(store, area_code, cx, cy)
    ids = grid.cell_ids().reshape(-1)
    flat = counts.reshape(-1)
    return [
        (name or f"cell {ids[cell]}", int(flat[cell]))
        for name, cell in zip(names, cells, strict=True)
    ]


def _repeat_locations(
    store: Store, lsoas: list[str], months: list[str], before: tuple[str, str]
) -> list[Line]:
    """The snap points with the most incidents (police.uk places every
    incident at one of a fixed set of points, named "On or near ...")."""
    rows = store.query(
        "SELECT location, lsoa_name, "
        "count(*) FILTER (WHERE month BETWEEN ? AND ?) AS n, "
        "count(*) FILTER (WHERE month BETWEEN ? AND ?) AS before "
        "FROM street_crime WHERE list_contains(?, lsoa_code) "
        "AND location IS NOT NULL GROUP BY 1, 2 "
        "ORDER BY n DESC, location LIMIT 10",
        [months[0], months[-1], *before, lsoas],
    ).to_pylist()
    return [
        Line(
            f"{row['location']}, {row['lsoa_name']}", int(row["n"]), int(row["before"])
        )
        for row in rows
        if row["n"]
    ]


def _emerging(store: Store, area_code: str, months: list[str], result: Pack) -> None:
    """All street crime classified over four runs of the period's months."""
    if len(months) < 4:
        result.notes.append("Hot spot patterns need a period of four months or more.")
        return
    rows = analyse(
        store,
        Request("classify", "street-crime", area_code, months[0], months[-1],
                cell_size=CELL, periods=4),
    )  # fmt: skip
    for row in rows:
        if row["class"] != "none":
            result.patterns[row["class"]] = result.patterns.get(row["class"], 0) + 1
    result.emerging = sorted(
        (
            row
            for row in rows
            if row["class"] in ("emerging hotspot", "persistent hotspot")
        ),
        key=lambda row: -row["count"],
    )[:10]


def _incidents(count: int) -> str:
    return f"{count} {plural(count, 'incident')}"
