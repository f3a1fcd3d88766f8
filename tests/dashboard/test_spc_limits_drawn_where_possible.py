"""A count's process limits are drawn where a count can be (issue 30,
fault 14): the KSI chart's lower limit of -2.2 casualties was drawn, with
its axis down to -4. The limits and signals are still computed as
NHSRplotthedots computes them (tests/analytics/test_spc.py); only the
chart, its table and its words show the lower limit at 0, and say so."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.analytics import results
from saferplaces.analytics.store import Store
from tests.support import load_crimes

LSOA = "E01900001"
# Small monthly counts: mean 34/12 = 2.833; moving ranges 3,3,5,4,1,4,4,2,4,6,1
# (mean 37/11 = 3.364, none screened: the limit is 10.99), so the limits are
# 2.833 +/- 2.66 x 3.364 = -6.11 and 11.78.
COUNTS = [1, 4, 1, 6, 2, 1, 5, 1, 3, 7, 1, 2]
COMPUTED_LOWER = 34 / 12 - 2.66 * 37 / 11


@pytest.fixture
def analyst(client, settings, make_user, tmp_path):
    settings.DATA_DIR = tmp_path
    (tmp_path / "files").mkdir()
    months = [(f"2023-{m:02d}", LSOA, c) for m, c in enumerate(COUNTS, start=1)]
    load_crimes(Store(tmp_path / "store"), tmp_path / "files", months)
    client.force_login(make_user(Role.ANALYST))
    return client


def test_the_computed_limit_is_unchanged(analyst, tmp_path):
    chart = results.chart(Store(tmp_path / "store"), "total-recorded-crime", LSOA)
    assert chart.points[0].lower == pytest.approx(COMPUTED_LOWER)
    assert round(COMPUTED_LOWER, 2) == -6.11


def test_the_page_shows_the_lower_limit_at_zero_and_says_why(analyst):
    url = reverse("dashboard:measure", kwargs={"measure_id": "total-recorded-crime"})
    html = analyst.get(url, {"area": LSOA}).content.decode()
    limits = re.search(r"<table[^>]*>\s*<caption[^>]*>Process limits.*?</table>", html,
                       re.S)  # fmt: skip
    assert limits, "the chart's limits have no table"
    cells = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", limits[0]))
    assert "2023-01 to 2023-12" in cells
    assert " 2.8 " in cells
    assert " 11.8 " in cells
    assert "0 (computed -6.1)" in cells
    said = "Crimes cannot be fewer than none, so a limit computed below zero is shown"
    assert said in re.sub(r"\s+", " ", html)
    # The chart's words (its alt text) give the limits as drawn.
    assert "process limits 0 (computed -6.1, below zero: shown at 0) to 11.8" in html
    assert "-6.1 to" not in html


def test_the_chart_has_no_axis_below_zero(analyst):
    kwargs = {"measure_id": "total-recorded-crime", "kind": "svg"}
    url = reverse("dashboard:chart", kwargs=kwargs)
    svg = analyst.get(url, {"area": LSOA}).content.decode()
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "0" in labels
    # Vega writes a negative tick with a minus sign (U+2212).
    assert not [label for label in labels if re.match(r"[-\u2212]\d", label)]


def test_a_percentage_limit_is_drawn_no_higher_than_100():
    from saferplaces.analytics.measures import REGISTRY
    from saferplaces.analytics.spc import xmr
    from saferplaces.dashboard import charts

    # Mean 95.5; moving ranges 9 (x11): limits 95.5 +/- 23.94.
    chart = xmr([91, 100] * 6)
    possible = REGISTRY["perceptions-of-safety"].possible
    [segment] = charts.segments(chart, possible)
    assert segment.upper_words == "100 (computed 119, above 100: shown at 100)"
    assert segment.lower_words == "71.6"
