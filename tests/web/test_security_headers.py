"""Security headers on every response, and CSRF on every form."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import include, path, reverse

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


def assert_security_headers(response) -> None:
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_a_bad_host_in_production_gets_the_headers_too(settings):
    # With the HTTPS redirect on (production), Django's SecurityMiddleware
    # reads the Host first, and its 400 went out bare.
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert_security_headers(response)


@pytest.mark.parametrize(
    ("persona", "method", "url", "status"),
    [
        ("anonymous", "get", "/no-such-page/", 404),
        ("viewer", "get", "/cases/", 403),
        ("anonymous", "put", "/", 405),
        ("anonymous", "generic", "/accounts/sign-in/", 405),
        ("anonymous", "get", "/?q=%00", 400),
    ],
)
def test_every_error_carries_the_headers(client_as, persona, method, url, status):
    client = client_as(persona)
    if method == "generic":
        response = client.generic("PROPFIND", url)
    else:
        response = getattr(client, method)(url)
    assert response.status_code == status
    assert_security_headers(response)


def test_a_csrf_failure_carries_the_headers():
    response = Client(enforce_csrf_checks=True).post(reverse("accounts:login"))
    assert response.status_code == 403
    assert_security_headers(response)


def _broken(request):
    raise RuntimeError("a bug")


# A URL that fails, for the 500 test (pytest.mark.urls names this module).
urlpatterns = [path("broken/", _broken), path("", include("saferplaces.config.urls"))]


@pytest.mark.urls("tests.web.test_security_headers")
def test_a_server_error_carries_the_headers(settings):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    assert_security_headers(response)


def test_a_body_too_large_carries_the_headers(settings):
    settings.MAX_REQUEST_MEGABYTES = 1
    response = Client().post(
        "/accounts/sign-in/", data=b"x", content_type="text/plain",
        CONTENT_LENGTH=str(2 * 1024 * 1024),
    )  # fmt: skip
    assert response.status_code == 413
    assert_security_headers(response)
