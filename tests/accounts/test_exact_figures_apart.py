"""Exact figures only within one's own partnership (issue 27, finding 2).

A signed-in person sees exact figures for areas wholly inside the areas of
a partnership they belong to, and everywhere else exactly what the public
gets, on every surface: the API, the measure page, its exports, charts and
map, the overview and the tasking pack. Case-derived measures need the
case-counting permission of the cases' partnership. Site administrators see
exact figures everywhere.
"""

from __future__ import annotations

import shutil

import pytest
from django.test import Client
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.analytics import geography
from saferplaces.analytics.measures import REGISTRY
from saferplaces.analytics.store import Store
from saferplaces.partnership.models import Partnership, PartnershipArea
from tests.analytics.cases_opened import load_cases_opened
from tests.factories import SITE_ADMIN, neighbouring_plan, road_safety_plan

OURS = "birmingham-south-ldg"
THEIRS = "neighbouring-ldg-synthetic"
# Birmingham South's districts in the demo; the neighbour has Birmingham
# North's (the demo plan files say so: tests/demo/test_seed.py).
OUR_DISTRICT = "SYN-D01"


@pytest.fixture
def store_dir(demo_data, settings, db):
    settings.DATA_DIR = demo_data
    # The two partnerships with their areas, small plans under their names.
    road_safety_plan()
    neighbouring_plan()
    return demo_data


def _client(make_user, role: str, slug: str | None, name: str) -> Client:
    client = Client()
    partnerships = [Partnership.objects.get(slug=slug)] if slug else None
    client.force_login(make_user(role, partnerships=partnerships, username=name))
    return client


@pytest.fixture
def neighbour(store_dir, make_user) -> Client:
    """An analyst of the neighbouring partnership only."""
    return _client(make_user, Role.ANALYST, THEIRS, "their-analyst")


@pytest.fixture
def ours(store_dir, make_user) -> Client:
    return _client(make_user, Role.ANALYST, OURS, "our-analyst")


def _our_areas(store: Store) -> dict[str, str]:
    """One Birmingham South area of each level, by level."""
    ward = geography.children(store, OUR_DISTRICT)[0]
    lsoa = geography.children(store, ward.code)[0]
    return {
        "partnership": "SYN-PARTNERSHIP",
        "district": OUR_DISTRICT,
        "ward": ward.code,
        "lsoa": lsoa.code,
    }


def _series(client: Client, measure_id: str, **query: str) -> tuple[int, object]:
    url = reverse("api:series", kwargs={"measure_id": measure_id})
    response = client.get(url, query)
    return response.status_code, response.json()


def test_the_neighbours_analyst_gets_only_published_figures_for_every_measure(
    neighbour, store_dir, client
):
    """Every measure with data, every level of Birmingham South, by month
    and by year: the neighbour's answer is the public's, to the byte."""
    store = Store(store_dir / "store")
    tables = store.tables()
    asked = 0
    for measure in REGISTRY.values():
        if measure.table not in tables:
            continue
        for code in _our_areas(store).values():
            for by in ("month", "year"):
                theirs = _series(neighbour, measure.id, area=code, by=by)
                public = _series(client, measure.id, area=code, by=by)
                assert theirs == public, (measure.id, code, by)
                asked += 1
    assert asked >= 60


def test_our_analyst_gets_exact_figures_inside_and_published_outside(
    ours, store_dir, client
):
    store = Store(store_dir / "store")
    for code in _our_areas(store).values():
        status, body = _series(ours, "domestic-violence", area=code, by="year")
        assert status == 200, code
        assert body["public"] is False
        assert {p["treatment"] for p in body["points"]} == {"exact"}
    # The city holds other partnerships' areas: published figures only.
    city = geography.parent(store, "SYN-PU1") or geography.area(store, "E08900025")
    assert _series(ours, "domestic-violence", area=city.code, by="year") == _series(
        client, "domestic-violence", area=city.code, by="year"
    )
    # A month run cut through a quarter is refused, as for the public.
    status, body = _series(
        ours, "domestic-violence", area=city.code, by="quarter", first="2012-05"
    )
    assert status == 400
    assert body["allowed"]


