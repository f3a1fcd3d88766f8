"""Outcome shares on the real City of London files, against a hand count of
the raw CSV rows (csv module)."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from saferplaces.analytics.measures.outcomes import outcome_group, outcome_measure_id
from saferplaces.analytics.measures.series import measure_series
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from saferplaces.vocabulary import OUTCOME_GROUPS
from tests.support import SHARED_DATA

CITY = SHARED_DATA / "police-uk" / "city-of-london"

pytestmark = pytest.mark.skipif(
    not CITY.is_dir(),
    reason=f"real police.uk files are not here ({CITY.resolve()}); "
    "they are never committed, so this test runs only beside ../shared/data",
)


def rows(kind: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for path in sorted(CITY.glob(f"*/*-{kind}.csv")):
        with path.open(newline="") as file:
            found += list(csv.DictReader(file))
    return found


def hand_counted_groups() -> dict[tuple[str, str], Counter[str]]:
    """{(LSOA, crime month): Counter of outcome groups}, by the documented
    rule: the latest outcome row (nearest a charge within its month), else
    the street row's last outcome category."""
    order = list(OUTCOME_GROUPS)
    latest: dict[str, tuple[str, int, str]] = {}
    for row in rows("outcomes"):
        rank = order.index(outcome_group(row["Outcome type"]))
        key = (row["Month"], -rank)
        held = latest.get(row["Crime ID"])
        if held is None or key > held[:2]:
            latest[row["Crime ID"]] = (row["Month"], -rank, row["Outcome type"])
    counts: dict[tuple[str, str], Counter[str]] = {}
    for row in rows("street"):
        if not row["Crime ID"] or row["Crime type"] == "Anti-social behaviour":
            continue
        found = latest.get(row["Crime ID"])
        category = found[2] if found else row["Last outcome category"]
        place = (row["LSOA code"], row["Month"])
        counts.setdefault(place, Counter())[outcome_group(category)] += 1
    return counts


def test_every_category_police_uk_uses_here_is_mapped():
    mapped = {c for categories in OUTCOME_GROUPS.values() for c in categories}
    used = {row["Outcome type"] for row in rows("outcomes")} | {
        row["Last outcome category"]
        for row in rows("street")
        if row["Last outcome category"]
    }
    assert used - mapped == set()


def test_shares_equal_a_hand_count_of_the_raw_rows(tmp_path):
    store = Store(tmp_path / "store")
    run_load(store, get_source("police-uk-street"), [CITY])
    run_load(store, get_source("police-uk-outcomes"), [CITY])
    counts = hand_counted_groups()
    # The LSOA with the most crimes, every month, every group.
    busiest = Counter()
    for (lsoa, _), groups in counts.items():
        busiest[lsoa] += sum(groups.values())
    [(lsoa, _)] = busiest.most_common(1)
    for group in OUTCOME_GROUPS:
        points = measure_series(store, outcome_measure_id(group), lsoa)
        assert [p.period for p in points] == sorted({m for _, m in counts})
        for point in points:
            expected = counts[(lsoa, point.period)]
            assert point.denominator == sum(expected.values())
            assert point.numerator == expected[group], (group, point.period)
            assert point.value == pytest.approx(
                100 * expected[group] / sum(expected.values())
            )
