"""The partnership is the unit, not the installation (issue 29): the header,
the dashboard and every picker take the partnership the reader is in, and a
picker lists that partnership itself first and then only the areas inside
its areas, never the whole country, with the council's name where two of
its areas share a name."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.factories import SITE_ADMIN, PartnershipAreaFactory, PartnershipFactory

pytestmark = pytest.mark.django_db

# Two councils with a ward called Abbey each, as in the national lookup.
LOOKUP = """\
LSOA21CD,LSOA21NM,WD24CD,WD24NM,LAD24CD,LAD24NM
E01010001,Leicester 001A,E05010001,Abbey,E06000016,Leicester
E01010002,Leicester 002A,E05010002,Castle,E06000016,Leicester
E01020001,Barking and Dagenham 001A,E05020001,Abbey,E09000002,Barking and Dagenham
E01020002,Barking and Dagenham 002A,E05020002,Eastbury,E09000002,Barking and Dagenham
"""


@pytest.fixture
def two_councils(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    lookup = tmp_path / "lookup.csv"
    lookup.write_text(LOOKUP)
    run_load(Store(tmp_path / "store"), get_source("geography"), [lookup])


def partnership(name: str, *codes: str):
    made = PartnershipFactory(name=name)
    for code in codes:
        PartnershipAreaFactory(partnership=made, code=code)
    return made


def options(html: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S)
    assert select, f"no {name} picker on the page"
    found = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select[0])
    return [(value, label.strip()) for value, label in found if value]


def signed_in(client, make_user, *partnerships, role=Role.ANALYST):
    client.force_login(make_user(role, partnerships=list(partnerships)))
    return client


def test_the_tasking_picker_lists_the_partnership_then_only_its_wards(
    two_councils, client, make_user
):
    leicester = partnership("Leicester Community Safety Partnership",
                            "E05010001", "E05010002")  # fmt: skip
    html = signed_in(client, make_user, leicester).get(reverse("tasking:choose"))
    assert options(html.content.decode(), "area") == [
        ("E06000016", "Leicester Community Safety Partnership (the whole partnership)"),
        ("E05010001", "Abbey (ward)"),
        ("E05010002", "Castle (ward)"),
    ]


def test_a_picker_names_the_council_where_two_areas_share_a_name(
    two_councils, client, make_user, settings
):
    both = partnership("Two Abbeys Partnership", "E05010001", "E05020001")
    html = signed_in(client, make_user, both).get(reverse("tasking:choose"))
    labels = [label for _, label in options(html.content.decode(), "area")]
    assert labels == [
        "Abbey (Barking and Dagenham) (ward)",
        "Abbey (Leicester) (ward)",
    ]


def test_a_site_administrator_sees_the_partnership_chosen_not_the_country(
    two_councils, client, make_user
):
    partnership("Leicester Community Safety Partnership", "E06000016")
    client.force_login(make_user(SITE_ADMIN))
    html = client.get(reverse("tasking:choose")).content.decode()
    assert "E05020001" not in html
    assert "Eastbury" not in html


def test_the_dashboard_opens_on_the_partnerships_own_area_and_offers_its_areas(
    two_councils, client, make_user
):
    leicester = partnership("Leicester Community Safety Partnership",
                            "E05010001", "E05010002")  # fmt: skip
    html = signed_in(client, make_user, leicester).get(reverse("dashboard:overview"))
    page = html.content.decode()
    assert '<span class="govuk-caption-l">Leicester</span>' in page
    assert [code for code, _ in options(page, "area")] == [
        "E06000016", "E05010001", "E05010002",
    ]  # fmt: skip


def test_the_header_names_the_readers_partnership_and_switches_between_theirs(
    two_councils, client, make_user
):
    leicester = partnership("Leicester Community Safety Partnership", "E06000016")
    barking = partnership("Barking and Dagenham Community Safety Partnership",
                          "E09000002")  # fmt: skip
    elsewhere = partnership("Elsewhere Partnership", "E05010002")
    signed_in(client, make_user, leicester, barking)
    home = client.get(reverse("web:home")).content.decode()
    header = home[: home.index("</header>")]
    assert "Barking and Dagenham Community Safety Partnership" in header
    assert [slug for slug, _ in options(header, "partnership")] == [
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


def test_one_partnership_shows_no_chooser(two_councils, client, make_user):
    leicester = partnership("Leicester Community Safety Partnership", "E06000016")
    home = signed_in(client, make_user, leicester).get(reverse("web:home"))
    assert 'name="partnership"' not in home.content.decode()