def test_a_site_administrator_sees_exact_figures_everywhere(store_dir, make_user):
    admin = _client(make_user, SITE_ADMIN, None, "site-admin")
    status, body = _series(admin, "domestic-violence", area="SYN-D05", by="year")
    assert status == 200
    assert body["public"] is False


def test_every_measures_download_is_the_public_one_for_the_neighbour(
    neighbour, store_dir
):
    store = Store(store_dir / "store")
    for measure in REGISTRY.values():
        if measure.table not in store.tables():
            continue
        url = reverse(
            "dashboard:export", kwargs={"measure_id": measure.id, "kind": "csv"}
        )
        here = {"area": OUR_DISTRICT, "by": "quarter"}
        theirs = neighbour.get(url, here)
        public = neighbour.get(url, {**here, "public": "1"})
        assert theirs.status_code == public.status_code, measure.id
        assert _without_dates(theirs.content) == _without_dates(public.content)


def _page(
    client: Client, name: str, query: dict[str, str], **kwargs: str
) -> tuple[int, bytes]:
    response = client.get(reverse(name, kwargs=kwargs), query)
    return response.status_code, response.content


SURFACES = [
    # (url name, its kwargs, query); "public": 1 is the public's own view.
    ("dashboard:measure", {"measure_id": "domestic-violence"}, {"by": "year"}),
    ("dashboard:export", {"measure_id": "domestic-violence", "kind": "csv"},
     {"by": "year", "table": "series"}),
    ("dashboard:export", {"measure_id": "domestic-violence", "kind": "csv"},
     {"by": "month", "table": "victim_sex"}),
    ("dashboard:export", {"measure_id": "domestic-violence", "kind": "csv"},
     {"by": "year", "table": "areas"}),
    ("dashboard:export", {"measure_id": "domestic-violence", "kind": "csv"},
     {"table": "areas", "level": "lsoa"}),
    ("dashboard:chart", {"measure_id": "domestic-violence", "kind": "svg"},
     {"by": "quarter"}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "kwargs", "query"), SURFACES)
def test_every_surface_gives_the_neighbour_what_the_public_export_gives(
    neighbour, ours, name, kwargs, query
):
    """The neighbour's page, table or chart for Birmingham South equals the
    same one asked "as the public sees it"; ours differs from it (exact)."""
    here = {**query, "area": OUR_DISTRICT}
    theirs = _page(neighbour, name, here, **kwargs)
    public = _page(neighbour, name, {**here, "public": "1"}, **kwargs)
    assert theirs[0] == 200
    assert _without_dates(theirs[1]) == _without_dates(public[1])
    assert _without_dates(_page(ours, name, here, **kwargs)[1]) != _without_dates(
        theirs[1]
    )


def _without_dates(content: bytes) -> bytes:
    """The page less what changes from one request to the next."""
    text = content.decode(errors="replace")
    kept = [
        line
        for line in text.splitlines()
        if "generated" not in line and "csrf" not in line.lower()
    ]
    return "\n".join(kept).encode()


def test_the_measure_page_says_its_figures_are_the_published_ones(neighbour, ours):
    url = reverse("dashboard:measure", kwargs={"measure_id": "domestic-violence"})
    theirs = neighbour.get(url, {"area": OUR_DISTRICT}).content.decode()
    assert 'data-testid="published-figures"' in theirs
    assert "small counts are withheld" in theirs
    mine = ours.get(url, {"area": OUR_DISTRICT}).content.decode()
    assert 'data-testid="published-figures"' not in mine


def test_the_map_and_its_geojson_are_published_for_the_neighbour(neighbour, ours):
    query = {"measure": "domestic-violence", "level": "lsoa", "within": OUR_DISTRICT}
    theirs = neighbour.get(reverse("dashboard:map_geojson"), query).json()
    public = neighbour.get(reverse("dashboard:map_geojson"), {**query, "public": "1"})
    assert theirs["features"]
    assert theirs == public.json()
    assert ours.get(reverse("dashboard:map_geojson"), query).json() != theirs
    page = neighbour.get(reverse("dashboard:map"), query).content
    public_page = neighbour.get(reverse("dashboard:map"), {**query, "public": "1"})
    assert _without_dates(page) == _without_dates(public_page.content)


