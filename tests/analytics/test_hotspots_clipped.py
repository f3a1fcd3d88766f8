"""Gi* hot and cold spots only in cells of the area asked for (issue 29,
finding 10: with permutations, empty cells outside the area, inside the
grid's rectangle, were marked cold spots). The area here is a ward of two
LSOA squares touching at a corner, so half its bounding box is not in it."""

from __future__ import annotations

import json

import numpy as np
import pytest
from pyproj import Transformer

from saferplaces.analytics import hotspot_report
from saferplaces.analytics.hotspot_report import Request
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import HEADER, LOOKUP

OAK = "E05900001"  # LSOAs E01900001 and E01900002 (tests/fixtures/geography)
SIDE = 2_000.0  # metres
# Each LSOA's square, south-west corner in British National Grid metres:
# one to the south-west, one to the north-east, touching at a corner.
SQUARES = {"E01900001": (400_000.0, 280_000.0), "E01900002": (402_000.0, 282_000.0)}
CRIMES_PER_LSOA = 600  # about 9 a 250 m cell


def inside(x: float, y: float) -> bool:
    return any(
        x0 <= x < x0 + SIDE and y0 <= y < y0 + SIDE for x0, y0 in SQUARES.values()
    )


def to_wgs84(x, y):
    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True).transform(
        x, y
    )


def boundaries_file(folder):
    features = []
    for code, (x0, y0) in SQUARES.items():
        xs = np.array([x0, x0 + SIDE, x0 + SIDE, x0, x0])
        ys = np.array([y0, y0, y0 + SIDE, y0 + SIDE, y0])
        lon, lat = to_wgs84(xs, ys)
        ring = [[float(a), float(b)] for a, b in zip(lon, lat, strict=True)]
        features.append(
            {
                "type": "Feature",
                "properties": {"LSOA11CD": code},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    path = folder / "lsoas.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def crimes_file(folder):
    rng = np.random.default_rng(29)
    lines = []
    for code, (x0, y0) in SQUARES.items():
        x = x0 + rng.uniform(1, SIDE - 1, CRIMES_PER_LSOA)
        y = y0 + rng.uniform(1, SIDE - 1, CRIMES_PER_LSOA)
        for lon, lat in zip(*to_wgs84(x, y), strict=True):
            lines.append(
                f"{len(lines) + 1:064x},2024-01,WMP,WMP,{lon:.6f},{lat:.6f},Road,"
                f"{code},X,Burglary,,\n"
            )
    path = folder / "crimes-street.csv"
    path.write_text(HEADER + "".join(lines))
    return path


@pytest.fixture(params=["boundaries", "no boundaries"])
def store(request, tmp_path) -> Store:
    store = Store(tmp_path / "store")
    run_load(store, get_source("geography"), [LOOKUP])
    run_load(store, get_source("police-uk-street"), [crimes_file(tmp_path)])
    if request.param == "boundaries":
        run_load(store, get_source("boundaries"), [boundaries_file(tmp_path)])
    return store


@pytest.mark.parametrize("permutations", [0, 99])
def test_no_cell_outside_the_area_is_a_hot_or_cold_spot(store, permutations):
    rows = hotspot_report.analyse(
        store,
        Request("gi", "street-crime", OAK, "2024-01", "2024-01",
                cell_size=250, permutations=permutations),
    )  # fmt: skip
    outside = [row for row in rows if not inside(row["x"], row["y"])]
    labelled = [row["cell_id"] for row in outside if row["spot"]]
    assert labelled == [], f"cells outside {OAK} labelled: {labelled[:5]}"
    # The area's own cells are tested: each has a z-score.
    assert all(row["gi_z"] is not None for row in rows if inside(row["x"], row["y"]))


def test_an_area_of_fewer_than_three_cells_is_refused_in_words(tmp_path):
    """A small area whose incidents fall in one or two cells (and no
    boundary to say it has more) cannot be tested: a refusal the tasking pack
    shows, not a server error (a bare ValueError was a 500)."""
    store = Store(tmp_path / "store")
    run_load(store, get_source("geography"), [LOOKUP])
    lon, lat = to_wgs84(400_100.0, 280_100.0)
    row = f",2024-01,WMP,WMP,{lon:.6f},{lat:.6f},Road,E01900001,X,Burglary,,\n"
    path = tmp_path / "few-street.csv"
    path.write_text(HEADER + row * 3)
    run_load(store, get_source("police-uk-street"), [path])
    with pytest.raises(hotspot_report.HotspotError, match="three"):
        hotspot_report.analyse(
            store, Request("gi", "street-crime", OAK, "2024-01", "2024-01",
                           cell_size=250),
        )  # fmt: skip
