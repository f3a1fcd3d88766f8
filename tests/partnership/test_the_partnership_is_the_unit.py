"""The partnership is the unit, not the installation (issue 29): the header,
the dashboard and every picker take the partnership the reader is in, and a
picker lists that partnership itself first and then only the areas inside
its areas, never the whole country, with the council's name where two of
its areas share a name."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from tests.factories import SITE_ADMIN, partnership_covering
from tests.support import picker_options

pytestmark = pytest.mark.django_db


def signed_in(client, make_user, *partnerships, role=Role.ANALYST):
    client.force_login(make_user(role, partnerships=list(partnerships)))
    return client


def test_the_tasking_picker_lists_the_partnership_then_only_its_wards(
    two_councils, client, make_user
):
    leicester = partnership_covering("Leicester Community Safety Partnership",
                            "E05010001", "E05010002")  # fmt: skip
    html = signed_in(client, make_user, leicester).get(reverse("tasking:choose"))
    assert picker_options(html.content.decode(), "area") == [
        ("E06000016", "Leicester Community Safety Partnership (the whole partnership)"),
        ("E05010001", "Abbey (ward)"),
        ("E05010002", "Castle (ward)"),
    ]


def test_a_picker_names_the_council_where_two_areas_share_a_name(
    two_councils, client, make_user, settings
):
    both = partnership_covering("Two Abbeys Partnership", "E05010001", "E05020001")
    html = signed_in(client, make_user, both).get(reverse("tasking:choose"))
    labels = [label for _, label in picker_options(html.content.decode(), "area")]
    assert labels == [
        "Abbey (Barking and Dagenham) (ward)",
        "Abbey (Leicester) (ward)",
    ]


def test_a_site_administrator_sees_the_partnership_chosen_not_the_country(
    two_councils, client, make_user
):
    partnership_covering("Leicester Community Safety Partnership", "E06000016")
    client.force_login(make_user(SITE_ADMIN))
    html = client.get(reverse("tasking:choose")).content.decode()
    assert "E05020001" not in html
    assert "Eastbury" not in html


def test_the_dashboard_opens_on_the_partnerships_own_area_and_offers_its_areas(
    two_councils, client, make_user
):
    leicester = partnership_covering("Leicester Community Safety Partnership",
                            "E05010001", "E05010002")  # fmt: skip
    html = signed_in(client, make_user, leicester).get(reverse("dashboard:overview"))
    page = html.content.decode()
    assert '<span class="govuk-caption-l">Leicester</span>' in page
    assert [code for code, _ in picker_options(page, "area")] == [
        "E06000016", "E05010001", "E05010002",
    ]  # fmt: skip


def test_the_header_names_the_readers_partnership_and_switches_between_theirs(
    two_councils, client, make_user
):
    leicester = partnership_covering(
        "Leicester Community Safety Partnership", "E06000016"
    )
    barking = partnership_covering("Barking and Dagenham Community Safety Partnership",
                          "E09000002")  # fmt: skip
    elsewhere = partnership_covering("Elsewhere Partnership", "E05010002")
    signed_in(client, make_user, leicester, barking)
    home = client.get(reverse("web:home")).content.decode()
    header = home[: home.index("</header>")]
    assert "Barking and Dagenham Community Safety Partnership" in header
    assert [slug for slug, _ in picker_options(header, "partnership")] == [
        barking.slug, leicester.slug,
    ]  # fmt: skip
    asked = {"partnership": leicester.slug, "next": "/dashboard/"}
    chosen = client.post(reverse("partnership:choose"), asked)
    assert chosen.status_code == 302
    assert chosen["Location"] == "/dashboard/"
    overview = client.get(reverse("dashboard:overview")).content.decode()
    assert "Leicester Community Safety Partnership</a>" in overview
    assert '<span class="govuk-caption-l">Leicester</span>' in overview
    # Another partnership's is refused as if it did not exist.
    refused = client.post(reverse("partnership:choose"),
                          {"partnership": elsewhere.slug})  # fmt: skip
    assert refused.status_code == 404
    assert client.get(reverse("partnership:choose")).status_code == 405
    # Not a name at all (PostgreSQL refused a NUL byte with a 500): 404 too.
    for junk in ("\x00", "leicester\x00", "a b", ""):
        assert client.post(reverse("partnership:choose"),
                           {"partnership": junk}).status_code == 404, junk  # fmt: skip


def test_one_partnership_shows_no_chooser(two_councils, client, make_user):
    leicester = partnership_covering(
        "Leicester Community Safety Partnership", "E06000016"
    )
    home = signed_in(client, make_user, leicester).get(reverse("web:home"))
    assert 'name="partnership"' not in home.content.decode()


def test_a_partnership_without_areas_is_told_so_not_shown_the_demos(
    two_councils, client, make_user
):
    """Every card said "no LSOAs are known for area 'SYN-PARTNERSHIP'" on a
    real install until a setting was found (issue 29)."""
    new = partnership_covering("Leicester Community Safety Partnership")
    html = signed_in(client, make_user, new).get(reverse("dashboard:overview"))
    page = html.content.decode()
    assert "Leicester Community Safety Partnership has no areas yet" in page
    assert "SYN-" not in page
    assert "no LSOAs are known" not in page


def test_a_member_of_a_board_too_opens_on_the_partnership_with_areas(
    two_councils, client, make_user
):
    board = partnership_covering("A Police and Crime Board")  # no areas of its own
    leicester = partnership_covering(
        "Leicester Community Safety Partnership", "E06000016"
    )
    html = signed_in(client, make_user, board, leicester).get(
        reverse("dashboard:overview")
    )
    assert '<span class="govuk-caption-l">Leicester</span>' in html.content.decode()
