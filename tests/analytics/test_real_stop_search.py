"""Stop and search volumes on the real January 2020 files of seven forces,
against counts of the raw CSV rows (csv module)."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from saferplaces.analytics.measures.series import measure_series
from saferplaces.analytics.measures.stop_search import ethnic_group
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from saferplaces.vocabulary import SEARCH_ARREST_OUTCOMES
from tests.support import SHARED_DATA

SHARED = SHARED_DATA / "police-uk" / "stop-and-search-other-forces"

pytestmark = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason=f"real police.uk files are not here ({SHARED.resolve()}); "
    "they are never committed, so this test runs only beside ../shared/data",
)


def raw_rows() -> dict[str, list[dict[str, str]]]:
    """{force: rows} from the file names (2020-01-FORCE-stop-and-search.csv)."""
    found = {}
    for path in sorted(SHARED.glob("*/*-stop-and-search.csv")):
        force = path.name[len("2020-01-") : -len("-stop-and-search.csv")]
        with path.open(newline="") as file:
            found[force] = list(csv.DictReader(file))
    return found


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    store = Store(tmp_path_factory.mktemp("store"))
    run_load(store, get_source("police-uk-stop-search"), [SHARED])
    return store


def test_volume_object_and_arrests_equal_the_raw_rows_of_each_force(store):
    forces = raw_rows()
    assert len(forces) == 7
    for force, rows in forces.items():
        [month] = measure_series(store, "stop-searches", force)
        assert (month.period, month.numerator) == ("2020-01", len(rows)), force
        by_object = {
            p.group: p.numerator
            for p in measure_series(
                store, "stop-searches", force, group="object_of_search"
            )
        }
        expected = Counter(row["Object of search"] or None for row in rows)
        assert by_object == expected, force
        [arrest] = measure_series(store, "stop-search-arrest", force)
        with_outcome = [row for row in rows if row["Outcome"]]
        arrests = [r for r in with_outcome if r["Outcome"] in SEARCH_ARREST_OUTCOMES]
        assert (arrest.numerator, arrest.denominator) == (
            len(arrests),
            len(with_outcome),
        ), force


def test_ethnic_groups_equal_the_raw_rows(store):
    for force, rows in raw_rows().items():
        by_group = {
            p.group: p.numerator
            for p in measure_series(store, "stop-searches", force, group="ethnic_group")
        }
        expected = Counter(
            ethnic_group(
                row["Self-defined ethnicity"] or None,
                row["Officer-defined ethnicity"] or None,
            )
            for row in rows
        )
        assert by_group == expected, force
