"""Demographic breakdowns against the population."""

from __future__ import annotations

import pytest

from saferplaces.analytics.measures.groups import disproportionality
from saferplaces.analytics.perturbation import default_ptable
from saferplaces.analytics.refusals import Refused
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import EXTRACT


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "store")
    run_load(store, get_source("local-crimes"), [EXTRACT])
    population = tmp_path / "population.csv"
    population.write_text(
        "area_code,year,age_band,sex,population\n"
        "E01900001,2023,25-34,female,300\nE01900001,2023,25-34,male,100\n"
        "E01900001,2023,35-49,female,100\nE01900001,2023,35-49,male,500\n"
        "E01900002,2023,18-24,male,1000\nE01900002,2023,all,all,1000\n"
    )
    run_load(store, get_source("population"), [population])
    return store


def test_shares_of_victims_against_shares_of_residents(store):
    # Domestic violence in E01900001 in 2023/24: two crimes against the same
    # woman (lines 2 and 4 of the fixture). Women are 400 of 1,000 residents.
    female, male = disproportionality(
        store, "domestic-violence", "E01900001", "victim_sex", "2023/24"
    )
    assert (female.group, female.count, female.share_of_events) == ("female", 2, 1.0)
    assert female.share_of_population == pytest.approx(0.4)
    assert male.count == 0
    # Against the rest: 2/400 against 0/600, an unbounded ratio.
    assert female.against_the_rest.lower > 0
    assert not female.suppressed  # partners see every figure
    published = disproportionality(
        store, "domestic-violence", "E01900001", "victim_sex", "2023/24",
        publishing=default_ptable(),
    )  # fmt: skip
    assert all(share.suppressed for share in published)  # 2 and 0: under 10


def test_a_group_without_population_cannot_be_compared(store):
    # The fixture's population has ages and sexes but no ethnic groups.
    with pytest.raises(Refused, match="no population by ethnicity is loaded"):
        disproportionality(
            store, "domestic-violence", "E01900001", "victim_ethnicity", "2023/24"
        )
