"""Each partnership's public pages live under its own address, /p/<slug>/
(issue 29): its name, the place it suggests, and only its areas. The
installation's home lists its partnerships, or goes straight to the only
one; the old /neighbourhood/ addresses still work where there is one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import partnership_covering
from tests.support import picker_options

pytestmark = pytest.mark.django_db


def address(name: str, slug: str, code: str = "") -> str:
    kwargs = {"slug": slug, **({"code": code} if code else {})}
    return reverse(f"dashboard:{name}", kwargs=kwargs)


@pytest.fixture
def leicester(two_councils):
    return partnership_covering("Leicester Community Safety Partnership", "E06000016",
                       purpose="Leicester, safer together.",
                       example_place="Castle")  # fmt: skip


@pytest.fixture
def barking(two_councils):
    return partnership_covering("Barking and Dagenham Community Safety Partnership",
                       "E05020001", "E05020002")  # fmt: skip


def test_a_partnerships_home_is_at_its_address(client, leicester, barking):
    page = client.get(reverse("web:partnership", kwargs={"slug": leicester.slug}))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Leicester Community Safety Partnership" in html
    assert "Leicester, safer together." in html
    assert address("neighbourhood", leicester.slug) in html
    assert "Barking" not in html
    missing = client.get(reverse("web:partnership", kwargs={"slug": "nobody"}))
    assert missing.status_code == 404


def test_its_neighbourhood_page_suggests_its_place_and_offers_only_its_areas(
    client, leicester, barking
):
    html = client.get(address("neighbourhood", leicester.slug)).content.decode()
    header = html[: html.index("</header>")]
    assert "Leicester Community Safety Partnership" in header
    assert "For example, Castle" in html
    assert picker_options(html, "ward") == [
        ("E06000016", "Leicester Community Safety Partnership (the whole partnership)"),
        ("E05010001", "Abbey"),
        ("E05010002", "Castle"),
    ]
    theirs = client.get(address("neighbourhood", barking.slug)).content.decode()
    # No example place set: its first ward is suggested.
    assert "For example, Abbey" in theirs
    assert "Castle" not in theirs
    assert client.get(address("neighbourhood", "nobody")).status_code == 404


def test_a_typed_name_is_found_among_its_own_wards_only(client, leicester, barking):
    found = client.get(address("neighbourhood", leicester.slug), {"place": "abbey"})
    assert found.status_code == 302
    assert found["Location"] == address("neighbourhood_ward", leicester.slug,
                                        "E05010001")  # fmt: skip
    refused = client.get(address("neighbourhood", leicester.slug),
                         {"place": "Eastbury"})  # fmt: skip
    assert refused.status_code == 400
    assert "No ward is called Eastbury" in refused.content.decode()


def test_its_area_pages_are_its_own_areas_only(client, leicester, barking):
    own = client.get(address("neighbourhood_ward", leicester.slug, "E05010002"))
    assert own.status_code == 200
    assert '<h1 class="govuk-heading-xl">Castle</h1>' in own.content.decode()
    whole = client.get(address("neighbourhood_ward", leicester.slug, "E06000016"))
    assert whole.status_code == 200
    for slug, code in ((leicester.slug, "E05020002"), ("nobody", "E05010002")):
        assert client.get(address("neighbourhood_ward", slug, code)).status_code == 404


def test_the_installation_home_lists_its_partnerships(client, leicester, barking):
    html = client.get(reverse("web:home")).content.decode()
    for each in (leicester, barking):
        assert reverse("web:partnership", kwargs={"slug": each.slug}) in html
        assert each.name in html


def test_the_installation_home_goes_straight_to_the_only_partnership(client, leicester):
    home = client.get(reverse("web:home"))
    assert home.status_code == 302
    assert home["Location"] == reverse("web:partnership",
                                       kwargs={"slug": leicester.slug})  # fmt: skip


def test_the_old_addresses_go_to_the_only_partnerships(client, leicester):
    chooser = client.get("/neighbourhood/?place=Castle")
    assert chooser.status_code == 302
    assert chooser["Location"] == address("neighbourhood", leicester.slug) + (
        "?place=Castle"
    )
    ward = client.get("/neighbourhood/E05010002/")
    assert ward["Location"] == address("neighbourhood_ward", leicester.slug,
                                       "E05010002")  # fmt: skip


def test_the_old_addresses_list_the_partnerships_where_there_are_several(
    client, leicester, barking
):
    for old in ("/neighbourhood/", "/neighbourhood/E05010002/"):
        page = client.get(old)
        assert page.status_code == 404
        html = page.content.decode()
        for each in (leicester, barking):
            assert address("neighbourhood", each.slug) in html


def test_a_board_without_areas_is_not_where_a_visitor_lands(client, leicester):
    """The demo's city board has no areas: the installation's home goes to
    the one partnership that is a place."""
    partnership_covering("Leicestershire Police and Crime Board")
    home = client.get(reverse("web:home"))
    assert home["Location"] == reverse("web:partnership",
                                       kwargs={"slug": leicester.slug})  # fmt: skip


def test_each_partnerships_published_plan_is_at_its_own_address(
    client, leicester, barking
):
    """/our-plan/ showed the newest published plan of any partnership; each
    partnership's plan lives at /p/<slug>/plan/ (issue 29)."""
    from tests.factories import PlanFactory

    PlanFactory(
        partnership=leicester,
        title="Leicester plan 2016/17",
        slug="leicester-2016-17",
        published=True,
    )
    PlanFactory(partnership=barking, title="Barking plan 2017/18",
                slug="barking-2017-18", published=True)  # fmt: skip
    page = client.get(reverse("partnership:partnership_plan",
                              kwargs={"slug": leicester.slug}))  # fmt: skip
    html = page.content.decode()
    assert page.status_code == 200
    assert "Leicester plan 2016/17" in html
    assert "Barking plan 2017/18" not in html
    home = client.get(reverse("web:partnership", kwargs={"slug": leicester.slug}))
    assert reverse("partnership:partnership_plan", kwargs={"slug": leicester.slug}) in (
        home.content.decode()
    )


def test_a_partnership_with_no_published_plan_says_so(client, leicester):
    page = client.get(reverse("partnership:partnership_plan",
                              kwargs={"slug": leicester.slug}))  # fmt: skip
    assert page.status_code == 404
