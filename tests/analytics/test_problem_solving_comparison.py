"""A problem-solving assessment compares like with like (issue 26, fault
7): the comparison is the chosen area with the target and its ring taken
out, and the ring counts every incident in its cells, whatever ward they
fall in. The record is tests/analytics/hot_spot_record.py's."""

from __future__ import annotations

import pytest

from saferplaces.analytics.hotspot_report import HotspotError
from saferplaces.analytics.problem_solving import Place, assess, district_around
from tests.analytics import hot_spot_record as record

RTOL = 1e-9  # hand-worked fractions: only rounding separates them


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return record.build_store(tmp_path_factory.mktemp("hot-spot"))


def assess_cells(store, **options):
    return assess(
        store, "street-crime", None, record.DISTRICT, record.RESPONSE_STARTS,
        record.MONTHS, cells=[record.TARGET_CELL], cell_size=record.SIZE, **options,
    )  # fmt: skip


def test_the_comparison_leaves_out_the_target_and_its_ring(store):
    result = assess_cells(store)
    assert result.target == Place(20, 10)
    # Every ring cell, Oak's (10 -> 8) and Elm's across the boundary (10 -> 4).
    assert result.buffer == Place(20, 12)
    # The district (100 -> 82) less the target and the ring: the far cells.
    assert result.comparison == Place(60, 60)
    # WDQ = (12/60 - 20/60) / (10/60 - 20/60) = (-8/60) / (-10/60) = 0.8
    # (counted whole, ring in Oak only, it was 0.03125:
    # (8/82 - 10/100) / (10/82 - 20/100)).
    assert result.wdq == pytest.approx(0.8, rel=RTOL)
    # (10/20) / (60/60)
    assert result.relative == pytest.approx(0.5, rel=RTOL)
    assert result.comparison_rest


def test_an_area_target_is_compared_with_the_rest_of_the_district(store):
    result = assess(
        store, "street-crime", None, record.DISTRICT, record.RESPONSE_STARTS,
        record.MONTHS, area=record.OAK,
    )  # fmt: skip
    # Oak: 20 + 10 + 30 = 60 -> 10 + 8 + 30 = 48; the rest is Elm:
    # 10 + 30 = 40 -> 4 + 30 = 34 (the whole district was 100 -> 82).
    assert result.target == Place(60, 48)
    assert result.comparison == Place(40, 34)
    assert result.buffer is None
    assert result.relative == pytest.approx((48 / 60) / (34 / 40), rel=RTOL)


def test_a_whole_area_comparison_is_kept_for_records_that_chose_it(store):
    result = assess_cells(store, comparison_rest=False)
    assert result.comparison == Place(100, 82)
    assert result.buffer == Place(20, 12)  # the ring is whole all the same
    # (12/82 - 20/100) / (10/82 - 20/100) = 0.6875
    assert result.wdq == pytest.approx(0.6875, rel=RTOL)
    assert not result.comparison_rest
    assert "whole of North district" in result.sentence()


def test_the_sentence_says_what_the_comparison_is(store):
    words = assess_cells(store).sentence()
    assert "the rest of North district" in words
    assert "weighted displacement quotient 0.80" in words


def test_the_district_around_a_ward_is_the_district_holding_it(store):
    assert district_around(store, record.OAK) == record.DISTRICT
    assert district_around(store, record.OAK_LSOAS[0]) == record.DISTRICT
    assert district_around(store, record.DISTRICT) == record.DISTRICT


def test_a_comparison_with_nothing_left_is_refused(store):
    with pytest.raises(HotspotError, match="nothing of North district is left"):
        assess(
            store, "street-crime", None, record.DISTRICT, record.RESPONSE_STARTS,
            record.MONTHS, area=record.DISTRICT,
        )  # fmt: skip


def test_a_comparison_area_apart_from_the_target_says_so(store):
    # Oak against Elm: nothing of Oak lies in Elm, so nothing is taken out
    # and the sentence must not say it was (the demo's Bournville against
    # Northfield read "the rest of Northfield district (the target taken out)").
    result = assess(
        store, "street-crime", None, record.ELM, record.RESPONSE_STARTS,
        record.MONTHS, area=record.OAK,
    )  # fmt: skip
    assert result.comparison == Place(40, 34)
    assert "taken out" not in result.sentence()
    assert "the target lies outside it" in result.comparison_words
