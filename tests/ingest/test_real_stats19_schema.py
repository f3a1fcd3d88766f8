"""The STATS19 loader reads the columns DfT's data guide names.

No real collision rows are available (../shared/data/PROVENANCE.md), so the
loader's column names and codes are checked against the guide's schema, and
the loader itself against hand-made fixtures (tests/analytics).
"""

from __future__ import annotations

import csv

import pytest

from saferplaces.ingest.stats19 import (
    AGE_BAND,
    CASUALTY_CLASS,
    CASUALTY_COLUMNS,
    COLLISION_COLUMNS,
    SEVERITY,
)
from tests.support import SHARED_DATA

SCHEMA = SHARED_DATA / "stats19" / "stats19_schema.csv"

pytestmark = pytest.mark.skipif(
    not SCHEMA.exists(),
    reason="needs ../shared/data/stats19/stats19_schema.csv (DfT's data guide); "
    "it is never committed, so this test runs only beside ../shared/data",
)


def guide() -> list[dict[str, str]]:
    with open(SCHEMA, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_current_column_names_are_the_guides():
    variables = {(row["table"], row["variable"]) for row in guide()}
    for table, columns in (
        ("collision", COLLISION_COLUMNS),
        ("casualty", CASUALTY_COLUMNS),
    ):
        for names in columns.values():
            assert (table, names[0]) in variables, f"{table}.{names[0]}"


@pytest.mark.parametrize(
    ("variable", "codes"),
    [
        ("casualty_severity", SEVERITY),
        ("collision_severity", SEVERITY),
        ("casualty_class", CASUALTY_CLASS),
        ("age_band_of_casualty", AGE_BAND),
    ],
)
def test_the_codes_mean_what_the_guide_says(variable, codes):
    labels = {
        row["code"]: row["label"] for row in guide() if row["variable"] == variable
    }
    for code, label in codes.items():
        guide_label = labels[code].lower().replace(" ", "")
        ours = label.lower().replace(" ", "")
        assert ours in guide_label or guide_label in ours, (code, label, labels[code])
