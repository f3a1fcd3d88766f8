"""Password reset by email."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from saferplaces.accounts.models import AuditEvent, User

pytestmark = pytest.mark.django_db


def test_reset_email_link_sets_a_new_password(make_user):
    make_user("viewer", username="vic", email="vic@example.invalid")
    client = Client()
    response = client.post(
        reverse("accounts:password_reset"), {"email": "vic@example.invalid"}
    )
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    new_password = "a much longer new passphrase"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert User.objects.get(username="vic").check_password(new_password)
    assert AuditEvent.objects.filter(action="password_reset_completed").exists()


def test_unknown_address_looks_the_same_and_sends_nothing():
    response = Client().post(
        reverse("accounts:password_reset"), {"email": "nobody@example.invalid"}
    )
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_weak_new_password_is_refused_with_a_clear_error(client_as):
    client = client_as("viewer")
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "correct horse battery staple",
            "new_password1": "short",
            "new_password2": "short",
        },
    )
    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()
