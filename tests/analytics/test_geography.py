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
