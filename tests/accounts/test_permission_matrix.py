"""Every URL against every persona: who gets the page, who is turned away.

Each new URL must be added to MATRIX (tests/matrix.py): an unlisted URL
fails ``test_every_url_is_in_the_matrix``.
"""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse

from tests.factories import ANONYMOUS, PERSONAS, SITE_ADMIN
from tests.matrix import ADMIN_PAGES, EVERYONE, MATRIX, named_urls, needs_the_plan


@pytest.fixture(autouse=True)
def _seed_plan(request):
    """The whole seed plan, for the pages that show it (database tests only):
    every page is asked of the demo as people will see it."""
    if request.node.get_closest_marker("django_db") is None:
        return
    if not needs_the_plan(getattr(request.node, "callspec", None)):
        return
    from saferplaces.demo import seed

    request.getfixturevalue("db")
    settings = request.getfixturevalue("settings")
    settings.DATA_DIR = request.getfixturevalue("tmp_path")  # an empty store
    seed(settings.DATA_DIR, data=False, users=False, cases=False)


def test_every_url_is_in_the_matrix():
    unlisted = [
        name
        for name in named_urls(get_resolver())
        if not name.startswith("admin:") and name not in MATRIX
    ]
    assert unlisted == [], "add these URLs (every URL needs a name) to MATRIX"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_persona_gets_only_what_their_role_allows(client_as, persona, url_name):
    rule = MATRIX[url_name]
    url = reverse(url_name, kwargs=rule.kwargs)
    response = client_as(persona).get(url)
    if persona in rule.allowed:
        expected = rule.status
        if persona != ANONYMOUS and rule.signed_in_status:
            expected = rule.signed_in_status
        assert response.status_code == expected
    elif persona == ANONYMOUS:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url_name", ADMIN_PAGES)
def test_django_admin_is_for_administrators_only(client_as, persona, url_name):
    response = client_as(persona).get(reverse(url_name))
    if persona == SITE_ADMIN:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        # Everyone signs in through the service's own page.
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != SITE_ADMIN])
def test_the_admin_refuses_signed_in_non_administrators_without_a_loop(
    client_as, persona
):
    response = client_as(persona).get(reverse("admin:index"), follow=True)
    if persona == ANONYMOUS:
        assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
        assert response.status_code == 200
    else:
        # It used to send them to sign in, which sent them back: a loop.
        assert response.status_code == 403
        assert len(response.redirect_chain) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_links_shown_are_exactly_the_pages_the_persona_may_open(client_as, persona):
    response = client_as(persona).get(reverse("web:home"))
    shown = {link.href for link in response.context["nav_links"]}
    openable = {
        reverse(name, kwargs=rule.kwargs)
        for name, rule in MATRIX.items()
        if persona in rule.allowed and rule.allowed != EVERYONE and rule.navigation
    }
    if persona == SITE_ADMIN:
        openable.add(reverse("admin:index"))
    # Navigation lists the main pages, not every step of a form.
    assert shown == openable - {
        reverse("accounts:password_change"),
        reverse("accounts:password_change_done"),
    }
