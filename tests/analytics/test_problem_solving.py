"""Whether a response worked (issue 15): the weighted displacement
quotient by hand, and the demo's planted Bournville ASB drop found."""

from __future__ import annotations

import numpy as np
import pytest

from saferplaces.analytics import geography
from saferplaces.analytics.hotspot_report import HotspotError
from saferplaces.analytics.problem_solving import (
    Place,
    _Block,
    assess,
    weighted_displacement_quotient,
    windows,
)
from saferplaces.analytics.store import Store

# Django-free numerics (esda's numba compiles for a while).


def test_the_weighted_displacement_quotient_by_hand():
    # Target halves (100 -> 50), buffer falls 80 -> 60, comparison flat:
    # (60/1000 - 80/1000) / (50/1000 - 100/1000) = -0.02 / -0.05 = 0.4.
    wdq = weighted_displacement_quotient(
        Place(100, 50), Place(80, 60), Place(1000, 1000)
    )
    assert wdq == pytest.approx(0.4)
    # Buffer up 80 -> 120 instead: -0.8, displacement within the gain.
    assert weighted_displacement_quotient(
        Place(100, 50), Place(80, 120), Place(1000, 1000)
    ) == pytest.approx(-0.8)
    # No improvement in the target: nothing to read.
    assert (
        weighted_displacement_quotient(
            Place(100, 110), Place(80, 60), Place(1000, 1000)
        )
        is None
    )


def test_windows_are_the_months_either_side_of_the_start():
    before, after = windows("2014-04", 3)
    assert before == ["2014-01", "2014-02", "2014-03"]
    assert after == ["2014-04", "2014-05", "2014-06"]
    with pytest.raises(HotspotError, match="not a month"):
        windows("2014-4", 3)


def test_cells_and_their_ring_are_counted():
    block = _Block.of(["100-100"], 100.0)
    before = (np.array([150.0, 150, 250, 450]), np.array([150.0, 160, 150, 150]))
    after = (np.array([150.0, 50]), np.array([150.0, 50]))
    assert block.tally(*before) == (2, 1)  # 450 is two cells away
    assert block.tally(*after) == (1, 1)


def test_the_planted_bournville_drop_is_found(demo_data):
    """The demo plants a third less ASB in Bournville from April 2014."""
    store = Store(demo_data / "store")
    wards = {a.name: a.code for a in geography.areas_of_level(store, "ward")}
    districts = {a.name: a.code for a in geography.areas_of_level(store, "district")}
    comparison = next(code for name, code in districts.items() if "Northfield" in name)
    result = assess(
        store, "street-crime", "Anti-social behaviour", comparison, "2014-04", 12,
        area=wards["Bournville"],
    )  # fmt: skip
    assert result.relative < 0.8
    assert result.significant
    assert "more than chance" in result.sentence()
    assert result.buffer is None
