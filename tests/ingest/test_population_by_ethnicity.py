"""Population by ethnic group (Census 2021 TS021), for disproportionality."""

from __future__ import annotations

import pytest

from saferplaces.analytics.measures.groups import disproportionality
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import EXTRACT, TS021


def test_ts021_loads_the_high_level_groups_and_reports_a_bad_row(store):
    report = run_load(store, get_source("population"), [TS021])
    assert (report.accepted, report.rejected) == (2, 1)
    rows = store.query(
        "SELECT area_code, ethnicity, population FROM population "
        "WHERE area_code = 'W01000123' ORDER BY ethnicity"
    ).to_pylist()
    assert [(r["ethnicity"], r["population"]) for r in rows] == [
        ("Asian", 80), ("Black", 40), ("Mixed", 40), ("Other", 40), ("White", 600),
    ]  # fmt: skip
    reasons = {(field, reason) for field, reason in report.reject_reasons}
    assert (
        "Ethnic group: Asian, Asian British or Asian Welsh",
        "must be a whole number",
    ) in reasons


def test_victims_by_ethnicity_are_set_against_residents(store):
    run_load(store, get_source("population"), [TS021])
    run_load(store, get_source("local-crimes"), [EXTRACT])
    shares = disproportionality(
        store, "recorded-crime-local", "E01900001", "victim_ethnicity", "2023/24"
    )
    by_group = {share.group: share for share in shares}
    assert set(by_group) == {"Asian", "Black", "Mixed", "Other", "White"}
    # E01900001: 300 of 1,000 residents are Asian.
    assert by_group["Asian"].share_of_population == pytest.approx(0.3)
    assert sum(share.count for share in shares) > 0
