"""A partnership's or policing unit's parent is the local authority that
contains it, never the first in code order (issue 29, fault 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from saferplaces.analytics.geography import children, parent
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import GEOGRAPHY, store_copied_from, write_csv

ANYTOWN, OTHERTOWN = "E08900001", "E06900001"  # Othertown is coded lower
AREAS = """\
areas:
  - {code: ANY-CSP, name: Anytown partnership, level: partnership,
     contains: [E05900001, E05900002]}
  - {code: ANY-LPU, name: Anytown South unit, level: policing_unit,
     contains: [E05900003]}
  - {code: ACROSS-LPU, name: Border unit, level: policing_unit,
     contains: [E05900002, E05900004]}
"""


@pytest.fixture(scope="module")
def loaded_once(tmp_path_factory) -> Path:
    """Loaded once for the module; each test has a copy."""
    tmp_path = tmp_path_factory.mktemp("parents")
    store = Store(tmp_path / "store")
    areas = write_csv(tmp_path / "areas.yaml", AREAS)
    for file in (GEOGRAPHY / "lsoa11-wd19-lad19-ew-lu.csv", areas):
        run_load(store, get_source("geography"), [file])
    return store.root


@pytest.fixture
def store(loaded_once, tmp_path) -> Store:
    return store_copied_from(loaded_once, tmp_path)


def test_a_partnership_sits_in_the_local_authority_that_contains_it(store):
    above = parent(store, "ANY-CSP")
    assert above is not None
    assert (above.code, above.name) == (ANYTOWN, "Anytown")


def test_a_policing_unit_sits_in_the_local_authority_that_contains_it(store):
    above = parent(store, "ANY-LPU")
    assert above is not None
    assert above.code == ANYTOWN


def test_an_area_across_two_local_authorities_has_no_parent(store):
    assert parent(store, "ACROSS-LPU") is None


def test_a_local_authority_lists_only_the_policing_units_inside_it(store):
    assert [a.code for a in children(store, ANYTOWN)] == ["ANY-LPU"]
    assert [a.code for a in children(store, OTHERTOWN)] == ["E05900004"]


def test_an_lsoa_sits_in_its_ward_not_the_first_parent_in_code_order(tmp_path):
    # imd_lookups.csv gives each LSOA an MSOA (E02), a ward (E05), a
    # constituency and a council: the MSOA's code sorts first.
    store = Store(tmp_path / "store")
    run_load(store, get_source("geography"), [GEOGRAPHY / "imd-lookups-codes-only.csv"])
    above = parent(store, "E01900001")
    assert above is not None
    assert (above.code, above.level) == ("E05900001", "ward")
    ward_above = parent(store, "E05900001")
    assert ward_above is not None
    assert ward_above.code == ANYTOWN
