"""An evaluation never compares with months the store holds no data for:
a baseline before the first loaded month is refused with how many months it
needs and has, not counted as zero (issue 29, finding 5)."""

from __future__ import annotations

import pytest

from saferplaces.analytics import results
from saferplaces.analytics.evaluation import Window
from saferplaces.analytics.store import Store
from tests.support import load_crimes

LSOA = "E01900003"


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "store")
    load_crimes(
        store,
        tmp_path,
        [("2016-10", LSOA, 4), ("2016-11", LSOA, 3), ("2016-12", LSOA, 2)],
    )
    return store


def test_a_baseline_before_the_data_is_refused_with_months_needed_and_held(store):
    with pytest.raises(results.ResultError) as refused:
        results.evaluate(
            store, "total-recorded-crime", LSOA,
            baseline=Window("2016-08", "2016-10"),
            followup=Window("2016-11", "2016-12"),
        )  # fmt: skip
    assert "needs the 3 months 2016-08 to 2016-10" in str(refused.value)
    assert "the store has 1 of them" in str(refused.value)


def test_windows_the_store_holds_are_evaluated(store):
    result = results.evaluate(
        store, "total-recorded-crime", LSOA,
        baseline=Window("2016-10", "2016-10"),
        followup=Window("2016-11", "2016-12"),
    )  # fmt: skip
    # 2.5 a month after against 4 before.
    assert result.estimate == pytest.approx(2.5 / 4)
