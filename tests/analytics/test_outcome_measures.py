"""The share of crimes by outcome group, from police.uk outcomes files."""

from __future__ import annotations

from pathlib import Path

import pytest
from statsmodels.stats.proportion import proportion_confint

from saferplaces.analytics import results
from saferplaces.analytics.measures.outcomes import (
    PROVISIONAL_MONTHS,
    outcome_group,
    outcome_measure_id,
)
from saferplaces.analytics.measures.registry import REGISTRY
from saferplaces.analytics.measures.series import measure_series
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from saferplaces.vocabulary import OUTCOME_GROUPS
from tests.support import STREET_HEADER, store_copied_from, write_csv

OUTCOME_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    "LSOA code,LSOA name,Outcome type"
)
LSOA = "E01000001"
CHARGED = outcome_measure_id("Charged or summonsed")
# Wilson's interval is the one statsmodels calls "wilson": agree to 1e-9.
ATOL = 1e-9


def crime(number: int, crime_type: str, last_outcome: str, month="2024-01") -> str:
    return (
        f"{number:064x},{month},CoLP,City of London Police,-0.09,51.51,Road,"
        f"{LSOA},City of London 001A,{crime_type},{last_outcome},"
    )


def outcome(number: int, month: str, outcome_type: str) -> str:
    return (
        f"{number:064x},{month},CoLP,City of London Police,-0.09,51.51,Road,"
        f"{LSOA},City of London 001A,{outcome_type}"
    )


@pytest.fixture(scope="module")
def loaded_once(tmp_path_factory) -> Path:
    """Four crimes of 2024-01 and one anti-social behaviour incident:

    1. Burglary, charged in 2024-02 then fined in 2024-03: charged;
    2. Burglary, no outcome row: the street file's "no suspect identified";
    3. Robbery, two outcomes in 2024-02 (two suspects): unable to prosecute
       one, the other charged: the one nearer a charge counts, charged;
    4. Robbery, "Under investigation" in the street file, a caution in the
       outcomes of 2024-02: the outcomes file is later, out-of-court.
    Loaded once for the module; each test has a copy."""
    tmp_path = tmp_path_factory.mktemp("outcomes")
    store = Store(tmp_path / "store")
    street = [
        crime(1, "Burglary", "Suspect charged"),
        crime(2, "Burglary", "Investigation complete; no suspect identified"),
        crime(3, "Robbery", "Under investigation"),
        crime(4, "Robbery", "Under investigation"),
        ",2024-01,CoLP,City of London Police,-0.09,51.51,Road,"
        f"{LSOA},City of London 001A,Anti-social behaviour,,",
    ]
    write_csv(
        tmp_path / "2024-01-city-of-london-street.csv",
        STREET_HEADER + "\n" + "\n".join(street) + "\n",
    )
    outcomes = {
        "2024-02": [
            outcome(1, "2024-02", "Suspect charged"),
            outcome(3, "2024-02", "Unable to prosecute suspect"),
            outcome(3, "2024-02", "Suspect charged"),
            outcome(4, "2024-02", "Offender given a caution"),
        ],
        "2024-03": [outcome(1, "2024-03", "Offender fined")],
    }
    for month, rows in outcomes.items():
        write_csv(
            tmp_path / f"{month}-city-of-london-outcomes.csv",
            OUTCOME_HEADER + "\n" + "\n".join(rows) + "\n",
        )
    run_load(store, get_source("police-uk-street"), [tmp_path])
    run_load(store, get_source("police-uk-outcomes"), [tmp_path])
    return store.root


@pytest.fixture
def store(loaded_once, tmp_path) -> Store:
    return store_copied_from(loaded_once, tmp_path)


def test_every_outcome_group_is_a_measure_in_the_registry():
    for group in OUTCOME_GROUPS:
        measure = REGISTRY[outcome_measure_id(group)]
        assert measure.kind == "proportion"
        assert measure.publication.method == "open"
        assert str(PROVISIONAL_MONTHS) in measure.definition


def test_no_police_uk_category_is_in_two_groups():
    categories = [c for group in OUTCOME_GROUPS.values() for c in group]
    assert len(categories) == len(set(categories))
    assert outcome_group("Offender fined") == "Charged or summonsed"


def test_share_charged_takes_each_crimes_latest_outcome(store):
    [point] = measure_series(store, CHARGED, LSOA)
    # Crimes 1 and 3 of the four (the ASB incident is no crime).
    assert (point.numerator, point.denominator) == (2, 4)
    assert point.value == pytest.approx(50.0)
    low, high = proportion_confint(2, 4, method="wilson")
    assert point.lower == pytest.approx(100 * low, abs=ATOL)
    assert point.upper == pytest.approx(100 * high, abs=ATOL)


def test_each_crime_is_in_exactly_one_group(store):
    shares = {
        group: measure_series(store, outcome_measure_id(group), LSOA)[0].numerator
        for group in OUTCOME_GROUPS
    }
    assert shares == {
        "Charged or summonsed": 2,
        "Out-of-court disposal": 1,
        "Evidential difficulties": 0,
        "No suspect identified": 1,
        "Under investigation": 0,
        "Other or not known": 0,
    }


def test_shares_by_crime_type(store):
    by_type = {
        point.group: (point.numerator, point.denominator)
        for point in measure_series(store, CHARGED, LSOA, group="crime_type")
    }
    assert by_type == {"Burglary": (1, 2), "Robbery": (1, 2)}


def test_every_result_states_the_outcome_lag_in_words(store):
    answer = results.series(store, CHARGED, LSOA)
    assert any(
        f"latest {PROVISIONAL_MONTHS} months" in note and "provisional" in note
        for note in answer.notes
    )


def test_the_public_sees_the_exact_open_figures(store):
    answer = results.series(store, CHARGED, LSOA, audience="public")
    [row] = answer.rows
    assert (row.numerator, row.denominator, row.treatment) == (2, 4, "open")
