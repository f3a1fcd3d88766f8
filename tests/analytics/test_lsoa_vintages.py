"""Crimes coded to 2011 LSOAs count in today's (2021) areas through the ONS
LSOA (2011) to LSOA (2021) lookup, and every figure that used it says so;
records whose LSOA the geography does not know are said, not dropped in
silence (issue 29, fault 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from saferplaces.analytics.measures.series import measure_series
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import GEOGRAPHY, load_crimes, store_copied_from

CHANGES = GEOGRAPHY / "lsoa11-lsoa21-lad22-lu.csv"
TODAY = GEOGRAPHY / "imd-lookups-codes-only.csv"  # 2021 LSOAs in 2025 wards
OAK, ELM, STIRCHLEY, ANYTOWN = "E05900001", "E05900002", "E05900003", "E08900001"
# October 2016, coded as police.uk coded it then (2011 LSOAs):
CRIMES = [
    ("2016-10", "E01900001", 2),  # unchanged, in Oak
    ("2016-10", "E01900002", 3),  # split into E01900101 and E01900102 (Oak)
    ("2016-10", "E01900005", 4),  # merged with E01900006 into E01900104
    ("2016-10", "E01900006", 5),  # (Stirchley)
    ("2016-10", "E01900007", 1),  # redrawn (X): E01900105 (Elm)
    ("2016-10", "E01900008", 6),  # redrawn (X): E01900105 (Elm), E01900106
    ("2016-10", "E01999999", 7),  # a code no lookup knows
]


def crimes_in(store: Store, code: str):
    [point] = measure_series(store, "total-recorded-crime", code)
    return point


@pytest.fixture(scope="module")
def loaded_once(tmp_path_factory) -> Path:
    """Today's LSOAs, their changes and the crimes, loaded once for the
    module; each test has a copy."""
    folder = tmp_path_factory.mktemp("vintages")
    store = Store(folder / "store")
    run_load(store, get_source("geography"), [TODAY])
    run_load(store, get_source("geography"), [CHANGES])
    load_crimes(store, folder, CRIMES)
    return store.root


@pytest.fixture
def store(loaded_once, tmp_path) -> Store:
    return store_copied_from(loaded_once, tmp_path)


def test_crimes_in_merged_lsoas_count_in_the_2021_lsoa(store):
    stirchley = crimes_in(store, STIRCHLEY)
    assert stirchley.numerator == 4 + 5
    assert (
        "records coded to 2011 LSOAs were counted in 2021 LSOAs using "
        "lsoa11-lsoa21-lad22-lu.csv" in stirchley.note
    )
    assert "split" not in stirchley.note


def test_a_split_lsoas_crimes_count_once_in_the_first_2021_lsoa(store):
    # E01900008 became E01900105 (Elm) and E01900106 (Stirchley): its six
    # crimes count in E01900105, first in code order, and nowhere else.
    elm = crimes_in(store, ELM)
    assert elm.numerator == 1 + 6
    assert (
        "6 records in split LSOAs were placed in the first of their 2021 LSOAs "
        "in code order" in elm.note
    )
    oak = crimes_in(store, OAK)
    assert oak.numerator == 2 + 3
    assert "3 records in split LSOAs" in oak.note


def test_the_local_authority_counts_every_placed_crime_and_says_what_it_cannot(
    store,
):
    anytown = crimes_in(store, ANYTOWN)
    assert anytown.numerator == 2 + 3 + 4 + 5 + 1 + 6
    assert (
        "7 records in these months had LSOA codes the geography does not know "
        "and are counted in no area" in anytown.note
    )


def test_without_the_lookup_unknown_2011_lsoas_are_said_not_dropped(tmp_path):
    store = Store(tmp_path / "store")
    run_load(store, get_source("geography"), [TODAY])
    load_crimes(store, tmp_path, CRIMES)
    anytown = crimes_in(store, ANYTOWN)
    # Only the unchanged LSOA (E01900001) is known in 2021.
    assert anytown.numerator == 2
    # 3 + 4 + 5 + 1 + 6 + 7 crimes in LSOAs the 2021 geography lacks.
    assert (
        "26 records in these months had LSOA codes the geography does not "
        "know and are counted in no area" in anytown.note
    )


def test_a_ranking_of_wards_says_what_the_lookup_did(store):
    from saferplaces.analytics.measures.areas import compare_areas

    ranked = {
        row.area_code: row
        for row in compare_areas(
            store, "total-recorded-crime", "ward", ANYTOWN, "2016-10", by="month"
        )
    }
    assert ranked[STIRCHLEY].numerator == 9
    assert "using lsoa11-lsoa21-lad22-lu.csv" in ranked[STIRCHLEY].statement
    assert "6 records in split LSOAs" in ranked[ELM].statement
    assert "7 records in these months had LSOA codes" in ranked[OAK].statement


def test_a_published_figures_note_gives_no_counts_of_its_own(store):
    # A perturbed figure's words must not carry exact counts beside it.
    from saferplaces.analytics.measures.registry import get_measure
    from saferplaces.analytics.measures.series import Placing

    placing = Placing.of(
        store, get_measure("total-recorded-crime"), ["E01900008", "E01900105"], None
    )
    assert placing.note(["2016-10"]).startswith("records coded to 2011 LSOAs")
    published = placing.note(["2016-10"], exact=False)
    assert "records in split LSOAs" in published
    assert "Some records in these months had LSOA codes" in published
    assert "6 records" not in published
    assert "7 records" not in published


def test_a_ward_lists_todays_lsoas_not_the_2011_ones_they_replaced(tmp_path):
    from saferplaces.analytics.geography import areas_of_level, children

    store = Store(tmp_path / "store")
    for file in (GEOGRAPHY / "lsoa11-wd19-lad19-ew-lu.csv", TODAY, CHANGES):
        run_load(store, get_source("geography"), [file])
    # E01900002 (2011) became E01900101 and E01900102: one place, once.
    assert [a.code for a in children(store, OAK)] == [
        "E01900001",
        "E01900101",
        "E01900102",
    ]
    lsoas = [a.code for a in areas_of_level(store, "lsoa")]
    assert "E01900002" not in lsoas
    assert "E01900101" in lsoas
