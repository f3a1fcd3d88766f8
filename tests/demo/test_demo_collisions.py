"""The SYNTHETIC demo's road collisions lie in the LSOAs they are counted in
(issue 30, fault 10: they were scattered across the city, some 10 km from
the district that counted them, and hot spots were found where none were)."""

from __future__ import annotations

import csv
import json
import random

import shapely
from shapely.geometry import shape

from saferplaces.demo.outcomes import write_road_casualties
from saferplaces.demo.partnership import SEED, layout, write_boundaries


def test_every_collision_lies_inside_the_boundary_of_its_lsoa(tmp_path):
    plan = layout(random.Random(SEED))
    boundaries = json.loads(write_boundaries(tmp_path, plan).read_text())
    lsoa_shapes = {
        feature["properties"]["lsoa21cd"]: shape(feature["geometry"])
        for feature in boundaries["features"]
        if "lsoa21cd" in feature["properties"]
    }
    collisions, _ = write_road_casualties(tmp_path, plan, SEED)
    with open(collisions, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) > 1_000
    outside = [
        row["collision_index"]
        for row in rows
        if not shapely.contains_xy(
            lsoa_shapes[row["lsoa_of_collision_location"]],
            float(row["longitude"]),
            float(row["latitude"]),
        )
    ]
    assert outside == [], f"{len(outside)} of {len(rows)} collisions outside their LSOA"
