"""Population sources keep their own breakdowns: all residents (Census
TS001) never replace residents by ethnic group (TS021), age or sex, nor the
reverse, whatever the order of loads; a corrected file of the same
breakdown and year still replaces it."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import CommitProperties, DeltaTable, write_deltalake

from saferplaces.analytics.measures.groups import disproportionality
from saferplaces.analytics.measures.population import population_by_year
from saferplaces.analytics.store import LOAD_KEY
from saferplaces.ingest import loader
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.reading import FileRefused
from saferplaces.ingest.sources import get_source
from tests.support import EXTRACT, SHARED_DATA, TS021, write_csv

TS001_HEADER = "total,2021 super output area - lower layer,mnemonic\n"
REAL = SHARED_DATA / "population"


def residents_by_ethnicity(store) -> dict[str, int]:
    rows = store.query(
        "SELECT ethnicity, population FROM population "
        "WHERE area_code = 'E01900001' AND ethnicity <> 'all'"
    ).to_pylist()
    return {row["ethnicity"]: row["population"] for row in rows}


def all_residents(store, lsoa: str = "E01900001") -> dict[int, float]:
    return population_by_year(store, [lsoa], None)


@pytest.fixture
def ts001(tmp_path) -> Path:
    return write_csv(
        tmp_path / "ts001.csv", TS001_HEADER + "1000,Hand-made 001A,E01900001\n"
    )


def test_all_residents_loaded_after_ethnic_groups_keep_both(store, ts001):
    run_load(store, get_source("population"), [TS021])
    run_load(store, get_source("population"), [ts001])
    assert residents_by_ethnicity(store) == {
        "Asian": 300, "Black": 100, "Mixed": 50, "Other": 50, "White": 500,
    }  # fmt: skip
    assert all_residents(store) == {2021: 1000.0}


def test_ethnic_groups_loaded_after_all_residents_keep_both(store, ts001):
    # Was refused as a shrink (5 rows by ethnic group "replacing" 1), and
    # with --allow-shrink the rates lost their residents.
    run_load(store, get_source("population"), [ts001])
    report = run_load(store, get_source("population"), [TS021])
    assert report.accepted == 2
    assert all_residents(store) == {2021: 1000.0}
    assert sum(residents_by_ethnicity(store).values()) == 1000


def test_age_and_sex_rows_and_all_residents_of_one_year_keep_each_other(
    store, tmp_path
):
    header = "area_code,year,age_band,sex,population\n"
    by_age = write_csv(
        tmp_path / "by-age.csv",
        header + "E01900001,2021,10-17,female,90\nE01900001,2021,10-17,male,80\n",
    )
    run_load(store, get_source("population"), [by_age])
    run_load(store, get_source("population"), [TS021])
    everyone = write_csv(tmp_path / "all.csv", header + "E01900001,2021,all,all,990\n")
    run_load(store, get_source("population"), [everyone])
    assert all_residents(store) == {2021: 990.0}
    [people] = store.query(
        "SELECT sum(population) AS n FROM population WHERE age_band = '10-17'"
    ).to_pylist()
    assert people["n"] == 170
    assert sum(residents_by_ethnicity(store).values()) == 1000


def test_a_corrected_file_of_the_same_breakdown_replaces_it(store, tmp_path, ts001):
    run_load(store, get_source("population"), [TS021, ts001])
    corrected = write_csv(
        tmp_path / "ts001-corrected.csv",
        TS001_HEADER + "1010,Hand-made 001A,E01900001\n",
    )
    report = run_load(store, get_source("population"), [corrected])
    assert all_residents(store) == {2021: 1010.0}
    assert [(r["year"], r["breakdown"], r["rows"]) for r in report.replaced] == [
        ("2021", "all", 1)
    ]
    assert sum(residents_by_ethnicity(store).values()) == 1000


@pytest.mark.skipif(
    not (REAL / "TS001_usual_residents_LSOA2021.csv").is_file(),
    reason=f"needs the real Census TS001 file in {REAL} (PROVENANCE.md)",
)
def test_real_ts001_after_ethnic_groups_keeps_them(store, tmp_path):
    # A hand-made TS021 row for a real Birmingham LSOA, then the real TS001.
    ts021 = write_csv(
        tmp_path / "ts021.csv",
        TS021.read_text().splitlines()[0]
        + "\n2021,Birmingham 001A,E01008881,1500,300,40,200,100,850,50\n",
    )
    run_load(store, get_source("population"), [ts021])
    run_load(
        store, get_source("population"), [REAL / "TS001_usual_residents_LSOA2021.csv"]
    )
    groups = store.query(
        "SELECT sum(population) AS n FROM population "
        "WHERE area_code = 'E01008881' AND ethnicity <> 'all'"
    ).to_pylist()
    assert groups[0]["n"] == 1500
    assert all_residents(store, "E01008881")[2021] > 0


def kept_by_year_alone(store) -> None:
    """A population table as loads wrote it before breakdowns were kept
    apart (01a81cb^): partitioned by year alone, no breakdown column. Load 1
    holds 2020's residents (all, and 10-17 by sex) and 2021 by ethnic group
    (which had replaced 2021's all residents, the fault this upgrade mends)."""
    old = pa.table(
        {
            "area_code": ["E01900001"] * 8,
            "year": [2020, 2020, 2020, 2021, 2021, 2021, 2021, 2021],
            "age_band": ["all", "10-17", "10-17", *["all"] * 5],
            "sex": ["all", "female", "male", *["all"] * 5],
            "ethnicity": [*["all"] * 3, "Asian", "Black", "Mixed", "Other", "White"],
            "population": [950, 85, 75, 300, 100, 50, 50, 500],
            "source_file": [*["mye-2020.csv"] * 3, *["ts021.csv"] * 5],
            "source_line": [2, 3, 4, 2, 2, 2, 2, 2],
        },
        schema=OLD_POPULATION_SCHEMA,
    )
    record = {"number": 1, "source": "population", "files": [], "replaced": []}
    write_deltalake(
        str(store.root / "population"),
        old,
        partition_by=["year"],
        commit_properties=CommitProperties(
            custom_metadata={LOAD_KEY: json.dumps(record)}
        ),
    )


OLD_POPULATION_SCHEMA = pa.schema(
    [
        ("area_code", pa.string()),
        ("year", pa.int32()),
        ("age_band", pa.string()),
        ("sex", pa.string()),
        ("ethnicity", pa.string()),
        ("population", pa.int64()),
        ("source_file", pa.string()),
        ("source_line", pa.int32()),
    ]
)


def rows_by_breakdown(store, as_of=None) -> dict[tuple[int, str], int]:
    rows = store.query(
        "SELECT year, breakdown, sum(population) AS n FROM population "
        "WHERE area_code = 'E01900001' GROUP BY ALL",
        as_of=as_of,
    ).to_pylist()
    return {(row["year"], row["breakdown"]): row["n"] for row in rows}


def test_a_population_table_kept_by_year_alone_is_upgraded_by_the_next_load(
    store, ts001
):
    kept_by_year_alone(store)
    first = run_load(store, get_source("population"), [ts001])
    second = run_load(store, get_source("population"), [TS021])
    # Load 2 is the upgrade (its own commit), then TS001 (3) and TS021 (4).
    assert (first.number, second.number) == (3, 4)
    assert first.upgraded == (
        "the store's population table was kept by year alone, now by year and "
        "breakdown: upgraded in place as load 2, keeping its 8 rows"
    )
    # The terminal report prints a file's notes: the one line that says so.
    assert first.files[0].notes[0] == first.upgraded
    assert second.upgraded is None
    assert rows_by_breakdown(store) == {
        (2020, "all"): 950,
        (2020, "age_sex"): 160,
        (2021, "all"): 1000,
        (2021, "ethnicity"): 1000,
    }
    # TS021 replaced the upgraded rows by ethnic group, and only those.
    assert [(r["year"], r["breakdown"], r["rows"]) for r in second.replaced] == [
        ("2021", "ethnicity", 5)
    ]
    assert all_residents(store) == {2020: 950.0, 2021: 1000.0}
    assert residents_by_ethnicity(store) == {
        "Asian": 300, "Black": 100, "Mixed": 50, "Other": 50, "White": 500,
    }  # fmt: skip
    run_load(store, get_source("local-crimes"), [EXTRACT])
    shares = disproportionality(
        store, "recorded-crime-local", "E01900001", "victim_ethnicity", "2023/24"
    )
    # E01900001: 300 of its 1,000 residents are Asian.
    assert {s.group: s.share_of_population for s in shares}["Asian"] == (
        pytest.approx(0.3)
    )


def test_the_upgrade_is_one_load_in_the_history_that_rewrites_no_file(store, ts001):
    kept_by_year_alone(store)
    run_load(store, get_source("population"), [ts001])
    upgrade = store.loads("population")[1]
    assert (upgrade.number, upgrade.delta_version, upgrade.files) == (2, 1, [])
    assert upgrade.replaced == [
        {"layout": "kept by year alone, now by year and breakdown", "rows": 8}
    ]
    assert DeltaTable(str(store.root / "population")).metadata().partition_columns == [
        "year",
        "breakdown",
    ]


def test_an_upgraded_population_table_still_reads_as_it_was_before(store, ts001):
    kept_by_year_alone(store)
    run_load(store, get_source("population"), [ts001])
    assert rows_by_breakdown(store, as_of=2) == {
        (2020, "all"): 950, (2020, "age_sex"): 160, (2021, "ethnicity"): 1000,
    }  # fmt: skip
    [before] = store.query(
        "SELECT count(*) AS n, sum(population) AS people FROM population", as_of=1
    ).to_pylist()
    assert before == {"n": 8, "people": 2110}
    assert "breakdown" not in store.columns("population", as_of=1)


def test_a_failed_upgrade_leaves_the_table_as_it_was(store, ts001, monkeypatch):
    kept_by_year_alone(store)

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(loader, "write_deltalake", disk_full)
    with pytest.raises(FileRefused) as refused:
        run_load(store, get_source("population"), [ts001])
    assert refused.value.name == "population"
    assert refused.value.reason == (
        "is kept by year alone, as an older version of saferplaces wrote it, "
        "and could not be rewritten by year and breakdown: it is as it was and "
        "nothing was loaded. Check that the store can be written to (space, "
        "permissions) and load again"
    )
    table = DeltaTable(str(store.root / "population"))
    assert (table.version(), table.metadata().partition_columns) == (0, ["year"])
    assert [load.number for load in store.loads()] == [1]
    assert table.to_pyarrow_table().num_rows == 8


def test_a_file_refused_after_the_upgrade_says_the_upgrade_stays(store, tmp_path):
    kept_by_year_alone(store)
    # TS021 without its column of White residents.
    header, row = TS021.read_text().splitlines()[:2]
    cut = write_csv(
        tmp_path / "ts021-cut.csv",
        "\n".join(",".join(line.split(",")[:-2]) for line in (header, row)) + "\n",
    )
    with pytest.raises(FileRefused, match=r"nothing of this load was written\)$") as e:
        run_load(store, get_source("population"), [cut])
    assert "upgraded in place as load 2, keeping its 8 rows" in e.value.reason
    assert [load.number for load in store.loads()] == [1, 2]
    assert rows_by_breakdown(store)[(2021, "ethnicity")] == 1000


def test_another_table_kept_by_other_columns_is_still_refused(store, tmp_path):
    geography = get_source("geography")
    old = pa.table({"code": ["E01900001"], "level": ["lsoa"]})
    write_deltalake(str(store.root / geography.table), old, partition_by=["level"])
    lookup = write_csv(
        tmp_path / "lookup.csv", "LSOA21CD,LSOA21NM\nE01900001,Hand-made 001A\n"
    )
    with pytest.raises(FileRefused, match="by level, and this version by level, "):
        run_load(store, geography, [lookup])
    table = DeltaTable(str(store.root / geography.table))
    assert table.metadata().partition_columns == ["level"]
