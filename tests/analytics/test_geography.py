"""Resolving partnership areas to their parts, shapes and points."""

from __future__ import annotations

from pathlib import Path

from saferplaces.analytics.geography import area_codes, area_shape, lsoa_locator
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "geography"


def loaded(tmp_path) -> Store:
    store = Store(tmp_path / "store")
    run_load(store, get_source("geography"), [FIXTURES / "partnership-areas.yaml"])
    run_load(store, get_source("boundaries"), [FIXTURES / "boundaries.geojson"])
    return store


def test_a_policing_unit_resolves_through_its_districts_to_wards(tmp_path):
    assert area_codes(loaded(tmp_path), "ANY-LPU") == ["E05900001", "E05900002"]


def test_an_ordinary_code_resolves_to_itself(tmp_path):
    assert area_codes(loaded(tmp_path), "E01900001") == ["E01900001"]


def test_area_shape_unions_the_boundaries_it_has(tmp_path):
    shape = area_shape(loaded(tmp_path), "ANY-NORTH")
    assert shape.bounds == (-1.95, 52.40, -1.90, 52.45)


def test_points_outside_every_lsoa_have_no_lsoa(tmp_path):
    assert lsoa_locator(loaded(tmp_path))(52.42, -1.92) == ("", "")


def test_welsh_lsoas_of_survey_respondents_and_offenders_are_kept(tmp_path):
    # Both loaders used to keep only codes starting E01, so a Cardiff
    # respondent or offender lost their LSOA.
    from saferplaces.analytics.store import Store
    from saferplaces.ingest.loader import run_load
    from saferplaces.ingest.sources import get_source
    from saferplaces.ingest.surveys import load_questions, with_questions
    from tests.support import COHORT, QUESTIONS, SURVEY

    store = Store(tmp_path / "store")
    for original, source in (
        (SURVEY, with_questions(get_source("survey"), load_questions(QUESTIONS))),
        (COHORT, get_source("reoffending")),
    ):
        welsh = tmp_path / original.name
        welsh.write_text(original.read_text().replace("E01009001", "W01001958"))
        run_load(store, source, [welsh])
    for table in ("survey_responses", "reoffending"):
        found = store.query(
            f"SELECT count(*) AS n FROM {table} WHERE lsoa_code = 'W01001958'"
        ).to_pylist()[0]["n"]
        assert found > 0, table
