"""Every page passes axe-core (WCAG 2.2 AA) for every persona who may see it.

The page list comes from the permission matrix, so a new URL added there is
checked here without further work.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from tests.browser.support import axe_violations, sign_in_as
from tests.factories import ANONYMOUS, PERSONAS, SITE_ADMIN, UserFactory
from tests.matrix import MATRIX

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOT_HTML = {
    "web:health",
    "dashboard:chart",
    "dashboard:map_geojson",
    "tasking:pack_geojson",
    "tasking:pack_pdf",
    "dashboard:export",
    "partnership:export_csv",
    "cases:case_review_figures_csv",
    "partnership:export_xlsx",
    "accounts:audit_log_export",
    *(name for name in MATRIX if name.startswith("api:")),
}


# The demo partnership's public pages (issue 29).
SOUTH = {"slug": "birmingham-south-ldg"}


@pytest.fixture(autouse=True)
def _seed_plan(seeded_plan):
    """Every page is checked with the demo data and plan loaded."""


def data_pages() -> list[str]:
    """Pages that show the demo's data where the matrix asks an empty store."""
    return [
        reverse("dashboard:measure", kwargs={"measure_id": "perceptions-of-safety"})
        + "?area=SYN-D03&by=quarter",
        reverse("dashboard:map") + "?level=lsoa",
        reverse("dashboard:neighbourhood_ward", kwargs={**SOUTH, "code": "E05900012"}),
        reverse("dashboard:neighbourhood", kwargs=SOUTH) + "?ward=nowhere",
        reverse("dashboard:neighbourhood", kwargs=SOUTH) + "?place=Atlantis",
        reverse("dashboard:neighbourhood", kwargs=SOUTH) + "?place=ton",
        reverse("tasking:pack", kwargs={"code": "SYN-D03"})
        + "?from=2014-04&to=2015-03",
        # Issue 29: the decile table and map, stop and search by ethnic group.
        reverse("dashboard:measure", kwargs={"measure_id": "total-recorded-crime"})
        + "?area=SYN-PARTNERSHIP",
        reverse("dashboard:map") + "?shade=imd",
        # Issue 30: limits drawn at zero, and the SPC options refused in words.
        reverse("dashboard:measure", kwargs={"measure_id": "road-casualties-ksi"})
        + "?area=SYN-D03&screen_outliers=no&fix_after=5",
        reverse("dashboard:measure", kwargs={"measure_id": "stop-searches"})
        + "?area=west-midlands&by=year",
        # Issue 30: the breakdowns by offence group, and by victim.
        reverse("dashboard:measure", kwargs={"measure_id": "recorded-crime-local"})
        + "?area=SYN-D01",
        # Wide tables and chart legends (the measure page was 676 px wide on a
        # phone, the map 426).
        reverse("dashboard:measure", kwargs={"measure_id": "domestic-violence"})
        + "?area=SYN-D01&by=quarter",
        reverse("dashboard:map") + "?measure=domestic-violence&within=SYN-D01",
    ]


def test_dashboard_pages_with_data_have_no_axe_violations(page, live_server):
    sign_in_as(page, live_server, UserFactory(role=Role.ANALYST, username="an"))
    failures = {}
    for url in data_pages():
        page.goto(url)
        assert page.locator("h1").count() == 1
        # The script turns the SVG map into a Leaflet map (the decile map stays SVG).
        if "/map/" in url and "shade=" not in url:
            page.wait_for_selector(".leaflet-container path[class*='app-bin-']")
            assert page.locator("[data-map-fallback]").is_hidden()
        if violations := axe_violations(page):
            failures[url] = violations
    assert failures == {}


def pages_for(persona: str) -> list[str]:
    urls = []
    for name, rule in sorted(MATRIX.items()):
        if name in NOT_HTML or persona not in rule.allowed:
            continue
        status = rule.status
        if persona != ANONYMOUS and rule.signed_in_status:
            status = rule.signed_in_status
        if status == 200:
            urls.append(reverse(name, kwargs=rule.kwargs))
    return urls


