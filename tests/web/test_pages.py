"""The public home page, the signed-in home page and the footer pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db


def test_public_home_shows_the_partnership_name_and_purpose(settings):
    settings.PARTNERSHIP_NAME = "Anytown Safer Streets Partnership"
    settings.PARTNERSHIP_PURPOSE = "Working together so Anytown is safer."
    content = Client().get(reverse("web:home")).content.decode()
    assert "Anytown Safer Streets Partnership" in content
    assert "Working together so Anytown is safer." in content
    assert "Sign in" in content


def test_signed_in_home_shows_agency_role_and_links(make_user):
    user = make_user("analyst", username="ana")
    client = Client()
    client.force_login(user)
    content = client.get(reverse("web:home")).content.decode()
    assert user.agency.name in content
    assert "Analyst" in content
    assert reverse("accounts:account") in content
    assert reverse("accounts:audit_log") not in content


def test_no_crown_and_no_gds_transport_font():
    content = Client().get(reverse("web:home")).content.decode()
    assert "govuk-header__logotype" not in content
    assert "crown" not in content.lower()


def test_footer_links_to_accessibility_statement_and_privacy_notice():
    content = Client().get(reverse("web:home")).content.decode()
    assert reverse("web:accessibility") in content
    assert reverse("web:privacy") in content


def test_unknown_page_is_a_styled_404():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_health_check_reports_database_status():
    response = Client().get(reverse("web:health"))
    assert response.json() == {"status": "ok"}


def test_the_health_check_is_not_redirected_to_https(client, settings):
    # Production redirects to HTTPS; a plain-HTTP load-balancer check of
    # /healthz must still get its answer.
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


def test_a_resident_finds_the_neighbourhood_page_and_the_plan_from_home():
    """The public home page linked only to Sign in (issue 14); it is the
    partnership's own, at its address (issue 29)."""
    partnership = PartnershipFactory(name="Anytown Safer Streets Partnership")
    html = Client().get(reverse("web:home"), follow=True).content.decode()
    neighbourhood = reverse(
        "dashboard:neighbourhood", kwargs={"slug": partnership.slug}
    )
    for url in (neighbourhood, reverse("partnership:public_plan"), reverse("api:root")):
        assert f'href="{url}' in html
