"""Signing in and out, and throttling repeated failures."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from saferplaces.accounts.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def sign_in(client: Client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


def test_signs_in_and_lands_on_the_home_page(make_user):
    make_user("analyst", username="ana")
    client = Client()
    response = sign_in(client, "ana", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    page = client.get(reverse("web:home"))
    assert page.context["user"].username == "ana"


def test_wrong_password_shows_an_error_and_keeps_the_username(make_user):
    make_user("viewer", username="vic")
    response = sign_in(Client(), "vic", "not the password")
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert 'value="vic"' in content
    assert "Error: Sign in" in content


def test_sign_out_needs_a_post_and_ends_the_session(client_as):
    client = client_as("viewer")
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_locks_out_after_repeated_failures_even_with_the_right_password(
    make_user, settings
):
    make_user("viewer", username="target")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "target", "guess")
    response = sign_in(client, "target", PASSWORD)
    assert response.status_code == 429
    assert "Sign-in is paused" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login_locked_out").exists()


def test_lockout_is_per_username_so_others_can_still_sign_in(make_user, settings):
    make_user("viewer", username="target")
    make_user("analyst", username="colleague")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "target", "guess")
    assert sign_in(client, "colleague", PASSWORD).status_code == 302


def test_inactive_user_cannot_sign_in(make_user):
    make_user("viewer", username="gone", is_active=False)
    response = sign_in(Client(), "gone", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in Client().session


def test_signed_in_user_visiting_sign_in_goes_home(client_as):
    response = client_as("viewer").get(LOGIN)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")


def test_next_parameter_is_followed_only_within_the_site(make_user):
    make_user("site_administrator", username="boss")
    client = Client()
    response = client.post(
        LOGIN,
        {"username": "boss", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("web:home")


def test_a_username_longer_than_any_account_is_refused_not_an_error(make_user):
    """Found by the form fuzz on PostgreSQL: a 300-character username went
    on to the failed-login record (255 characters at most) and failed with
    a 500. It is refused as too long, with what was typed kept."""
    typed = "x" * 300
    response = sign_in(Client(), typed, "anything")
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert "150 characters" in content
