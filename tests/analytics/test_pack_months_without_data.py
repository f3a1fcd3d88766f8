"""A tasking pack never compares with months the store holds no data for:
"no data before 2016-10", not "2016-08 to 2016-09: 0" and every type "new"
(issue 29, finding 5)."""

from __future__ import annotations

import pytest

from saferplaces.analytics import tasking
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import STREET_HEADER

LSOA = "E01000001"
FORCE = "City of London Police"


def street(n: int, month: str, crime_type: str) -> str:
    return (
        f"{n:064x},{month},{FORCE},{FORCE},-0.09{n % 10},51.51{n % 7},"
        f"On or near Road,{LSOA},City of London 001A,{crime_type},,\n"
    )


@pytest.fixture
def store(tmp_path):
    """Crime from 2016-10 on (the first month police.uk files are loaded)."""
    store = Store(tmp_path / "store")
    rows = [
        street(n, month, kind)
        for n, (month, kind) in enumerate(
            [("2016-10", "Burglary"), ("2016-10", "Drugs"), ("2016-11", "Burglary"),
             ("2016-12", "Burglary"), ("2016-12", "Drugs"), ("2017-01", "Drugs")],
            start=1,
        )
    ]  # fmt: skip
    path = tmp_path / "street.csv"
    path.write_text(STREET_HEADER + "\n" + "".join(rows))
    run_load(store, get_source("police-uk-street"), [path])
    return store


def test_months_before_the_data_are_not_zero_and_nothing_is_new(store):
    pack = tasking.pack(store, LSOA, "2016-10", "2016-11")
    assert (pack.previous_first, pack.previous_last) == ("2016-08", "2016-09")
    assert pack.crime, "the period's crime types are listed"
    for line in pack.crime:
        assert line.previous is None
        assert line.change != "new"
        assert line.previous_words == "no data before 2016-10"
    assert any(
        "needs the 2 months 2016-08 to 2016-09" in note and "has 0 of them" in note
        for note in pack.notes
    )


def test_a_partly_held_earlier_period_says_how_many_months_it_has(store):
    pack = tasking.pack(store, LSOA, "2016-11", "2017-01")
    assert (pack.previous_first, pack.previous_last) == ("2016-08", "2016-10")
    assert all(line.previous is None for line in pack.crime)
    assert any("has 1 of them" in note for note in pack.notes)


def test_a_wholly_held_earlier_period_is_compared(store):
    pack = tasking.pack(store, LSOA, "2016-12", "2017-01")
    burglary = next(line for line in pack.crime if line.label == "Burglary")
    assert (burglary.count, burglary.previous) == (1, 2)
    assert burglary.change == "-50%"
