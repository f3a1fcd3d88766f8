"""Copying a plan forward carries each open action whole (issue 30, fault
6): its measure links with their targets, its evaluation and the
milestones not yet met; and a year that has a plan of that name already is
refused in words."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.partnership.models import Milestone, Plan
from saferplaces.partnership.services import CopyRefused, copy_forward
from tests.factories import MilestoneFactory, road_safety_plan

NEXT_YEAR = {
    "title": "Birmingham South LDG plan 2015/16",
    "slug": "birmingham-south-2015-16",
    "starts": datetime.date(2015, 4, 1),
    "ends": datetime.date(2016, 3, 31),
}


@pytest.fixture
def seed(db):
    built = road_safety_plan()
    # A step still planned when the year ended, besides the seed's met and
    # missed ones.
    MilestoneFactory(
        action=built.ksi,
        title="SYNTHETIC: speed checks at three schools",
        due=datetime.date(2015, 6, 30),
        state=Milestone.State.PLANNED,
    )
    return built


def test_copying_keeps_3_1_1s_ksi_target_milestones_and_evaluation(seed):
    new = copy_forward(seed.plan, **NEXT_YEAR)
    carried = new.actions.get(number="3.1.1")
    assert carried.carried_from == seed.ksi
    link = carried.measures.get()
    assert (link.measure_id, link.direction, link.target) == (
        "road-casualties-ksi", "down", 4.0,
    )  # fmt: skip
    assert (link.baseline_from, link.baseline_to) == ("2012-04", "2014-03")
    # Met milestones stay with the year they were met in; the missed one is
    # still to do, a year on; the planned one keeps its date.
    assert [(m.title, m.due, m.state) for m in carried.milestones.all()] == [
        ("SYNTHETIC: speed checks at three schools", datetime.date(2015, 6, 30),
         "planned"),
        ("SYNTHETIC: KSI casualties reviewed", datetime.date(2016, 3, 31), "planned"),
    ]  # fmt: skip
    evaluation = carried.evaluation
    original = seed.ksi.evaluation
    for name in ("question", "measure_id", "target_area", "comparison_area",
                 "baseline_from", "baseline_to", "followup_from", "followup_to",
                 "method"):  # fmt: skip
        assert getattr(evaluation, name) == getattr(original, name), name
    # The original keeps its own: copying moves nothing.
    assert seed.ksi.milestones.count() == 3
    assert seed.ksi.measures.get().target == 4.0


def test_a_year_with_a_plan_of_that_name_is_refused_in_words(seed):
    copy_forward(seed.plan, **NEXT_YEAR)
    again = {**NEXT_YEAR, "slug": "birmingham-south-2015-16-again"}
    with pytest.raises(CopyRefused) as refused:
        copy_forward(seed.plan, **again)
    assert str(refused.value) == (
        "Birmingham South Local Delivery Group has a plan called "
        "“Birmingham South LDG plan 2015/16” for 1 April 2015 to 31 March 2016 "
        "already: give the new plan another title, or open that one."
    )
    assert Plan.objects.filter(title=NEXT_YEAR["title"]).count() == 1


def test_the_page_refuses_a_second_plan_of_that_name_and_keeps_what_was_typed(
    seed, client, make_user
):
    client.force_login(make_user(Role.ADMINISTRATOR, username="manager"))
    url = reverse("partnership:plan_copy_forward", kwargs={"slug": seed.plan.slug})
    typed = {**NEXT_YEAR, "starts": "2015-04-01", "ends": "2016-03-31"}
    assert client.post(url, typed).status_code == 302
    refused = client.post(url, {**typed, "slug": "bs-2015-16-again"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "has a plan called" in html
    assert 'value="bs-2015-16-again"' in html


def test_the_carried_action_shows_its_target_evaluation_and_where_it_came_from(
    seed, client, make_user
):
    carried = copy_forward(seed.plan, **NEXT_YEAR).actions.get(number="3.1.1")
    client.force_login(make_user(Role.VIEWER))
    url = reverse("partnership:action", kwargs={"reference": carried.reference})
    html = client.get(url).content.decode()
    original = reverse("partnership:action", kwargs={"reference": seed.ksi.reference})
    assert f'href="{original}">Action 3.1.1' in html
    assert "to 4 a month" in html
    assert "Did KSI road casualties in Selly Oak fall against" in html
    assert "SYNTHETIC: speed checks at three schools" in html
