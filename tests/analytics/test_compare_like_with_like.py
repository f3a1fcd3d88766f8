"""The change beside a ranked area compares like with like: rates per month
when the two periods cover different numbers of months, rates per resident
when the population changed; the row says so, and carries its months."""

from __future__ import annotations

from pathlib import Path

import pytest

from saferplaces.analytics import results
from saferplaces.analytics.measures.areas import AreaComparison, compare_areas
from saferplaces.analytics.measures.series import Period
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import (
    ELM,
    GEOGRAPHY,
    load_crimes,
    load_population,
    store_copied_from,
)

# The audit's hand-worked example ("Aldersgate"): 22 crimes in the two
# months of 2016/17 Q4 the data covers (January and February 2017) against
# 54 in the whole of Q3. As raw counts, 22/54 = 0.407 with the exact
# (Clopper-Pearson) interval 0.236 to 0.680, "a real fall"; per month it is
# (22/2) / (54/3) = 0.611, and the interval scales by the same 3/2: 0.354 to
# 1.020, within chance. Numbers to the audit's three places.
PLACES = 3


@pytest.fixture(scope="module")
def loaded_once(tmp_path_factory) -> Path:
    """Loaded once for the module; each test has a copy."""
    tmp_path = tmp_path_factory.mktemp("like-with-like")
    store = Store(tmp_path / "store")
    run_load(
        store, get_source("geography"), [GEOGRAPHY / "lookup-lsoa11-wd19-lad19.csv"]
    )
    load_crimes(
        store,
        tmp_path,
        [
            ("2016-10", "E01900003", 18), ("2016-11", "E01900003", 18),
            ("2016-12", "E01900003", 18), ("2017-01", "E01900003", 11),
            ("2017-02", "E01900003", 11),
            ("2016-10", "E01900001", 10), ("2016-11", "E01900001", 10),
            ("2016-12", "E01900001", 10), ("2017-01", "E01900001", 10),
            ("2017-02", "E01900001", 10),
        ],
    )  # fmt: skip
    return store.root


@pytest.fixture
def store(loaded_once, tmp_path) -> Store:
    return store_copied_from(loaded_once, tmp_path)


def ranked(
    store: Store, measure: str, period: str, by: Period = "quarter"
) -> dict[str, AreaComparison]:
    rows = compare_areas(store, measure, "ward", "E08900001", period, by=by)
    return {row.area_code: row for row in rows}


def test_a_partial_quarter_is_set_against_a_whole_one_per_month(store):
    elm = ranked(store, "total-recorded-crime", "2016/17 Q4")[ELM]
    assert (elm.numerator, elm.previous_numerator) == (22, 54)
    change = elm.change
    assert round(change.ratio, PLACES) == 0.611
    assert (round(change.lower, PLACES), round(change.upper, PLACES)) == (
        0.354,
        1.020,
    )
    assert not change.significant
    assert "change per month (2 months against 3)" in elm.statement


def test_a_rate_change_is_per_resident_when_the_population_changed(
    tmp_path,
):
    # Elm Ward: 100 crimes in 2016/17 on 1,000 residents (2016), 200 in
    # 2017/18 on 2,000 (2017): the rate per resident did not change (ratio
    # 1), though the count doubled.
    store = Store(tmp_path / "store")
    run_load(
        store, get_source("geography"), [GEOGRAPHY / "lookup-lsoa11-wd19-lad19.csv"]
    )
    load_crimes(
        store,
        tmp_path,
        [
            ("2016-05", "E01900003", 100), ("2017-05", "E01900003", 200),
            ("2016-05", "E01900001", 50), ("2017-05", "E01900001", 50),
        ],
    )  # fmt: skip
    load_population(
        store,
        tmp_path,
        "E01900001,2016,all,all,1000\nE01900001,2017,all,all,1000\n"
        "E01900002,2016,all,all,1000\nE01900002,2017,all,all,1000\n"
        "E01900003,2016,all,all,1000\nE01900003,2017,all,all,2000\n",
    )
    rows = ranked(store, "total-recorded-crime-rate", "2017/18", by="year")
    elm, oak = rows[ELM], rows["E05900001"]
    assert elm.change.ratio == pytest.approx(1.0)
    assert not elm.change.significant
    assert "change per resident (2017 population against 2016)" in elm.statement
    # Oak's residents are the same both years: its change is its counts'.
    assert oak.change.ratio == pytest.approx(1.0)
    assert "per resident" not in oak.statement


def test_same_months_and_residents_keep_the_plain_ratio_of_counts(store):
    # Q3 against Q2: Q2 has no data, so no change; 2016/17 Q3 has 3 months.
    elm = ranked(store, "total-recorded-crime", "2016/17 Q3")[ELM]
    assert elm.change is None
    assert elm.months == 3
    assert "per month" not in elm.statement


def test_comparison_rows_say_how_many_months_they_cover(store):
    answer = results.comparison(
        store, "total-recorded-crime", "ward", "E08900001", "2016/17 Q4",
        by="quarter",
    )  # fmt: skip
    assert {row.months for row in answer.rows} == {2}
    assert all(row.partial for row in answer.rows)
