"""The casework rules page in words (issue 30): the partnerships that do
casework first, a board named as one, counts with their nouns, case types
and risk levels by their labels."""

from __future__ import annotations

import re

from django.urls import reverse

from saferplaces.partnership.models import Partnership
from tests.factories import SITE_ADMIN


def test_the_rules_page_opens_on_a_partnership_and_names_the_board(
    casework, client, make_user
):
    board = Partnership.objects.create(slug="a-board", name="A City Board")
    casework.partnership.board = board
    casework.partnership.save()
    casework.fire_safety.response_days = 1
    casework.fire_safety.minimum_risk = "medium"
    casework.fire_safety.case_types = ["asb", "vulnerable_adult"]
    casework.fire_safety.save()
    client.force_login(make_user(SITE_ADMIN))
    page = client.get(reverse("cases:settings")).content.decode()
    headings = re.findall(r'<h2 class="govuk-heading-l">([^<]+)</h2>', page)
    # It opened on the board (first by name), as if it were a partnership.
    assert headings == ["Test CSP", "A City Board"]
    text = re.sub(r"\s+", " ", page)
    assert "A board, not a delivery partnership: Test CSP answers to it." in text
    assert ">1 day<" in text  # "Decide within 1 days"
    # "asb, vulnerable adult cases" from the stored keys.
    assert "Anti-social behaviour, vulnerable adult cases, medium risk or above" in text
