"""Each lookup file's areas are kept apart: a file replaces what a file of
its name loaded before and adds to what others loaded (issue 29, fault 3)."""

from __future__ import annotations

import json

from deltalake import CommitProperties, write_deltalake

from saferplaces.analytics.geography import areas_of_level
from saferplaces.analytics.store import LOAD_KEY
from saferplaces.ingest.geography import read_lookup
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.reading import InputFile
from saferplaces.ingest.sources import get_source
from tests.support import GEOGRAPHY

UK_WARDS = GEOGRAPHY / "wd19-lad19-uk-lu.csv"
LSOAS = GEOGRAPHY / "lsoa11-wd19-lad19-ew-lu.csv"
CHANGES = GEOGRAPHY / "lsoa11-lsoa21-lad22-lu.csv"


def ward_codes(store) -> list[str]:
    return sorted(area.code for area in areas_of_level(store, "ward"))


def test_a_smaller_lookup_of_the_same_vintage_adds_to_a_larger_one(store):
    run_load(store, get_source("geography"), [UK_WARDS])
    report = run_load(store, get_source("geography"), [LSOAS])
    assert report.replaced == []
    assert "S13900001" in ward_codes(store)


def test_a_corrected_file_replaces_only_what_its_name_loaded(store, tmp_path):
    run_load(store, get_source("geography"), [UK_WARDS])
    run_load(store, get_source("geography"), [LSOAS])
    corrected = tmp_path / LSOAS.name
    corrected.write_text(LSOAS.read_text().replace("Anytown 001A", "Anytown 1A"))
    report = run_load(store, get_source("geography"), [corrected])
    assert {row["file_name"] for row in report.replaced} == {LSOAS.name}
    assert "S13900001" in ward_codes(store)


def test_a_table_kept_by_level_and_vintage_is_upgraded_by_the_next_load(store):
    # As older versions wrote it: without the file_name column.
    old = read_lookup(InputFile(UK_WARDS.name, UK_WARDS)).accepted.drop_columns(
        ["file_name"]
    )
    record = {"number": 1, "source": "geography", "files": [], "replaced": []}
    write_deltalake(
        str(store.root / "geography"),
        old,
        partition_by=["level", "vintage"],
        commit_properties=CommitProperties(
            custom_metadata={LOAD_KEY: json.dumps(record)}
        ),
    )
    report = run_load(store, get_source("geography"), [LSOAS])
    assert report.upgraded is not None
    assert "keeping its 10 rows" in report.upgraded
    assert "S13900001" in ward_codes(store)


def test_lsoa_changes_are_read_from_a_store_not_yet_upgraded(store):
    from saferplaces.analytics.geography import lsoa_changes

    for lookup in (GEOGRAPHY / "imd-lookups-codes-only.csv", CHANGES):
        old = read_lookup(InputFile(str(lookup), lookup)).accepted.drop_columns(
            ["file_name"]
        )
        write_deltalake(
            str(store.root / "geography"),
            old,
            partition_by=["level", "vintage"],
            mode="append",
        )
    changes = lsoa_changes(store)
    assert changes.files == (CHANGES.name,)
    assert changes.counted_in["E01900005"] == "E01900104"
