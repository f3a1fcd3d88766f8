"""The dashboard says which plan it shows and what each card covers (issue
30, faults 7 and 8): starting next year's plan switched every signed-in
dashboard to the unpublished draft without naming it; cards said "in
2016-03" beside "in 2026-11" without saying their data end apart; a card
said "hit and miss" beside a value above its target without saying so;
two actions' KSI targets of 4 and 3 showed as one."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.analytics import cards
from saferplaces.analytics.store import Store
from saferplaces.codes import month_in_words
from saferplaces.dashboard.views import DataEnds, _data_ends
from saferplaces.partnership.services import copy_forward
from tests.factories import (
    ActionFactory,
    ActionMeasureFactory,
    plan_with_every_priority,
)

OVERVIEW = reverse("dashboard:overview")
NEXT_YEAR = {
    "title": "Birmingham South LDG plan 2015/16",
    "slug": "birmingham-south-2015-16",
    "starts": datetime.date(2015, 4, 1),
    "ends": datetime.date(2016, 3, 31),
}


@pytest.fixture
def seeded(db, settings, demo_data):
    settings.DATA_DIR = demo_data
    return plan_with_every_priority()


def shown_plan(html: str) -> str:
    return html.split('data-testid="shown-plan">')[1].split("</p>")[0]


def test_a_new_draft_does_not_switch_anyones_dashboard(client, seeded, make_user):
    copy_forward(seeded.plan, **NEXT_YEAR)
    client.force_login(make_user(Role.VIEWER))
    html = client.get(OVERVIEW).content.decode()
    said = " ".join(shown_plan(html).split())
    assert "The plan shown:" in said
    assert "Birmingham South LDG plan 2014/15</a>, published, 1 April 2014 to " in said
    assert "2015/16" not in html
    # The plan's manager is offered the draft, and it is named as a draft.
    client.force_login(make_user(Role.ADMINISTRATOR, username="manager"))
    html = client.get(OVERVIEW).content.decode()
    assert "Birmingham South LDG plan 2014/15" in shown_plan(html)
    assert (
        "See the dashboard\n  for the draft Birmingham South LDG plan 2015/16" in html
    )
    draft = client.get(OVERVIEW + "?plan=birmingham-south-2015-16").content.decode()
    said = " ".join(shown_plan(draft).split())
    assert "The plan shown is a draft, not published" in said
    assert "Birmingham South LDG plan 2015/16" in said


def test_without_a_published_plan_only_its_manager_sees_the_draft(
    client, seeded, make_user
):
    seeded.plan.published = False
    seeded.plan.save()
    client.force_login(make_user(Role.VIEWER))
    said = " ".join(shown_plan(client.get(OVERVIEW).content.decode()).split())
    assert said.startswith("Birmingham South Local Delivery Group has not published")
    client.force_login(make_user(Role.ADMINISTRATOR, username="manager"))
    said = " ".join(shown_plan(client.get(OVERVIEW).content.decode()).split())
    assert "The plan shown is a draft, not published" in said


def test_each_card_says_its_period_its_target_and_where_targets_differ(
    client, seeded, make_user, demo_data
):
    # A second road safety action sets KSI a target of 3 a month, where
    # 3.1.1 sets 4.
    ksi = seeded.ksi
    other = ActionFactory(
        priority=ksi.priority, group=ksi.group, number="3.1.3", text="Speed checks"
    )
    ActionMeasureFactory(
        action=other, measure_id="road-casualties-ksi", direction="down", target=3.0
    )
    client.force_login(make_user(Role.ANALYST))
    html = client.get(OVERVIEW).content.decode()
    # Every card names the months its data cover, in words.
    periods = re.findall(r'data-testid="card-period">([^<]*)<', html)
    shown = len(re.findall(r'class="app-card"', html))
    assert len(periods) == shown > 0
    assert " ".join(periods[0].split()) == (
        "Data from April 2010 to March 2016, where its data end."
    )
    assert "in 2016-03" not in html
    assert f"in {month_in_words('2016-03')}" in html
    # The demo's confidence to report: assurance as computed, and the latest
    # value against the target in words beside it.
    store = Store(demo_data / "store")
    aim = cards.Aim("up", "5 points")
    card = cards.card(
        store, "confidence-to-report-domestic-abuse", "SYN-PARTNERSHIP", aim
    )
    assert card.latest_value > card.target
    assert card.against_target.startswith("Latest value above target (78.2 against ")
    assert card.against_target in html
    # Two actions, two targets for one measure: both named.
    differ = " ".join(
        html.split('data-testid="targets-differ">')[1].split("</p>")[0].split()
    )
    assert differ == (
        "Two actions set different targets for this measure: 3.1.1 (reduce it to "
        "4 a month) and 3.1.3 (reduce it to 3 a month). The card weighs it against "
        "3.1.1's."
    )


def card_ending(title: str, month: str) -> cards.Card:
    return cards.Card("m", title, "cases", month, 6.0, "", None, "", "")


def test_cards_ending_in_different_months_are_said_to():
    shown = [card_ending("Recorded crime", "2016-03"),
             card_ending("Road casualties", "2016-03"),
             card_ending("Cases opened", "2026-11")]  # fmt: skip
    assert _data_ends(shown) == DataEnds("2016-03", [("Cases opened", "2026-11")])
    assert _data_ends(shown[:2]) is None  # all end together: said on each card
