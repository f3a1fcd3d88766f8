"""Indices of deprivation by LSOA (issue 29, finding 6: the IMD columns were
dropped on load without a word)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "deprivation"


def _rows(store, edition):
    return {
        row["lsoa_code"]: (row["score"], row["rank"], row["decile"])
        for row in store.query(
            "SELECT lsoa_code, score, rank, decile FROM deprivation "
            "WHERE edition = ? ORDER BY lsoa_code",
            [edition],
        ).to_pylist()
    }


def test_scores_only_are_ranked_across_the_english_lsoas_of_the_file(store):
    report = run_load(store, get_source("imd"), [FIXTURES / "imd-2025-lookup.csv"])
    # 20 English rows ranked; line 22 has no score, line 23 is Welsh.
    assert (report.accepted, report.rejected) == (20, 2)
    rows = _rows(store, "IMD 2025")
    # Highest score (55.5) is rank 1; 20 LSOAs make deciles of 2: decile is
    # ceil(rank * 10 / 20).
    assert rows["E01900001"] == (55.5, 1, 1)
    assert rows["E01900006"] == (35.0, 6, 3)
    # 30.0 twice: both take the better rank, 7 (decile ceil(7 / 2) = 4).
    assert rows["E01900007"] == (30.0, 7, 4)
    assert rows["E01900008"] == (30.0, 7, 4)
    assert rows["E01900009"] == (27.75, 9, 5)
    assert rows["E01900020"] == (2.5, 20, 10)
    lines = {line: reason for _, line, _, _, reason in _rejects(report)}
    assert "must be a number" in lines[22]
    assert "English" in lines[23]
    [vintage] = store.query("SELECT DISTINCT vintage FROM deprivation").to_pylist()
    assert vintage == {"vintage": "2021"}


def test_postcode_layout_gives_one_row_per_lsoa_and_rejects_a_conflict(store):
    report = run_load(store, get_source("imd"), [FIXTURES / "imd-2019-postcodes.csv"])
    rows = _rows(store, "IMD 2019")
    assert rows == {
        "E01900001": (None, 604, 1),
        "E01900002": (None, 30121, 10),
        "E01900003": (None, 13166, 5),
    }
    lines = {line: reason for _, line, _, _, reason in _rejects(report)}
    # Line 5 gives E01900001 rank 605 where line 2 gave 604.
    assert set(lines) == {5, 7}
    assert "line 2" in lines[5]
    assert "604" in lines[5]
    assert "1 to 10" in lines[7]
    assert any("postcode rows" in note for note in _notes(report))


def test_the_mhclg_file_7_layout_loads_score_rank_and_decile(store):
    report = run_load(store, get_source("imd"), [FIXTURES / "iod2019-file7.csv"])
    assert (report.accepted, report.rejected) == (3, 1)
    rows = _rows(store, "IMD 2019")
    assert rows["E01900001"] == (64.1, 604, 1)
    assert rows["E01900003"] == (21.9, 13166, 5)
    [vintage] = store.query("SELECT DISTINCT vintage FROM deprivation").to_pylist()
    assert vintage == {"vintage": "2011"}


def test_the_welsh_index_ranks_welsh_lsoas_into_deciles(store):
    report = run_load(store, get_source("imd"), [FIXTURES / "wimd-2019-ranks.csv"])
    assert (report.accepted, report.rejected) == (10, 1)
    rows = _rows(store, "WIMD 2019")
    # Ten Welsh LSOAs: each is a tenth, so the decile is the rank.
    assert [rows[f"W019{r:05d}"] for r in (1, 5, 10)] == [
        (None, 1, 1),
        (None, 5, 5),
        (None, 10, 10),
    ]
    [(_, line, _, _, reason)] = _rejects(report)
    assert line == 12
    assert "Welsh" in reason


def test_a_file_with_no_deprivation_columns_is_refused_whole(store, tmp_path):
    wrong = tmp_path / "wards.csv"
    wrong.write_text("WD19CD,WD19NM\nE05011118,Selly Oak\n")
    with pytest.raises(Exception, match="is not an index of deprivation"):
        run_load(store, get_source("imd"), [wrong])
    assert "deprivation" not in store.tables()


def test_geography_says_where_the_imd_score_it_leaves_goes(store):
    report = run_load(
        store, get_source("geography"), [FIXTURES / "imd-2025-lookup.csv"]
    )
    assert any(
        "IMDSCORE" in note and "saferplaces ingest imd" in note
        for note in _notes(report)
    )


def test_postcodes_say_where_the_imd_rank_and_decile_go(store):
    report = run_load(
        store, get_source("postcodes"), [FIXTURES / "imd-2019-postcodes.csv"]
    )
    assert any("saferplaces ingest imd" in note for note in _notes(report))


def _rejects(report):
    """(file, line, field, value, reason) of each rejected row."""
    if report.rejects_path is None:
        return []
    with open(report.rejects_path, newline="") as handle:
        return [
            (r["file"], int(r["line"]), r["field"], r["value"], r["reason"])
            for r in csv.DictReader(handle)
        ]


def _notes(report):
    return [note for result in report.files for note in result.notes]


def test_mhclg_file_1_takes_its_edition_from_its_districts_year(store, tmp_path):
    # IoD2015's File 1: districts of 2013; the rank and decile, no score.
    file_1 = tmp_path / "File_1_ID_2015_Index_of_Multiple_Deprivation.csv"
    file_1.write_text(
        "LSOA code (2011),LSOA name (2011),Local Authority District code (2013),"
        "Local Authority District name (2013),"
        "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived),"
        "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% "
        "of LSOAs)\n"
        "E01900001,Anytown 001A,E08900001,Anytown,700,1\n"
    )
    run_load(store, get_source("imd"), [file_1])
    assert _rows(store, "IMD 2015") == {"E01900001": (None, 700, 1)}
