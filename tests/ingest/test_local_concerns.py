"""The community concerns loader (issue 15): validated like the others."""

from __future__ import annotations

from pathlib import Path

from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source

CONCERNS = Path(__file__).resolve().parents[1] / "fixtures" / "local_concerns"


def test_concerns_load_and_bad_rows_are_reported_with_their_reasons(store):
    report = run_load(store, get_source("local-concerns"), [CONCERNS / "concerns.csv"])
    assert (report.accepted, report.rejected) == (3, 4)
    reasons = {field: reason for field, reason in report.reject_reasons}
    assert "YYYY-MM-DD" in reasons["reported_date"]
    assert "category must be one of" in reasons["category"]
    assert "both be given" in reasons["latitude"]
    assert "reported_by must be one of" in reasons["reported_by"]
    rows = store.query(
        "SELECT concern_reference, month, category, longitude FROM local_concerns "
        "ORDER BY concern_reference"
    ).to_pylist()
    assert rows[0] == {"concern_reference": "C-1", "month": "2014-05",
                       "category": "fly-tipping", "longitude": -1.9401}  # fmt: skip
    assert rows[2]["longitude"] is None  # kept, counted by area, not gridded
