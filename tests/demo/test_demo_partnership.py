"""The synthetic demo: seeded, labelled, and shaped like the seed plan."""

from __future__ import annotations

import hashlib

import pytest

from saferplaces.analytics.store import Store
from saferplaces.demo import build_demo, write_demo_files


@pytest.fixture(scope="module")
def demo_store(demo_build):
    """The run's demo store (tests/conftest.py) and the reports of its loads:
    building it again here took 15 s."""
    data_dir, reports = demo_build
    return data_dir, Store(data_dir / "store"), reports


def digests(folder):
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
    }


def test_same_files_every_run(tmp_path):
    write_demo_files(tmp_path / "one")
    write_demo_files(tmp_path / "two")
    assert digests(tmp_path / "one") == digests(tmp_path / "two")


def test_every_file_is_labelled_synthetic(demo_store):
    data_dir, _, _ = demo_store
    names = [path.name for path in (data_dir / "demo").iterdir()]
    assert all(
        name.startswith("synthetic-")
        for name in names
        if name.endswith((".csv", ".yaml", ".geojson"))
    )
    assert "SYNTHETIC" in (data_dir / "demo" / "README-SYNTHETIC.txt").read_text()


def test_every_row_loads(demo_store):
    _, _, reports = demo_store
    assert all(report.rejected == 0 for report in reports)
    assert {report.table for report in reports} == {
        "geography",
        "boundaries",
        "population",
        "postcodes",
        "street_crime",
        "outcomes",
        "stop_search",
        "local_crimes",
        "local_asb",
        "local_concerns",
        "reoffending",
        "road_collisions",
        "road_casualties",
        "survey_responses",
        "deprivation",
    }


def test_the_seed_plans_2013_14_findings_can_be_asked_of_the_demo(demo_store):
    """The planted echoes of the plan's findings are found by the measures."""
    from saferplaces.analytics.measures import measure_series
    from saferplaces.analytics.measures.areas import compare_areas

    _, store, _ = demo_store
    safety = {
        point.period: point
        for point in measure_series(
            store, "perceptions-of-safety", "SYN-PU1", by="year"
        )
    }
    assert safety["2013/14"].upper < safety["2012/13"].lower  # reduced
    satisfaction = compare_areas(
        store, "satisfaction", "policing_unit", "E08900025", "2013/14"
    )
    assert satisfaction[-1].name == "Birmingham South"  # the worst unit
    ksi = compare_areas(store, "road-casualties-ksi", "district", "SYN-PU1", "2013/14")
    assert ksi[-1].name == "Selly Oak district"  # the worst district
    serious = measure_series(
        store, "most-serious-violence-domestic", "E08900025", by="year"
    )
    domestic = measure_series(store, "domestic-violence", "E08900025", by="year")
    # Domestic abuse up, its most serious violence down.
    assert domestic[-1].numerator > domestic[0].numerator
    assert serious[-1].numerator < serious[0].numerator
    # Birmingham South has the highest level of youth-related ASB (a rate).
    youth = compare_areas(
        store, "youth-related-asb", "policing_unit", "E08900025", "2013/14"
    )
    assert youth[-1].name == "Birmingham South"
    # Cannabis cultivation, the emerging issue, grows.
    cannabis = measure_series(store, "cannabis-cultivation", "SYN-PU1", by="year")
    assert cannabis[-1].numerator > cannabis[0].numerator


def test_birmingham_south_has_the_plans_districts_and_wards(demo_store):
    _, store, _ = demo_store
    rows = store.query(
        """
        WITH unit AS (SELECT unnest(members) AS district FROM geography
                      WHERE level = 'policing_unit' AND name = 'Birmingham South')
        SELECT d.name AS district, list_sort(list(w.name)) AS wards
        FROM geography d JOIN unit ON unit.district = d.code
        JOIN geography w ON list_contains(d.members, w.code) AND w.level = 'ward'
        GROUP BY d.name ORDER BY d.name
        """
    ).to_pylist()
    assert rows == [
        {"district": "Edgbaston district",
         "wards": ["Bartley Green", "Edgbaston", "Harborne", "Quinton"]},
        {"district": "Northfield district",
         "wards": ["Kings Norton", "Longbridge", "Northfield", "Weoley"]},
        {"district": "Selly Oak district",
         "wards": ["Billesley", "Bournville", "Brandwood", "Selly Oak"]},
    ]  # fmt: skip
    units = store.query(
        "SELECT count(*) AS n FROM geography WHERE level = 'policing_unit'"
    ).to_pylist()
    assert units == [{"n": 4}]  # the south and three comparators


def test_six_financial_years_of_monthly_crime_around_the_plan(demo_store):
    _, store, _ = demo_store
    months = store.months("street_crime")
    assert (months[0], months[-1], len(months)) == ("2010-04", "2016-03", 72)


def test_every_lsoa_has_a_boundary_and_population(demo_store):
    _, store, _ = demo_store
    [row] = store.query(
        """
        SELECT count(*) AS lsoas,
               count(b.code) AS with_boundary,
               count(p.area_code) AS with_population
        FROM geography g
        LEFT JOIN boundaries b ON b.code = g.code
        LEFT JOIN population p ON p.area_code = g.code AND p.year = 2014
             AND p.age_band = 'all' AND p.sex = 'all'
        WHERE g.level = 'lsoa'
        """
    ).to_pylist()
    assert row["lsoas"] == row["with_boundary"] == row["with_population"] > 100


def test_the_planted_step_change_is_there_to_find(demo_store):
    _, store, _ = demo_store
    [row] = store.query(
        """
        SELECT avg(n) FILTER (WHERE month < '2014-04') AS before,
               avg(n) FILTER (WHERE month >= '2014-04') AS after
        FROM (SELECT month, count(*) AS n FROM street_crime
              WHERE is_asb AND lsoa_name LIKE 'Bournville %' GROUP BY month)
        """
    ).to_pylist()
    assert row["after"] < 0.8 * row["before"]


def test_running_the_demo_again_changes_nothing(demo_store):
    data_dir, store, _ = demo_store
    before = store.last_load_number()
    again = build_demo(data_dir)
    assert all(report.number is None for report in again)
    assert store.last_load_number() == before


def test_local_extract_keeps_domestic_violence_apart_and_has_repeat_victims(
    demo_store,
):
    _, store, _ = demo_store
    [row] = store.query(
        """
        SELECT avg(domestic_abuse::INT) FILTER (WHERE month < '2011-04') AS first,
               avg(domestic_abuse::INT) FILTER (WHERE month >= '2015-04') AS last,
               count(*) FILTER (WHERE hate_crime) AS hate
        FROM local_crimes WHERE ho_group = 'Violence against the person'
        """
    ).to_pylist()
    assert 0.25 < row["first"] < row["last"] < 0.45
    assert row["hate"] > 0
    [repeat] = store.query(
        "SELECT count(*) AS victims FROM (SELECT victim_id FROM local_crimes "
        "WHERE domestic_abuse GROUP BY 1 HAVING count(*) > 1)"
    ).to_pylist()
    assert repeat["victims"] > 100


def test_every_outcome_row_is_of_a_street_crime_of_an_earlier_month(demo_store):
    _, store, _ = demo_store
    [row] = store.query(
        "SELECT count(*) AS outcomes, count(crime.crime_id) AS linked, "
        "count(*) FILTER (WHERE outcome.month < crime.month) AS too_early "
        "FROM outcomes AS outcome LEFT JOIN street_crime AS crime USING (crime_id)"
    ).to_pylist()
    assert row["outcomes"] > 0
    assert row["linked"] == row["outcomes"]
    assert row["too_early"] == 0
