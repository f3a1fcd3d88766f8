"""Security headers on every response, and CSRF on every form."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = ["web:home", "accounts:login", "web:privacy", "accounts:password_reset"]


@pytest.mark.parametrize("url_name", PAGES)
def test_every_response_carries_the_security_headers(url_name):
    response = Client().get(reverse(url_name))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_error_pages_carry_the_headers_too():
    response = Client().get("/no-such-page/")
    assert "Content-Security-Policy" in response
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("url_name", [*PAGES[1:], "accounts:password_change"])
def test_forms_have_no_inline_script_or_style(client_as, url_name):
    content = client_as("viewer").get(reverse(url_name), follow=True).content.decode()
    assert "<script>" not in content
    assert "style=" not in content
    assert "<style" not in content


def test_login_form_is_refused_without_a_csrf_token(make_user):
    make_user("viewer", username="vic")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("accounts:login"),
        {"username": "vic", "password": "correct horse battery staple"},
    )
    assert response.status_code == 403


def test_logout_is_refused_without_a_csrf_token(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("viewer"))
    assert client.post(reverse("accounts:logout")).status_code == 403
    assert "_auth_user_id" in client.session


def test_static_files_carry_the_headers_too():
    # WhiteNoise answered static files before the CSP and framing headers
    # were added; an SVG (the favicon) is a document that can run script.
    from django.test import override_settings

    with override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True):
        response = Client().get("/static/saferplaces/favicon.svg")
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_bad_host_gets_the_headers_too():
    response = Client().get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Content-Security-Policy" in response
    assert response["X-Frame-Options"] == "DENY"
