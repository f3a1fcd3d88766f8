"""The tasking pack (issue 15) on the SYNTHETIC demo: a district tasking
group opens its pack before the meeting and sees where and what is getting
worse, the places with most incidents, and the plan's open actions there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.analytics import tasking
from saferplaces.analytics.store import Store
from tests.factories import road_safety_plan

SELLY_OAK_DISTRICT = "SYN-D03"
HEADINGS = [
    "Crime and anti-social behaviour", "Places with the most incidents",
    "New, emerging and persistent hot spots", "Road safety",
    "Community concerns", "The plan's open actions here",
]  # fmt: skip


@pytest.fixture
def site(db, settings, demo_data, tmp_path):
    settings.DATA_DIR = demo_data
    settings.MEDIA_ROOT = tmp_path / "uploads"
    # Action 3.1.1 of the seed plan is aimed at the Selly Oak district.
    return road_safety_plan().plan


def test_the_pack_counts_against_the_months_before(demo_data):
    pack = tasking.pack(Store(demo_data / "store"), SELLY_OAK_DISTRICT,
                        "2014-04", "2015-03")  # fmt: skip
    assert (pack.previous_first, pack.previous_last) == ("2013-04", "2014-03")
    kinds = [line.label for line in pack.crime]
    assert "Anti-social behaviour" in kinds
    burglary = next(line for line in pack.crime if line.label == "Burglary")
    assert burglary.hot_cells >= 1  # the planted student-area burglary
    assert len(pack.repeat_locations) == 10
    assert pack.repeat_locations[0].count >= pack.repeat_locations[-1].count
    assert pack.roads[0].label == "Killed or seriously injured"
    assert {line.label for line in pack.concerns} >= {"school-parking", "speeding"}


def test_the_pack_page_for_a_partner(client, site, make_user):
    client.force_login(make_user(Role.VIEWER))
    asked = {"area": SELLY_OAK_DISTRICT, "from": "2014-04", "to": "2015-03"}
    chosen = client.get(reverse("tasking:choose"), asked)
    assert chosen.status_code == 302
    page = client.get(chosen["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    for heading in HEADINGS:
        assert heading in html
    # A map of the cells, with the hot ones in a table behind it.
    assert "data-map-geojson=" in html
    assert 'data-testid="hot-cells"' in html
    shapes = client.get(
        reverse("tasking:pack_geojson", kwargs={"code": SELLY_OAK_DISTRICT}),
        {"from": "2014-04", "to": "2015-03"},
    ).json()
    hot = [f for f in shapes["features"] if f["properties"]["bin"] == "app-bin-4"]
    assert hot
    assert hot[0]["properties"]["href"].startswith(reverse("tasking:problem_new"))
    # A viewer reads the hot cells but is not offered records they cannot open.
    assert "Open a problem-solving record" not in html
    # Action 3.1.1 is aimed at the Selly Oak district and was open at the end.
    actions = html.split('data-testid="actions"')[1].split("</ul>")[0]
    assert "3.1.1" in actions


def test_a_bad_area_or_month_is_refused_in_words(client, site, make_user):
    client.force_login(make_user(Role.VIEWER))
    unknown = client.get(reverse("tasking:choose"), {"area": "Atlantis"})
    assert unknown.status_code == 400
    assert "Choose an area from the list." in unknown.content.decode()
    url = reverse("tasking:pack", kwargs={"code": SELLY_OAK_DISTRICT})
    bad = client.get(url, {"from": "2014-13"})
    assert bad.status_code == 400
    assert "is not a month" in bad.content.decode()


def test_the_pack_is_for_partners_only(client, site):
    url = reverse("tasking:pack", kwargs={"code": SELLY_OAK_DISTRICT})
    assert client.get(url).status_code == 302  # to sign in
