"""The measure page takes the CLI's SPC options (issue 30, fault 14):
whether unusually large moving ranges are screened out, and limits fixed
after the first N points; validated, refused in words, and reflected in
the chart, its tables and its downloads."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.analytics.store import Store
from tests.support import load_crimes

LSOA = "E01900001"
# A steady year with one wild month (30), then a higher year.
COUNTS = [10, 11, 9, 10, 12, 10, 9, 11, 10, 30, 10, 11,
          13, 14, 12, 14, 13, 15, 14, 13, 14, 12, 15, 14]  # fmt: skip
MONTHS = [f"{2022 + i // 12}-{i % 12 + 1:02d}" for i in range(24)]
# Fixed after 12, every moving range kept: mean 143/12 = 11.92; ranges
# 1,2,1,2,2,1,2,1,20,20,1 average 53/11 = 4.818, so the limits are
# 11.92 +/- 2.66 x 4.818 = -0.90 and 24.73.
FIXED_KEPT = {"screen_outliers": "no", "fix_after": "12"}


@pytest.fixture
def analyst(client, settings, make_user, tmp_path):
    settings.DATA_DIR = tmp_path
    (tmp_path / "files").mkdir()
    crimes = [(m, LSOA, c) for m, c in zip(MONTHS, COUNTS, strict=True)]
    load_crimes(Store(tmp_path / "store"), tmp_path / "files", crimes)
    client.force_login(make_user(Role.ANALYST))
    return client


def page(client, **query):
    url = reverse("dashboard:measure", kwargs={"measure_id": "total-recorded-crime"})
    return client.get(url, {"area": LSOA, **query})


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def signal_in_table(html: str, period: str) -> str:
    row = re.search(
        rf'<th scope="row" class="govuk-table__header">{period}</th>(.*?)</tr>',
        html,
        re.S,
    )
    assert row, f"no row for {period}"
    return text_of(re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)[-1]).strip()


def test_the_page_offers_the_options_with_the_defaults_chosen(analyst):
    html = page(analyst).content.decode()
    assert 'name="screen_outliers"' in html
    assert 'name="fix_after"' in html
    assert "Limits from every point" in html


def test_limits_fixed_after_12_points_with_every_moving_range(analyst):
    default = page(analyst).content.decode()
    # By default 2022-01 is one of two of three points near the lower limit.
    assert signal_in_table(default, "2022-01") == "special cause of improvement: lower"
    response = page(analyst, **FIXED_KEPT)
    assert response.status_code == 200
    html = response.content.decode()
    limits = text_of(re.search(r"Process limits.*?</table>", html, re.S)[0])
    assert "2022-01 to 2023-12 11.9 0 (computed -0.9) 24.7" in limits
    # The table is the chart's: its signals follow the options too.
    assert signal_in_table(html, "2022-01") == ""
    assert signal_in_table(html, "2023-01") == "special cause of concern: higher"
    assert "Limits fixed on the first 12 points" in html
    assert "every moving range kept" in html
    # The chart's picture and downloads carry the options.
    for link in re.findall(r'(?:src|href)="([^"]*(?:chart|export)\.[a-z]+\?[^"]*)"',
                           html):  # fmt: skip
        if "table=" in link or "public=1" in link:
            continue
        assert "screen_outliers=no" in link, link
        assert "fix_after=12" in link, link


def test_the_csv_has_the_signals_of_the_options_chosen(analyst):
    url = reverse(
        "dashboard:export",
        kwargs={"measure_id": "total-recorded-crime", "kind": "csv"},
    )
    text = analyst.get(url, {"area": LSOA, **FIXED_KEPT}).content.decode()
    lines = text.splitlines()
    assert any(line.startswith("# signals,") and "first 12 points" in line
               for line in lines)  # fmt: skip
    table = "\n".join(line for line in lines if not line.startswith("#"))
    rows = {r["period"]: r for r in csv.DictReader(io.StringIO(table))}
    assert rows["2022-01"]["signal"] == ""
    assert rows["2023-01"]["signal"] == "concern_high"


@pytest.mark.parametrize(
    ("asked", "said"),
    [
        ({"fix_after": "6"}, "Limits can be fixed after 12 or more points, not 6."),
        ({"fix_after": "ten"}, "Enter the number of points as a whole number"),
        ({"fix_after": "30"}, "The chart has 24 points: fix the limits after 12 to 24"),
        ({"screen_outliers": "maybe"}, "Choose whether to screen out"),
    ],
)
def test_bad_options_are_refused_in_words_keeping_what_was_typed(analyst, asked, said):
    response = page(analyst, **asked)
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert said in html
    if "fix_after" in asked:
        assert f'value="{asked["fix_after"]}"' in html


def test_the_chart_picture_refuses_bad_options_in_words(analyst):
    kwargs = {"measure_id": "total-recorded-crime", "kind": "svg"}
    url = reverse("dashboard:chart", kwargs=kwargs)
    response = analyst.get(url, {"area": LSOA, "fix_after": "6"})
    assert response.status_code == 404
    assert analyst.get(url, {"area": LSOA, **FIXED_KEPT}).status_code == 200
