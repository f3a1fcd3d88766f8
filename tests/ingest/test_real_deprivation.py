"""The real IMD files in ../shared/data: every decile equals one worked out
by hand from the raw CSV rows (issue 29, finding 6)."""

from __future__ import annotations

import csv
import math

import pytest

from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import SHARED_DATA

SHARED = SHARED_DATA
LOOKUP = SHARED / "geography" / "imd_lookups.csv"
POSTCODES = SHARED / "deprivation" / "deprivation-data-2019.csv"

pytestmark = pytest.mark.skipif(
    not (LOOKUP.exists() and POSTCODES.exists()),
    reason=f"the real IMD files are not here ({SHARED.resolve()}); they are "
    "never committed, so this test runs only beside ../shared/data",
)


def _stored(store, edition):
    return {
        row["lsoa_code"]: (row["rank"], row["decile"])
        for row in store.query(
            "SELECT lsoa_code, rank, decile FROM deprivation WHERE edition = ?",
            [edition],
        ).to_pylist()
    }


def test_imd_2025_deciles_rank_the_scores_of_every_english_lsoa(store):
    report = run_load(store, get_source("imd"), [LOOKUP])
    assert (report.rows_read, report.rejected) == (33_755, 0)
    with open(LOOKUP, encoding="utf-8-sig", newline="") as handle:
        scores = {r["LSOA21CD"]: float(r["IMDSCORE"]) for r in csv.DictReader(handle)}
    # By hand: sort the scores, highest first; an LSOA's rank is 1 plus the
    # number of LSOAs scoring more; its decile ceil(10 * rank / 33,755).
    ordered = sorted(scores.values(), reverse=True)
    first_place = {}
    for place, score in enumerate(ordered, start=1):
        first_place.setdefault(score, place)
    expected = {
        code: (first_place[score], math.ceil(10 * first_place[score] / len(scores)))
        for code, score in scores.items()
    }
    assert _stored(store, "IMD 2025") == expected
    # Deciles are tenths: each holds 3,375 or so LSOAs (ties move a few).
    sizes = [list(d for _, d in expected.values()).count(n) for n in range(1, 11)]
    assert all(abs(size - 3_375.5) < 10 for size in sizes), sizes


def test_imd_2019_takes_the_published_rank_and_decile_of_each_lsoa(store):
    report = run_load(store, get_source("imd"), [POSTCODES])
    assert (report.rows_read, report.rejected) == (34_185, 0)
    with open(POSTCODES, encoding="utf-8-sig", newline="") as handle:
        expected = {
            r["LSOA Code"]: (
                int(r["Index of Multiple Deprivation Rank"]),
                int(r["Index of Multiple Deprivation Decile"]),
            )
            for r in csv.DictReader(handle)
        }
    assert len(expected) == 639
    assert _stored(store, "IMD 2019") == expected


def test_the_lookup_loaded_as_geography_says_where_its_imd_score_goes(store):
    report = run_load(store, get_source("geography"), [LOOKUP])
    notes = [note for result in report.files for note in result.notes]
    assert any("IMDSCORE" in note for note in notes), notes
