"""The City of London's real crimes by IMD decile, against a count made by
hand from the raw police.uk rows and the raw IMD 2025 scores (issue 29,
finding 6)."""

from __future__ import annotations

import csv
import math
from collections import Counter

import pytest

from saferplaces.analytics import results
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import SHARED_DATA

SHARED = SHARED_DATA
LOOKUP = SHARED / "geography" / "imd_lookups.csv"
CITY = SHARED / "police-uk" / "city-of-london"
POPULATION = SHARED / "population"
CITY_OF_LONDON = "E09000001"

pytestmark = pytest.mark.skipif(
    not (LOOKUP.exists() and CITY.is_dir() and POPULATION.is_dir()),
    reason=f"the real files are not here ({SHARED.resolve()}); they are never "
    "committed, so this test runs only beside ../shared/data",
)


def _hand_count() -> tuple[Counter[int | None], set[str]]:
    """Crimes (not ASB) in the City's LSOAs by IMD 2025 decile, from the raw
    rows: the decile ranks every English score, highest first."""
    with open(LOOKUP, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    scores = {r["LSOA21CD"]: float(r["IMDSCORE"]) for r in rows}
    city = {r["LSOA21CD"] for r in rows if r["LA24CD"] == CITY_OF_LONDON}
    ordered = sorted(scores.values(), reverse=True)
    first_place: dict[float, int] = {}
    for place, score in enumerate(ordered, start=1):
        first_place.setdefault(score, place)
    decile = {
        code: math.ceil(10 * first_place[scores[code]] / len(scores)) for code in city
    }
    counted: Counter[int | None] = Counter()
    for path in sorted(CITY.glob("*/*-street.csv")):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["Crime type"] == "Anti-social behaviour":
                    continue
                if row["LSOA code"] in city:
                    counted[decile[row["LSOA code"]]] += 1
    return counted, city


def test_the_citys_crimes_by_decile_equal_a_count_from_the_raw_rows(tmp_path):
    store = Store(tmp_path / "store")
    run_load(store, get_source("geography"), [LOOKUP])
    run_load(store, get_source("imd"), [LOOKUP])
    run_load(store, get_source("police-uk-street"), [CITY])
    run_load(store, get_source("population"), [POPULATION])
    expected, _ = _hand_count()
    answer = results.by_deprivation(
        store, "total-recorded-crime", CITY_OF_LONDON, period="2016/17"
    )
    shown = {
        int(row.group.split()[1]): int(row.numerator)
        for row in answer.rows
        if row.group.startswith("decile") and row.numerator
    }
    assert shown == dict(expected)
    assert not [row for row in answer.rows if row.group == "not placed in a decile"]
    # The City's 2016 months come before IMD 2025: the notes say which is used.
    assert any("IMD 2025" in note for note in answer.notes)
