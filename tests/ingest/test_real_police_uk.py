"""Every real police.uk file in ../shared/data loads; every line is accounted for."""

from __future__ import annotations

from pathlib import Path

import pytest

from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import SHARED_DATA

SHARED = SHARED_DATA / "police-uk"

pytestmark = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason=f"real police.uk files are not here ({SHARED.resolve()}); "
    "they are never committed, so this test runs only beside ../shared/data",
)


def data_lines(path: Path) -> int:
    return sum(1 for line in path.read_text().splitlines()[1:] if line.strip())


@pytest.mark.parametrize(
    "source", ["police-uk-street", "police-uk-outcomes", "police-uk-stop-search"]
)
def test_every_file_loads_and_rows_add_up(store, source):
    spec = get_source(source)
    report = run_load(store, spec, [SHARED])
    assert report.files, f"no {source} files under {SHARED}"
    for result in report.files:
        assert result.accepted + result.rejected == data_lines(Path(result.name))
    # The real files are clean: no row should be rejected.
    assert report.rejected == 0, report.reject_reasons


def test_street_crime_keeps_asb_and_no_location_rows(store):
    run_load(store, get_source("police-uk-street"), [SHARED])
    counts = store.query(
        "SELECT count(*) FILTER (WHERE is_asb AND crime_id IS NULL) AS asb, "
        "count(*) FILTER (WHERE lower(location) = 'no location' AND longitude IS NULL) "
        "AS no_location, count(DISTINCT crime_type) AS types FROM street_crime"
    ).to_pylist()[0]
    assert counts["asb"] > 600  # 129-179 a month over five months
    assert counts["no_location"] >= 5 * 13
    assert counts["types"] == 14


def test_outcomes_link_to_street_crime_by_crime_id(store):
    run_load(store, get_source("police-uk-street"), [SHARED])
    run_load(store, get_source("police-uk-outcomes"), [SHARED])
    linked = store.query(
        "SELECT count(*) AS n FROM outcomes o JOIN street_crime s USING (crime_id)"
    ).to_pylist()[0]["n"]
    assert linked > 0
