"""Ward names survive a newer codes-only lookup, and each area is listed
once, whatever order the lookups are loaded in (issue 29, fault 3)."""

from __future__ import annotations

from itertools import permutations

import pytest

from saferplaces.analytics.geography import (
    area,
    areas_of_level,
    children,
    name_of,
    postcode_place,
)
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import GEOGRAPHY, write_csv

# Named (WD19NM, LAD19NM) and codes-only (WD25CD, as imd_lookups.csv).
WARDS = GEOGRAPHY / "wd19-lad19-uk-lu.csv"
LSOAS = GEOGRAPHY / "lsoa11-wd19-lad19-ew-lu.csv"
CODES_ONLY = GEOGRAPHY / "imd-lookups-codes-only.csv"
ANYTOWN = "E08900001"
OAK, STIRCHLEY = "E05900001", "E05900003"


def loaded(tmp_path, files) -> Store:
    store = Store(tmp_path / "store")
    for file in files:
        run_load(store, get_source("geography"), [file])
    return store


@pytest.fixture(scope="module", params=list(permutations([WARDS, LSOAS, CODES_ONLY])))
def store(request, tmp_path_factory) -> Store:
    """The lookups loaded in one order, once for the module: its tests only
    read the store."""
    return loaded(tmp_path_factory.mktemp("lookups"), request.param)


def test_a_ward_keeps_its_name_after_a_codes_only_lookup(store):
    assert area(store, OAK).name == "Oak Ward"
    assert name_of(store, OAK) == "Oak Ward"
    assert area(store, ANYTOWN).name == "Anytown"


def test_a_local_authority_lists_each_of_its_wards_once_by_name(store):
    assert [(a.code, a.name) for a in children(store, ANYTOWN)] == [
        ("E05900002", "Elm Ward"),
        (OAK, "Oak Ward"),
        (STIRCHLEY, "Stirchley"),
    ]


def test_every_ward_appears_once_with_its_name(store):
    wards = areas_of_level(store, "ward")
    assert [(a.code, a.name) for a in wards] == [
        ("E05900004", "Abbey"),
        # Only the UK lookup has Scottish wards: a smaller lookup of the
        # same vintage loaded after it adds to it, never takes them away.
        ("S13900001", "Burnside"),
        ("E05900002", "Elm Ward"),
        (OAK, "Oak Ward"),
        (STIRCHLEY, "Stirchley"),
    ]


def test_a_ward_is_found_by_its_name(store):
    # The neighbourhood page looks a typed name up among these.
    found = [w for w in areas_of_level(store, "ward") if "stirchley" in w.name.lower()]
    assert [w.code for w in found] == [STIRCHLEY]


def test_the_newest_file_with_a_name_gives_it(tmp_path):
    renamed = write_csv(
        tmp_path / "WD23_LAD23_UK_LU.csv",
        "WD23CD,WD23NM,LAD23CD,LAD23NM\nE05900001,Oak and Acorn,E08900001,Anytown\n",
    )
    for files in ([WARDS, renamed, CODES_ONLY], [CODES_ONLY, renamed, WARDS]):
        store = loaded(tmp_path / str(len(files)) / files[0].stem, files)
        assert area(store, OAK).name == "Oak and Acorn"
        assert [a.name for a in children(store, ANYTOWN)].count("Oak and Acorn") == 1


def test_a_postcodes_ward_is_named(tmp_path):
    store = loaded(tmp_path, [CODES_ONLY, WARDS])
    directory = write_csv(
        tmp_path / "postcodes.csv",
        "Postcode,Postcode Status,LSOA Code\nB30 2AA,Live,E01900104\n",
    )
    run_load(store, get_source("postcodes"), [directory])
    place = postcode_place(store, "b30 2aa")
    assert place is not None
    assert place.ward is not None
    assert (place.ward.code, place.ward.name) == (STIRCHLEY, "Stirchley")
