"""One population rule: the series and the ranking take the same year's
residents for a period (the calendar year of its first month), and say
which year they used when it is not the period's own."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

from saferplaces.analytics.measures import population
from saferplaces.analytics.measures.areas import compare_areas
from saferplaces.analytics.measures.series import measure_series
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


@pytest.fixture(scope="module")
def loaded_once(tmp_path_factory) -> Path:
    """Loaded once for the module; each test has a copy."""
    tmp_path = tmp_path_factory.mktemp("population-year")
    store = Store(tmp_path / "store")
    run_load(
        store, get_source("geography"), [GEOGRAPHY / "lookup-lsoa11-wd19-lad19.csv"]
    )
    # 2016/17 Q3 (October to December 2016) and Q4 (January to March 2017).
    load_crimes(
        store,
        tmp_path,
        [
            ("2016-10", "E01900001", 20), ("2016-10", "E01900003", 40),
            ("2017-01", "E01900001", 30), ("2017-01", "E01900003", 50),
        ],
    )  # fmt: skip
    return store.root


@pytest.fixture
def store(loaded_once, tmp_path) -> Store:
    return store_copied_from(loaded_once, tmp_path)


def test_population_module_examples_run():
    assert doctest.testmod(population).failed == 0


def test_a_quarter_is_ranked_on_the_same_years_residents_as_its_series(store, tmp_path):
    # Elm Ward had 100,000 residents in 2016 and 1,000 in 2017 (a two-year
    # file, as in the audit). 2016/17 Q4 begins in January 2017, so both the
    # series and the ranking use 2017: 50 crimes per 1,000 residents, not
    # 0.5 (the ranking took 2016 from the label "2016/17 Q4").
    load_population(
        store,
        tmp_path,
        "E01900001,2016,all,all,1000\nE01900001,2017,all,all,1000\n"
        "E01900002,2016,all,all,1000\nE01900002,2017,all,all,1000\n"
        "E01900003,2016,all,all,100000\nE01900003,2017,all,all,1000\n",
    )
    [series_q4] = [
        point
        for point in measure_series(
            store, "total-recorded-crime-rate", ELM, by="quarter"
        )
        if point.period == "2016/17 Q4"
    ]
    ranked = {
        row.area_code: row
        for row in compare_areas(
            store, "total-recorded-crime-rate", "ward", "E08900001",
            "2016/17 Q4", by="quarter",
        )
    }  # fmt: skip
    elm = ranked[ELM]
    assert series_q4.denominator == elm.denominator == 1000
    assert elm.value == pytest.approx(series_q4.value) == pytest.approx(50.0)
    # Oak: 30 crimes on 2,000 residents (15 per 1,000) ranks first.
    assert elm.rank == 2
    assert "rate uses" not in elm.statement


def test_a_rate_on_another_years_residents_says_which_year(store, tmp_path):
    # Only 2021 residents are loaded: the 2016/17 figures use them, and the
    # row says so.
    load_population(
        store,
        tmp_path,
        "E01900001,2021,all,all,1000\nE01900002,2021,all,all,1000\n"
        "E01900003,2021,all,all,1000\n",
    )
    ranked = compare_areas(
        store, "total-recorded-crime", "ward", "E08900001", "2016/17 Q4",
        by="quarter",
    )  # fmt: skip
    for row in ranked:
        assert row.denominator is not None
        assert "rate uses the 2021 population" in row.statement


@pytest.mark.parametrize(
    ("first_month", "year"),
    [("2016-04", 2016), ("2017-01", 2017), ("2016-12", 2016)],
)
def test_the_population_year_is_the_calendar_year_of_the_first_month(first_month, year):
    assert population.population_year(first_month) == year


def test_residents_fall_back_to_the_nearest_earlier_year_then_the_earliest():
    residents = {2011: 900.0, 2021: 1000.0}
    used = population.residents_for(residents, "2016-04")
    assert used is not None
    assert (used.residents, used.year, used.own_year) == (900.0, 2011, False)
    assert used.note == "rate uses the 2011 population"
    earliest = population.residents_for(residents, "2009-01")
    assert earliest is not None
    assert earliest.year == 2011
    own = population.residents_for(residents, "2021-03")
    assert own is not None
    assert own.own_year
    assert own.note == ""
    assert population.residents_for({}, "2021-03") is None


def test_disproportionality_says_which_years_residents_it_used(tmp_path):
    from saferplaces.analytics.measures.groups import disproportionality
    from tests.support import EXTRACT, TS021

    store = Store(tmp_path / "store")
    run_load(store, get_source("population"), [TS021])
    run_load(store, get_source("local-crimes"), [EXTRACT])
    shares = disproportionality(
        store, "recorded-crime-local", "E01900001", "victim_ethnicity", "2023/24"
    )
    # Residents by ethnic group are the Census's (2021) only.
    assert {share.population_note for share in shares} == {
        "rate uses the 2021 population"
    }


def test_a_series_rate_on_another_years_residents_says_which_year(store, tmp_path):
    # Only the Census year is loaded: 2016's and 2017's rates use 2021's
    # residents, and each figure says so in its words.
    from saferplaces.analytics import results

    load_population(store, tmp_path, "E01900003,2021,all,all,1000\n")
    rows = results.series(store, "total-recorded-crime-rate", ELM, by="quarter").rows
    assert rows
    assert all("rate uses the 2021 population" in row.words for row in rows)
    own = results.series(store, "total-recorded-crime-rate", ELM).rows
    assert all(row.denominator == 1000 for row in own)


def test_residents_come_from_the_nearest_year_loaded_on_either_side():
    # 2019 is two years from 2021 and eight from 2011: the Census of 2021.
    residents = {2011: 900.0, 2021: 1000.0}
    used = population.residents_for(residents, "2019-04")
    assert used is not None
    assert (used.residents, used.year) == (1000.0, 2021)
    assert used.note == "rate uses the 2021 population"
    # Equally far from both: the earlier, known at the time.
    tie = population.residents_for(residents, "2016-04")
    assert tie is not None
    assert tie.year == 2011


def test_a_series_rate_uses_the_nearest_year_and_says_which(store, tmp_path):
    load_population(
        store,
        tmp_path,
        "E01900003,2011,all,all,500\nE01900003,2021,all,all,1000\n",
    )
    points = {
        point.period: point
        for point in measure_series(store, "total-recorded-crime-rate", ELM)
    }
    # January 2017 is four years from 2021 and six from 2011.
    assert points["2017-01"].denominator == 1000
    assert points["2017-01"].note == "rate uses the 2021 population"
    assert points["2016-10"].denominator == 500
    assert points["2016-10"].note == "rate uses the 2011 population"
