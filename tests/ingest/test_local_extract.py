"""The local force crime extract: flags, crime tree, demographics, pseudonyms."""

from __future__ import annotations

import csv

from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import EXTRACT


def test_good_rows_load_with_flags_and_demographics(store):
    report = run_load(store, get_source("local-crimes"), [EXTRACT])
    assert (report.accepted, report.rejected) == (4, 4)
    rows = store.query(
        "SELECT crime_reference, month, force, domestic_abuse, hate_crime, "
        "hate_strands, victim_sex FROM local_crimes ORDER BY crime_reference"
    ).to_pylist()
    assert rows[1] == {
        "crime_reference": "20/1002/24", "month": "2024-01", "force": "west-midlands",
        "domestic_abuse": False, "hate_crime": True,
        "hate_strands": ["race", "religion"], "victim_sex": "male",
    }  # fmt: skip


def test_domestic_and_non_domestic_violence_can_be_kept_apart(store):
    run_load(store, get_source("local-crimes"), [EXTRACT])
    rows = store.query(
        "SELECT domestic_abuse, count(*) AS n FROM local_crimes "
        "WHERE ho_group = 'Violence against the person' GROUP BY 1 ORDER BY 1"
    ).to_pylist()
    assert rows == [
        {"domestic_abuse": False, "n": 1},
        {"domestic_abuse": True, "n": 2},
    ]


def test_repeat_victims_are_found_by_pseudonym(store):
    run_load(store, get_source("local-crimes"), [EXTRACT])
    repeats = store.query(
        "SELECT victim_id, count(*) AS n FROM local_crimes "
        "WHERE victim_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1"
    ).to_pylist()
    assert repeats == [{"victim_id": "v-7f3a9c21", "n": 2}]


def test_bad_rows_are_reported_and_personal_data_is_refused(store):
    report = run_load(store, get_source("local-crimes"), [EXTRACT])
    with open(report.rejects_path, newline="") as handle:
        rejects = {(int(r["line"]), r["field"]) for r in csv.DictReader(handle)}
    assert rejects == {
        (6, "recorded_date"),
        (7, "ho_subgroup"),
        (8, "hate_strands"),
        (9, "victim_id"),
    }
    stored = store.query("SELECT victim_id FROM local_crimes").to_pylist()
    assert {"victim_id": "Jane Smith 1980-02-01"} not in stored
    assert "Jane Smith" not in report.rejects_path.read_text()
