"""Hotspots of the store's incidents, as `saferplaces hotspots` gives them
(issue 15), on the SYNTHETIC demo: its planted drugs hotspot in the five
substance-misuse focus wards and burglary in two Selly Oak LSOAs."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from saferplaces.analytics import hotspot_report
from saferplaces.analytics.hotspot_report import HotspotError, Request
from saferplaces.analytics.store import Store
from saferplaces.cli import main

CITY = "E08900025"


@pytest.fixture
def store(demo_data):
    return Store(demo_data / "store")


def test_gi_star_finds_the_planted_drugs_hotspot(store):
    rows = hotspot_report.analyse(
        store,
        Request("gi", "street-crime", CITY, "2013-04", "2014-03",
                kind="Drugs", cell_size=500),
    )  # fmt: skip
    hot = [row for row in rows if row["spot"] == "hot"]
    assert hot, "the drugs focus wards should show as hot"
    assert sum(row["count"] for row in rows) > 0
    # Counts this small (under 5 a cell) are tested by permutation: p_sim.
    assert set(rows[0]) == {
        "cell_id", "place", "x", "y", "count", "gi_z", "p", "p_sim", "p_fdr", "spot",
    }  # fmt: skip
    # Cell centres are on the grid, in British National Grid metres.
    assert all((row["x"] - 250) % 500 == 0 for row in rows)


def test_every_method_answers_on_the_demo(store):
    for method, extra in [
        ("counts", set()), ("kde", {"density_per_km2"}),
        ("change", {"before", "difference", "p"}), ("classify", {"class"}),
    ]:  # fmt: skip
        rows = hotspot_report.analyse(
            store, Request(method, "street-crime", CITY, "2014-04", "2015-03",
                           cell_size=1000)
        )  # fmt: skip
        assert extra <= set(rows[0]), method
    ksi = hotspot_report.analyse(
        store,
        Request("counts", "road-collisions", "SYN-D03", "2014-04", "2015-03",
                kind="ksi", cell_size=500),
    )  # fmt: skip
    assert sum(row["count"] for row in ksi) > 0


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (Request("gi", "street-crime", CITY, "2014-13", "2015-03"), "not a month"),
        (Request("gi", "street-crime", CITY, "2015-03", "2014-04"), "before --from"),
        (Request("gi", "street-crime", "E05999999", "2014-04", "2015-03"), "no LSOAs"),
        (Request("gi", "street-crime", CITY, "2030-01", "2030-02"), "no incidents"),
        (Request("gi", "road-collisions", CITY, "2014-04", "2015-03", kind="bad"),
         "fatal, serious"),
    ],
)  # fmt: skip
def test_a_question_that_cannot_be_answered_says_why(store, request_, message):
    with pytest.raises(HotspotError, match=message):
        hotspot_report.analyse(store, request_)


def test_the_command_writes_csv_and_geojson(demo_data, settings):
    settings.DATA_DIR = demo_data
    args = ["hotspots", "gi", "--source", "street-crime", "--area", "SYN-D03",
            "--from", "2014-04", "--to", "2015-03", "--cell-size", "500"]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows[0].keys() >= {"cell_id", "x", "y", "count", "gi_z", "p_fdr"}
    shapes = CliRunner().invoke(main, [*args, "--format", "geojson"])
    collection = json.loads(shapes.output)
    assert len(collection["features"]) == len(rows)
    ring = collection["features"][0]["geometry"]["coordinates"][0]
    assert -3 < ring[0][0] < -1  # Birmingham
    assert 52 < ring[0][1] < 53
    refused = CliRunner().invoke(main, [*args[:-2], "--to", "2014-13"])
    assert refused.exit_code == 1
    assert "not a month" in refused.output


def test_the_planted_fly_tipping_is_a_hotspot_that_emerged(store):
    """The demo's fly-tipping in two Kings Norton LSOAs (rising from April
    2014) is what the environmental tasking group should see."""
    rows = hotspot_report.analyse(
        store,
        Request("gi", "concerns", CITY, "2014-04", "2015-03",
                kind="fly-tipping", cell_size=500),
    )  # fmt: skip
    busiest = max(rows, key=lambda row: row["count"])
    assert busiest["spot"] == "hot"
    change = hotspot_report.analyse(
        store,
        Request("change", "concerns", CITY, "2014-04", "2015-03",
                kind="fly-tipping", cell_size=500),
    )  # fmt: skip
    assert sum(row["difference"] for row in change) > 0


def test_counts_by_ward_and_lsoa_add_up_to_the_cells(store):
    asked = Request("counts", "street-crime", "SYN-D03", "2014-04", "2015-03",
                    kind="Burglary")  # fmt: skip
    wards = hotspot_report.by_area(store, asked, "ward")
    lsoas = hotspot_report.by_area(store, asked, "lsoa")
    cells = hotspot_report.analyse(store, asked)
    total = sum(row["count"] for row in cells)
    assert sum(row["count"] for row in wards) == total
    assert sum(row["count"] for row in lsoas) == total
    assert {row["name"] for row in wards} == {
        "Billesley",
        "Bournville",
        "Brandwood",
        "Selly Oak",
    }
    assert lsoas[0]["name"].startswith("Selly Oak")  # the planted student area


def test_selly_oak_ksi_collisions_make_no_lone_collision_hot(store):
    """Issue 30, fault 10: a year of Selly Oak's serious road collisions (44)
    gave 40 hot cells, each one collision alone; the whole of 2014/15, 28.
    Neither a cell without a collision nor a lone collision is hot now, and
    every cell with a collision is named by its place (fault 11)."""
    for first, last in (("2015-04", "2016-03"), ("2014-04", "2015-03")):
        rows = hotspot_report.analyse(
            store,
            Request("gi", "road-collisions", "SYN-D03", first, last, kind="ksi"),
        )
        assert 25 <= sum(row["count"] for row in rows) <= 60
        counts = {(row["x"], row["y"]): row["count"] for row in rows}
        hot = [row for row in rows if row["spot"] == "hot"]
        assert [row["cell_id"] for row in hot if row["count"] == 0] == []
        assert [row["cell_id"] for row in hot if around(counts, row) == 1] == []
        assert "p_sim" in rows[0]  # sparse: the permutation test
        named = [row["place"] for row in rows if row["count"]]
        assert all(name.startswith("On or near ") for name in named), named[:3]
        assert all(name.endswith(" ward") for name in named), named[:3]


def around(counts, row):
    """Incidents in the cell and its eight neighbours (250 m cells)."""
    return sum(
        counts.get((row["x"] + dx, row["y"] + dy), 0)
        for dx in (-250, 0, 250)
        for dy in (-250, 0, 250)
    )
