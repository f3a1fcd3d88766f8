"""A board member's and an analyst's journeys through the dashboard in
chromium: drilling down, switching periods, downloading, the map offline,
and the pages with scripts off."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.analytics.measures import measure_series
from saferplaces.analytics.store import Store
from tests.browser.support import axe_violations, sign_in_as
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CITY = "E08900025"  # Birmingham (synthetic)
POINTS = "[data-vega-rendered] svg .mark-symbol.role-mark path"  # not the legend's


@pytest.fixture
def analyst_page(page, live_server, seeded_plan):
    sign_in_as(page, live_server, UserFactory(role=Role.ANALYST, username="an"))
    return page


def measure_url(measure: str = "total-recorded-crime", **query: str) -> str:
    url = reverse("dashboard:measure", kwargs={"measure_id": measure})
    return url + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def test_drill_down_from_the_city_to_an_lsoa(analyst_page):
    page = analyst_page
    page.goto(measure_url(area=CITY))
    path = []
    for name in ["Birmingham South", "Selly Oak district", "Bournville"]:
        page.get_by_role("navigation", name="Areas").get_by_role(
            "link", name=name, exact=True
        ).click()
        path.append(page.locator(".govuk-caption-l").inner_text())
    # A ward's children are its LSOAs: take the first.
    areas = page.get_by_role("navigation", name="Areas")
    lsoa = areas.locator("a").filter(has_text="(synthetic)").first
    lsoa_name = lsoa.inner_text()
    lsoa.click()
    path.append(page.locator(".govuk-caption-l").inner_text())
    assert path == ["Birmingham South", "Selly Oak district", "Bournville", lsoa_name]
    assert "area=E01" in page.url
    # Every level has its chart's table, and a way back up.
    assert page.get_by_role("table").first.is_visible()
    assert areas.get_by_role("link", name="Bournville").is_visible()


def test_switching_the_period_redraws_chart_and_table(analyst_page, demo_data):
    page = analyst_page
    page.goto(measure_url(area="SYN-D03"))
    page.wait_for_selector("[data-vega-rendered] svg")
    page.get_by_label("Period", exact=True).select_option(label="Financial year")
    page.get_by_role("button", name="Show").click()
    assert "by=year" in page.url
    page.wait_for_selector("[data-vega-rendered] svg")
    store = Store(demo_data / "store")
    years = measure_series(store, "total-recorded-crime", "SYN-D03", by="year")
    table = page.get_by_role("table").first
    shown = table.locator("tbody th").all_inner_texts()
    assert shown == [p.period for p in years]
    values = table.locator("tbody tr td:nth-child(2)").all_inner_texts()
    # Counts are shown whole, with thousands separated.
    assert values == [f"{round(p.value):,}" for p in years]
    # The drawn chart marks one point per year.
    assert page.locator(POINTS).count() == len(years)


def test_export_csv_holds_the_pages_figures(analyst_page, demo_data):
    page = analyst_page
    page.goto(measure_url(area="SYN-D03", by="quarter"))
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV of the figures").click()
    text = download.value.path().read_text(encoding="utf-8")
    metadata = [line for line in text.splitlines() if line.startswith("# ")]
    assert metadata[0].startswith("# measure,Total recorded crime")
    assert "# area,Selly Oak district (SYN-D03)" in metadata
    body = "\n".join(line for line in text.splitlines() if not line.startswith("# "))
    rows = list(csv.DictReader(io.StringIO(body)))
    quarters = measure_series(Store(demo_data / "store"), "total-recorded-crime",
                              "SYN-D03", by="quarter")  # fmt: skip
    assert [row["period"] for row in rows] == [p.period for p in quarters]
    assert [float(row["value"]) for row in rows] == [p.value for p in quarters]


def test_the_map_draws_with_no_network(analyst_page, live_server):
    page = analyst_page
    ours = urlsplit(live_server.url).netloc
    elsewhere = []

    def only_ours(route):
        if urlsplit(route.request.url).netloc == ours:
            return route.continue_()
        elsewhere.append(route.request.url)
        return route.abort()

    page.route("**/*", only_ours)
    page.goto(reverse("dashboard:map") + "?level=ward")
    page.wait_for_selector(".leaflet-container path.app-bin-0")
    assert page.locator(".leaflet-container path[class*='app-bin-']").count() == 12
    assert page.locator("[data-map-fallback]").is_hidden()
    assert elsewhere == []  # nothing was asked of the internet
    # Keyboard: the map takes focus and zooms with "+".
    page.locator(".leaflet-container").focus()
    page.keyboard.press("+")


def test_the_dashboard_works_with_scripts_off(browser, live_server, seeded_plan):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    sign_in_as(page, live_server, UserFactory(role=Role.ANALYST, username="noscript"))
    page.goto(measure_url(area="SYN-D03"))
    chart = page.locator("img.app-chart__image")
    assert chart.get_attribute("alt").startswith("Total recorded crime, Selly Oak")
    assert page.evaluate("document.querySelector('img.app-chart__image').naturalWidth")
    assert page.get_by_role("table").count() >= 3  # figures, areas, groups
    page.goto(reverse("dashboard:map"))
    assert page.locator("svg.app-map a").count() == 12
    assert page.get_by_role("table").is_visible()
    page.goto(reverse("dashboard:overview"))
    images = page.locator("img.app-card__chart")
    assert images.count() >= 7
    assert page.evaluate(
        "[...document.querySelectorAll('img.app-card__chart')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    context.close()


def test_the_drawn_chart_runs_under_the_csp_and_passes_axe(
    strict_page, page, live_server, seeded_plan
):
    user = UserFactory(role=Role.ANALYST, username="csp")
    sign_in_as(strict_page, live_server, user)
    url = measure_url(area="SYN-D03", target="150")
    strict_page.goto(url)
    strict_page.wait_for_selector("[data-vega-rendered] svg")
    strict_page.locator(POINTS).first.hover()  # the tooltip shows
    assert strict_page.csp_violations == []
    sign_in_as(page, live_server, user)
    page.goto(url)
    page.wait_for_selector("[data-vega-rendered] svg")
    assert axe_violations(page) == []


def test_a_resident_reaches_their_neighbourhood_and_the_plan_in_two_clicks(
    page, live_server, seeded_plan
):
    """The public home page led only to Sign in (issue 14); the
    installation's home lists its partnerships, each with its own pages
    (issue 29)."""
    page.goto("/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Birmingham South Local Delivery Group").click()
    page.get_by_role("link", name="Crime and safety in your neighbourhood").click()
    assert "For example" in page.locator("#place-hint").inner_text()
    assert "Selly Oak" in page.locator("#place-hint").inner_text()
    page.get_by_label("Or choose your ward").select_option(label="Selly Oak")
    page.get_by_role("button", name="Show my area").click()
    page.wait_for_url("**/p/birmingham-south-ldg/neighbourhood/E05900012/")
    assert page.get_by_test_id("synthetic-data").is_visible()
    assert axe_violations(page) == []
    page.goto("/")
    page.get_by_role("link", name="Birmingham South Local Delivery Group").click()
    page.get_by_role("link", name="The partnership's plan").click()
    assert page.locator("h1").inner_text().startswith("Birmingham South")
