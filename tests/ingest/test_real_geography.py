"""The real ONS lookups, boundaries and Census population in ../shared/data."""

from __future__ import annotations

import pytest

from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import SHARED_DATA

SHARED = SHARED_DATA
BIRMINGHAM = "E08000025"

pytestmark = pytest.mark.skipif(
    not (SHARED / "geography").is_dir(),
    reason=f"real geography files are not here ({SHARED.resolve()}); "
    "they are never committed, so this test runs only beside ../shared/data",
)


def test_birmingham_has_639_lsoa11s_in_69_wards(store):
    run_load(
        store,
        get_source("geography"),
        [SHARED / "geography" / "LSOA11_WD19_LAD19_EW_LU.csv"],
    )
    counts = store.query(
        "SELECT level, count(*) AS n FROM geography "
        "WHERE list_contains(parents, ?) OR code = ? GROUP BY level ORDER BY level",
        [BIRMINGHAM, BIRMINGHAM],
    ).to_pylist()
    assert counts == [
        {"level": "local_authority", "n": 1},
        {"level": "lsoa", "n": 639},
        {"level": "ward", "n": 69},
    ]


def test_imd_lookup_with_bom_and_crlf_loads_every_row(store):
    report = run_load(
        store, get_source("geography"), [SHARED / "geography" / "imd_lookups.csv"]
    )
    assert (report.rows_read, report.rejected) == (33_755, 0)


def test_census_population_of_birmingham(store):
    run_load(store, get_source("geography"), [SHARED / "geography" / "imd_lookups.csv"])
    run_load(store, get_source("population"), [SHARED / "population"])
    [row] = store.query(
        "SELECT sum(p.population) AS residents, count(*) AS lsoas "
        "FROM population p JOIN geography g ON g.code = p.area_code "
        "WHERE g.level = 'lsoa' AND list_contains(g.parents, ?)",
        [BIRMINGHAM],
    ).to_pylist()
    assert row == {"residents": 1_144_925, "lsoas": 659}


def test_boundaries_of_birmingham_lsoas_and_south_wards(store):
    report = run_load(store, get_source("boundaries"), [SHARED / "geography"])
    assert (report.accepted, report.rejected) == (659 + 20, 0)


@pytest.mark.parametrize("codes_only_first", [True, False])
def test_birminghams_wards_keep_their_names_and_appear_once(store, codes_only_first):
    from saferplaces.analytics.geography import areas_of_level, children, parent

    files = [
        SHARED / "geography" / "WD19_LAD19_UK_LU.csv",
        SHARED / "geography" / "LSOA11_WD19_LAD19_EW_LU.csv",
    ]
    codes_only = SHARED / "geography" / "imd_lookups.csv"
    files = [codes_only, *files] if codes_only_first else [*files, codes_only]
    for file in files:
        run_load(store, get_source("geography"), [file])
    wards = children(store, BIRMINGHAM)
    assert len(wards) == len({ward.code for ward in wards}) == 69
    assert not [ward for ward in wards if ward.name == ward.code]
    stirchley = [w for w in areas_of_level(store, "ward") if w.name == "Stirchley"]
    assert [ward.code for ward in stirchley] == ["E05011172"]
    assert {getattr(parent(store, ward.code), "code", None) for ward in wards} == {
        BIRMINGHAM
    }


# The 20 wards of Birmingham South's three districts (PROVENANCE.md).
SOUTH_WARDS = [
    "E05011119", "E05011123", "E05011124", "E05011128", "E05011129",
    "E05011130", "E05011133", "E05011134", "E05011136", "E05011144",
    "E05011146", "E05011148", "E05011149", "E05011152", "E05011157",
    "E05011158", "E05011163", "E05011164", "E05011172", "E05011184",
]  # fmt: skip


def test_a_partnership_in_a_national_lookup_sits_in_birmingham(store, tmp_path):
    from saferplaces.analytics.geography import children, parent

    areas = tmp_path / "south.yaml"
    areas.write_text(
        "areas:\n"
        f"  - {{code: BS-LPU, name: Birmingham South, level: policing_unit, "
        f"contains: [{', '.join(SOUTH_WARDS)}]}}\n"
    )
    for file in (SHARED / "geography" / "LSOA11_WD19_LAD19_EW_LU.csv", areas):
        run_load(store, get_source("geography"), [file])
    above = parent(store, "BS-LPU")
    assert above is not None
    assert (above.code, above.name) == (BIRMINGHAM, "Birmingham")
    assert [unit.code for unit in children(store, BIRMINGHAM)] == ["BS-LPU"]
    assert [unit.code for unit in children(store, "E06000001")] != ["BS-LPU"]
