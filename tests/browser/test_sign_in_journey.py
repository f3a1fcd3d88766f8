"""A person signs in, sees their home page, and signs out."""

from __future__ import annotations

import pytest

from saferplaces.accounts.models import Role
from tests.factories import PASSWORD, AgencyFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_see_home_and_sign_out(page, live_server, settings):
    agency = AgencyFactory(name="West Midlands Fire Service")
    UserFactory(username="lead", role=Role.GROUP_LEAD, agency=agency)

    page.goto("/")
    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("heading", name="What you can use").wait_for()
    assert page.get_by_test_id("agency").inner_text() == "West Midlands Fire Service"
    assert page.get_by_test_id("role").inner_text() == "Group lead"
    assert page.get_by_role("link", name="Your account").count() >= 1
    assert page.get_by_role("link", name="Audit log").count() == 0

    page.get_by_role("button", name="Sign out").click()
    # The installation's only partnership: its home page, its name above.
    page.wait_for_url(f"{live_server.url}/p/test-partnership/")
    assert page.get_by_role("link", name="Sign in").count() >= 1
    assert "Test partnership" in page.locator("header").inner_text()


def test_skip_link_moves_focus_to_main_content(page, live_server):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    # Following a fragment link updates the URL a moment after the key press
    # (it failed once on a loaded CI machine), so wait for it, not a snapshot.
    page.wait_for_url("**/#main-content", timeout=5000)
    assert page.evaluate("document.activeElement.closest('#main-content') !== null")
