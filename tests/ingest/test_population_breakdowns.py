"""Population sources keep their own breakdowns: all residents (Census
TS001) never replace residents by ethnic group (TS021), age or sex, nor the
reverse, whatever the order of loads; a corrected file of the same
breakdown and year still replaces it."""

from __future__ import annotations

from pathlib import Path

import pytest

from saferplaces.analytics.measures.population import population_by_year
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.ingest.conftest import write_csv
from tests.ingest.test_population_by_ethnicity import TS021

TS001_HEADER = "total,2021 super output area - lower layer,mnemonic\n"
REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "population"


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


def test_a_population_table_kept_by_year_alone_is_refused_with_what_to_do(store, ts001):
    import pyarrow as pa

    from saferplaces.ingest.reading import FileRefused

    # The layout before breakdowns were kept apart: partitioned by year.
    old = pa.table({"area_code": ["E01900001"], "year": pa.array([2021], pa.int32()),
                    "population": [1000]})  # fmt: skip
    with store.writer_lock():
        store.commit(
            "population",
            pa.RecordBatchReader.from_batches(old.schema, old.to_batches()),
            partition_by=["year"],
            make_record=lambda _: {"number": 1, "source": "population", "files": []},
        )
    with pytest.raises(FileRefused, match="by year, and this version by year, "):
        run_load(store, get_source("population"), [ts001])
