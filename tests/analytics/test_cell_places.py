"""Hot cells named in words (issue 30, fault 11): a cell is named by the
police.uk snap point nearest its centre and that point's ward, not by its
grid corner ("404500-280500"), so a tasking group can tell where to go."""

from __future__ import annotations

import json

import numpy as np
import pytest
from pyproj import Transformer

from saferplaces.analytics import hotspot_report, places
from saferplaces.analytics.hotspot_report import Request
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import ANYTOWN, HEADER, LOOKUP

# Two snap points, in British National Grid metres, with their streets and
# LSOAs: E01900001 is in Oak Ward, E01900003 in Elm Ward (the fixture lookup).
BRISTOL_ROAD = (400_510.0, 280_490.0, "On or near Bristol Road", "E01900001")
ELM_STREET = (402_990.0, 283_020.0, "On or near Elm Street", "E01900003")


def crimes_files(folder, points, months=("2024-01", "2024-02")):
    """A police.uk street file a month: the same snap points in each."""
    to_wgs84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    paths = []
    for number, month in enumerate(months):
        lines = []
        for x, y, street, lsoa in points:
            lon, lat = to_wgs84.transform(x, y)
            for _ in range(4):
                lines.append(
                    f"{number:032x}{len(lines) + 1:032x},{month},WMP,WMP,"
                    f"{lon:.6f},{lat:.6f},{street},{lsoa},X,Burglary,,\n"
                )
        path = folder / f"{month}-west-midlands-street.csv"
        path.write_text(HEADER + "".join(lines))
        paths.append(path)
    return paths


@pytest.fixture
def store(tmp_path) -> Store:
    store = Store(tmp_path / "store")
    run_load(store, get_source("geography"), [LOOKUP])
    run_load(
        store, get_source("police-uk-street"),
        crimes_files(tmp_path, [BRISTOL_ROAD, ELM_STREET]),
    )  # fmt: skip
    return store


def test_a_point_is_named_by_its_nearest_snap_point_and_its_ward(store):
    x, y = [400_625.0, 402_875.0, 401_900.0], [280_375.0, 283_125.0, 282_000.0]
    names = places.cell_places(store, ANYTOWN, x, y)
    assert names == [
        "On or near Bristol Road, Oak Ward",
        "On or near Elm Street, Elm Ward",
        # Nearer Elm Street's point (1.4 km) than Bristol Road's (2.0 km).
        "On or near Elm Street, Elm Ward",
    ]


def test_every_hot_spot_row_has_its_place(store):
    rows = hotspot_report.analyse(
        store,
        Request("counts", "street-crime", ANYTOWN, "2024-01", "2024-02",
                cell_size=250),
    )  # fmt: skip
    busy = [row for row in rows if row["count"]]
    assert {row["place"] for row in busy} == {
        "On or near Bristol Road, Oak Ward",
        "On or near Elm Street, Elm Ward",
    }
    assert all(row["place"] for row in rows)


def test_without_street_crime_cells_are_not_named(tmp_path):
    store = Store(tmp_path / "store")
    run_load(store, get_source("geography"), [LOOKUP])
    assert places.cell_places(store, ANYTOWN, np.array([400_000.0]), [280_000.0]) == [
        ""
    ]


def ward_square_file(folder, code, x0, y0, side):
    """A ward's boundary: a square, south-west corner (x0, y0), in metres."""
    to_wgs84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    xs = [x0, x0 + side, x0 + side, x0, x0]
    ys = [y0, y0, y0 + side, y0 + side, y0]
    lon, lat = to_wgs84.transform(xs, ys)
    ring = [[float(a), float(b)] for a, b in zip(lon, lat, strict=True)]
    path = folder / "wards.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"wd22cd": code},
                        "geometry": {"type": "Polygon", "coordinates": [ring]},
                    }
                ],
            }
        )
    )
    return path


def test_the_ward_is_the_one_the_map_outlines_around_the_cell(store, tmp_path):
    """With ward boundaries loaded, a cell's ward is the one holding its
    centre (as the map draws it), though its nearest snap point is recorded
    in another ward's LSOA."""
    run_load(
        store, get_source("boundaries"),
        [ward_square_file(tmp_path, "E05900002", 400_000.0, 280_000.0, 500.0)],
    )  # fmt: skip
    names = places.cell_places(
        store, ANYTOWN, [400_125.0, 400_625.0], [280_125.0, 280_375.0]
    )
    assert names == [
        "On or near Bristol Road, Elm Ward",  # inside the square
        "On or near Bristol Road, Oak Ward",  # outside it: the point's ward
    ]
