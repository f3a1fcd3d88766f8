"""ONS's local authority to police force area lookup loads as geography:
its PFA columns become areas of level force, parents of the authorities,
and its force names become police.uk slugs (issue 29)."""

from __future__ import annotations

from saferplaces.analytics.measures.coverage import lsoa_forces
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import GEOGRAPHY

PFA_LOOKUP = GEOGRAPHY / "lookup-lad23-csp23-pfa23.csv"


def test_force_areas_are_parents_of_their_authorities(store):
    report = run_load(store, get_source("geography"), [PFA_LOOKUP])
    assert report.rejected == 0
    forces = store.query(
        "SELECT code, name FROM geography WHERE level = 'force' ORDER BY code"
    ).to_pylist()
    assert [f["name"] for f in forces] == [
        "Metropolitan Police", "West Midlands", "City of London",
    ]  # fmt: skip
    [city] = store.query(
        "SELECT parents FROM geography WHERE code = 'E09000001' "
        "AND level = 'local_authority'"
    ).to_pylist()
    assert city["parents"] == ["E23000034"]


def test_an_lsoa_lies_in_the_force_of_its_authority(store, tmp_path):
    lookup = tmp_path / "lsoa-lad.csv"
    lookup.write_text(
        "LSOA21CD,LAD22CD\nE01000001,E09000001\nE01000914,E09000007\n"
        "E01009001,E08000025\n"
    )
    run_load(store, get_source("geography"), [lookup, PFA_LOOKUP])
    assert lsoa_forces(store) == {
        "E01000001": "city-of-london",
        "E01000914": "metropolitan",
        "E01009001": "west-midlands",
    }