def test_the_overview_of_another_partnerships_area_shows_no_cards(neighbour, ours):
    url = reverse("dashboard:overview")
    theirs = neighbour.get(url, {"area": OUR_DISTRICT}).content.decode()
    assert 'data-testid="published-only"' in theirs
    assert "app-card" not in theirs
    assert "app-card" in ours.get(url, {"area": OUR_DISTRICT}).content.decode()


def test_the_neighbours_dashboard_opens_on_its_own_area(neighbour):
    page = neighbour.get(reverse("dashboard:overview")).content.decode()
    assert "app-card" in page
    assert "Erdington" in page


def test_no_tasking_pack_for_another_partnerships_area(neighbour, ours):
    for name in ("tasking:pack", "tasking:pack_geojson", "tasking:pack_pdf"):
        url = reverse(name, kwargs={"code": OUR_DISTRICT})
        asked = {"from": "2015-01", "to": "2015-02"}
        assert neighbour.get(url, asked).status_code in (400, 404), name
    assert ours.get(reverse("tasking:pack", kwargs={"code": OUR_DISTRICT}), {
        "from": "2015-01", "to": "2015-02"}).status_code == 200  # fmt: skip
    choose = neighbour.get(reverse("tasking:choose")).content.decode()
    assert "Edgbaston" not in choose
    assert "Erdington" in choose


@pytest.fixture
def cases_store(store_dir, settings, tmp_path):
    """The demo store, with cases opened in Birmingham South's first LSOAs."""
    copy = tmp_path / "data"
    shutil.copytree(store_dir, copy)
    settings.DATA_DIR = copy
    store = Store(copy / "store")
    ours = geography.lsoas_in(store, OUR_DISTRICT)[:6]
    load_cases_opened(store, tmp_path, lsoas=ours)
    return store


def test_case_derived_counts_need_the_case_counting_permission(
    cases_store, make_user, client
):
    lsoa = geography.lsoas_in(cases_store, OUR_DISTRICT)[0]
    district = OUR_DISTRICT
    ours = Partnership.objects.get(slug=OURS)
    assert PartnershipArea.objects.filter(partnership=ours, code=district).exists()
    analyst = _client(make_user, Role.ANALYST, OURS, "counting-analyst")
    viewer = _client(make_user, Role.VIEWER, OURS, "plain-viewer")
    # May count cases: every level, perturbed with small counts withheld.
    status, body = _series(analyst, "cases-opened", area=lsoa, by="year")
    assert status == 200
    assert {p["treatment"] for p in body["points"]} == {"perturbed"}
    exact = _series(_client(make_user, SITE_ADMIN, None, "admin"), "cases-opened",
                    area=district, by="year")[1]  # fmt: skip
    counted = _series(analyst, "cases-opened", area=district, by="year")[1]
    assert exact["points"]
    assert counted != exact
    # May not: what the public gets (no LSOAs, no risk levels).
    assert _series(viewer, "cases-opened", area=lsoa, by="year") == _series(
        client, "cases-opened", area=lsoa, by="year"
    )
    page = reverse("dashboard:measure", kwargs={"measure_id": "cases-opened"})
    asked = {"area": district, "by": "year"}
    assert "as on the case counts page" in analyst.get(page, asked).content.decode()
    viewed = viewer.get(page, asked).content.decode()
    assert "needs the case-counting permission" in viewed
    seen = _series(viewer, "cases-opened", area=district, by="year")
    public = _series(client, "cases-opened", area=district, by="year")
    for key in seen[1]:
        assert seen[1][key] == public[1][key], key


def test_the_admin_refuses_an_area_code_the_geography_does_not_hold(store_dir):
    from saferplaces.partnership.admin import PartnershipAreaForm

    unknown = PartnershipAreaForm(data={"code": "E05999999"})
    assert not unknown.is_valid()
    assert "No area with the code E05999999 is loaded" in str(unknown.errors)
    assert PartnershipAreaForm(data={"code": "SYN-D01"}).is_valid()
