"""The attacker test: with public outputs only, no withheld or perturbed
count can be pinned to its true value (tests/analytics/attacker.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cell_key_perturbation.create_perturbed_table import create_perturbed_table

from saferplaces.analytics import results
from saferplaces.analytics.perturbation import PTable, default_ptable
from saferplaces.analytics.store import Store
from tests.analytics.attacker import attack

# Run on the second line of `make test` (make test-attack): they take a minute.
pytestmark = pytest.mark.attack

# The local extract's measures (domestic abuse among them); the victim
# breakdowns are asked of domestic abuse, where they matter most.
SENSITIVE = [
    "domestic-violence",
    "most-serious-violence-domestic",
    "non-domestic-violence",
    "violence-with-injury",
]


@pytest.fixture(scope="module")
def demo(demo_data) -> Store:
    folder = demo_data
    # A long recheck: nothing loads while the attacker asks.
    return Store(folder / "store", recheck_seconds=3600)


def test_no_withheld_or_perturbed_count_can_be_pinned(demo):
    found = attack(demo, SENSITIVE, results.Rules(), groups=False)
    grouped = attack(demo, ["domestic-violence"], results.Rules(), groups=True)
    for each in (found, grouped):
        each.propagate()
    protected = len(found.protected) + len(grouped.protected)
    pinned = found.pinned() + grouped.pinned()
    print(
        f"attacker: {protected} published cells, "
        f"{len(found.relations) + len(grouped.relations)} relations, "
        f"{len(pinned)} pinned"
    )
    assert protected > 100_000  # every level, period and breakdown was asked
    assert pinned == []


def suppression_only(threshold: int = 10) -> PTable:
    """Withholding small counts and nothing else: what the attacker beats."""
    table = default_ptable(threshold)
    noise = np.zeros_like(table.noise)
    counts = np.arange(noise.shape[0])
    noise[counts < threshold] = -counts[counts < threshold, None]
    return PTable(noise, threshold, "suppression only")


def test_the_attacker_pins_counts_that_are_only_suppressed(demo):
    # The same attack against small counts withheld and the rest exact
    # recovers many: the test above can fail.
    rules = results.Rules(suppression_only())
    found = attack(demo, ["domestic-violence"], rules, groups=False)
    top = rules.threshold - 1  # a withheld count is 0 to 9, nothing else known
    withheld = {cell for cell in found.protected if found.bounds[cell] == (0, top)}
    found.propagate()
    recovered = withheld & set(found.pinned())
    print(f"suppression only: {len(recovered)} of {len(withheld)} withheld pinned")
    assert len(recovered) > 100


def test_published_cells_equal_onss_package_on_the_stores_own_records(demo):
    # The store's records of domestic abuse related violence in three LSOAs,
    # with their record keys folded into ONS's 0-255 range.
    lsoas = ["E01900001", "E01900002", "E01900003"]
    records = demo.query(
        "SELECT lsoa_code, month, record_key % 256 AS record_key FROM local_crimes "
        "WHERE ho_group = 'Violence against the person' AND domestic_abuse "
        "AND list_contains(?, lsoa_code)",
        [lsoas],
    ).to_pandas()
    # The store publishes with its own secret layout of the default ptable.
    table = results.Rules().ptable_for(demo)
    ptable = pd.DataFrame(table.rows(), columns=["pcv", "ckey", "pvalue"])
    theirs = create_perturbed_table(
        records, ptable, geog=["lsoa_code"], tab_vars=["month"],
        record_key="record_key", threshold=10,
    )  # fmt: skip
    expected = {
        (row.lsoa_code, row.month): None if pd.isna(row.count) else int(row.count)
        for row in theirs.itertuples()
        if row.pre_sdc_count > 0
    }
    got = {}
    for lsoa in lsoas:
        for row in results.series(
            demo, "domestic-violence", lsoa, audience="public"
        ).rows:
            if (lsoa, row.period) in expected:
                got[(lsoa, row.period)] = (
                    None if row.withheld else int(row.numerator or 0)
                )
    assert got == expected
    assert len(expected) > 50