# Most privileged first: the persona that sees the most of a page (its
# change links, forms and navigation) checks it. Checking every page as
# every persona took three and a half minutes for the same markup.
CHECKER_ORDER = [
    SITE_ADMIN, Role.ADMINISTRATOR.value, Role.ANALYST.value,
    Role.GROUP_LEAD.value, Role.CASE_WORKER.value, Role.VIEWER.value,
]  # fmt: skip


def pages_to_check(persona: str) -> list[str]:
    """The pages ``persona`` checks: every page for an anonymous visitor
    (public pages look different signed out), otherwise the pages where no
    more privileged persona may go."""
    if persona == ANONYMOUS:
        return pages_for(persona)
    mine = set(pages_for(persona))
    for other in CHECKER_ORDER[: CHECKER_ORDER.index(persona)]:
        mine -= set(pages_for(other))
    return sorted(mine)


def test_every_page_is_checked_by_someone():
    checked = set().union(*(pages_to_check(p) for p in PERSONAS))
    assert checked == set().union(*(pages_for(p) for p in PERSONAS))


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_has_no_axe_violations(page, live_server, persona):
    if persona != ANONYMOUS:
        sign_in_as(page, live_server, UserFactory(role=persona, username=persona))
    failures = {}
    for url in pages_to_check(persona):
        page.goto(url)
        if violations := axe_violations(page):
            failures[url] = violations
    assert failures == {}


PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_scrolls_sideways_on_a_phone(page, live_server, persona):
    """Every table fits or scrolls in its own box at 390 px, never the page
    (issue 30: the progress tables were 1,102 px wide, measure and map
    tables 24 to 44 px too wide), and every page passes axe at that width."""
    page.set_viewport_size(PHONE)
    if persona != ANONYMOUS:
        sign_in_as(page, live_server, UserFactory(role=persona, username=persona))
    urls = pages_to_check(persona)
    if persona == Role.ANALYST.value:
        urls += data_pages()
    too_wide, failures = {}, {}
    for url in urls:
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > page.evaluate("window.innerWidth"):
            too_wide[url] = width
        if violations := axe_violations(page):
            failures[url] = violations
    assert too_wide == {}
    assert failures == {}


def test_error_states_have_no_axe_violations(page, live_server):
    UserFactory(role=Role.VIEWER, username="vic")
    page.goto(reverse("accounts:login"))
    page.get_by_label("Username").fill("vic")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("There is a problem").wait_for()
    assert axe_violations(page) == []

    page.goto("/no-such-page/")
    assert axe_violations(page) == []

    # The audit page's filters, refused with what was typed kept.
    sign_in_as(page, live_server, UserFactory(role=SITE_ADMIN, username="site"))
    page.goto(reverse("accounts:audit_log") + "?since=31/02/2026")
    page.get_by_text("There is a problem").wait_for()
    assert axe_violations(page) == []


def test_the_too_many_requests_page_has_no_axe_violations(page, live_server, settings):
    settings.PASSWORD_RESET_RATE_PER_ADDRESS = "1/h"
    for _ in range(2):
        page.goto(reverse("accounts:password_reset"))
        page.get_by_label("Email").fill("someone@example.invalid")
        page.get_by_role("button").last.click()
    page.get_by_text("Too many requests").first.wait_for()
    assert axe_violations(page) == []


def test_refused_page_has_no_axe_violations(page, live_server):
    sign_in_as(page, live_server, UserFactory(role=Role.VIEWER, username="v"))
    response = page.goto(reverse("accounts:audit_log"))
    assert response.status == 403
    assert axe_violations(page) == []


@pytest.mark.parametrize("persona", [ANONYMOUS, SITE_ADMIN])
def test_pages_run_under_the_csp_without_violations(strict_page, live_server, persona):
    if persona != ANONYMOUS:
        sign_in_as(strict_page, live_server, UserFactory(role=persona, username="a"))
    for url in pages_for(persona):
        strict_page.goto(url)
        # The external js-enabled script ran, and GOV.UK Frontend initialised.
        assert "govuk-frontend-supported" in strict_page.locator("body").get_attribute(
            "class"
        )
    assert strict_page.csp_violations == []


def test_axe_reports_a_known_violation(page, live_server):
    # Guards against a silently broken checker passing every page.
    page.set_content(
        '<html lang="en"><body><main><img src="x.png"></main></body></html>'
    )
    assert any(v.startswith("image-alt") for v in axe_violations(page))
