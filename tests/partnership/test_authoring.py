"""A partnership manager writes the plan in the service (issue 14): the plan
period, priorities, objectives, actions with milestones and measures, groups
with members, strands; and publishes it. Every change is kept as history
and shown on the object's page; errors keep what was typed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.partnership.models import Action, Group, Plan, Status


@pytest.fixture
def manager(plan, make_user):
    return make_user(Role.ADMINISTRATOR, username="manager")


def plan_edit(plan: Plan) -> str:
    return reverse("partnership:plan_edit", kwargs={"slug": plan.slug})


def priority_edit(plan: Plan, number: int) -> str:
    return reverse(
        "partnership:priority_edit", kwargs={"slug": plan.slug, "number": number}
    )


def test_only_the_partnerships_manager_changes_the_plan(client, plan, make_user):
    for role in (Role.ANALYST, Role.GROUP_LEAD, Role.VIEWER):
        client.force_login(make_user(role))
        assert client.get(plan_edit(plan)).status_code == 403
        typed = {"form": "plan", "plan-title": "Hijacked", "plan-starts":
                 "2014-04-01", "plan-ends": "2015-03-31"}  # fmt: skip
        assert client.post(plan_edit(plan), typed).status_code == 403
    plan.refresh_from_db()
    assert plan.title != "Hijacked"
    client.logout()
    assert client.get(plan_edit(plan)).status_code == 302  # to sign in


def test_the_manager_changes_the_plan_period_and_the_rules_hold(client, manager, plan):
    client.force_login(manager)
    typed = {"form": "plan", "plan-title": "Birmingham South plan 2014/15",
             "plan-starts": "2015-04-01", "plan-ends": "2015-03-31",
             "plan-narrative": "Our plan.",
             "plan-version": plan.version}  # fmt: skip
    refused = client.post(plan_edit(plan), typed)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "There is a problem" in html
    assert "The plan must end after it starts." in html
    assert 'value="Birmingham South plan 2014/15"' in html
    done = client.post(plan_edit(plan), {**typed, "plan-starts": "2014-04-01"})
    assert done.status_code == 302
    page = client.get(plan_edit(plan)).content.decode()
    changes = page.split('data-testid="changes">')[1]
    assert "manager: Plan: " in changes
    assert "title " in changes
    assert "to Birmingham South plan 2014/15" in changes


def test_the_manager_adds_a_priority_objective_and_action(
    client, manager, plan, make_user
):
    client.force_login(manager)
    road = plan.partnership.groups.get(slug="road-safety-tasking")
    taken = {"form": "priority", "priority-number": "1", "priority-title": "Again"}
    refused = client.post(plan_edit(plan), taken)
    assert refused.status_code == 400
    assert "The plan has a priority 1 already." in refused.content.decode()
    new = {"form": "priority", "priority-number": "6",
           "priority-title": "Reducing reoffending",
           "priority-themes": "Integrated offender management\n\nHousing",
           "priority-groups": [str(road.pk)]}  # fmt: skip
    assert client.post(plan_edit(plan), new).status_code == 302
    priority = plan.priorities.get(number=6)
    assert priority.themes == ["Integrated offender management", "Housing"]
    assert list(priority.groups.all()) == [road]

    url = priority_edit(plan, 6)
    # The new action's target areas started as "[]" (seen in chromium).
    blank = client.get(url).content.decode()
    assert 'name="action-target_areas" value="[]"' not in blank
    objective = {"form": "objective", "objective-title": "Fewer repeat offenders"}
    assert client.post(url, objective).status_code == 302
    action = {"form": "action", "action-number": "6.1", "action-group": road.pk,
              "action-objective": priority.objectives.get().pk,
              "action-text": "Run an offender management panel",
              "action-starts": "2014-06-01", "action-due": "2014-05-01"}  # fmt: skip
    refused = client.post(url, action)
    assert refused.status_code == 400
    assert "An action cannot be due before it starts." in refused.content.decode()
    assert client.post(url, {**action, "action-due": "2015-03-31"}).status_code == 302
    made = Action.objects.get(plan=plan, number="6.1")
    assert made.reference == "birmingham-south-2014-15-6-1"
    assert (made.group, made.status) == (road, Status.NOT_STARTED)
    again = client.post(url, {**action, "action-due": "2015-03-31"})
    assert "The plan has an action 6.1 already." in again.content.decode()
    changes = client.get(plan_edit(plan)).content.decode()
    assert "Priority added: Reducing reoffending" in changes
    # And on the plan's own page, for every member.
    client.force_login(make_user(Role.VIEWER))
    plan_page = client.get(reverse("partnership:plan")).content.decode()
    assert "manager: Priority added: Reducing reoffending" in plan_page
    assert "Objective added: Fewer repeat offenders" in changes


def test_a_group_of_another_partnership_cannot_be_chosen(client, manager, plan):
    from saferplaces.partnership.models import Partnership

    other = Partnership.objects.create(name="Elsewhere", slug="elsewhere")
    foreign = Group.objects.create(
        partnership=other, name="Foreign", slug="foreign", kind="forum"
    )
    client.force_login(manager)
    typed = {"form": "priority", "priority-number": "7", "priority-title": "X",
             "priority-groups": [str(foreign.pk)]}  # fmt: skip
    refused = client.post(plan_edit(plan), typed)
    assert refused.status_code == 400
    assert not plan.priorities.filter(number=7).exists()


def test_the_manager_adds_and_changes_a_group_and_its_members(
    client, manager, plan, make_user
):
    client.force_login(manager)
    typed = {"form": "group", "group-name": "Reoffending Board",
             "group-kind": "board", "group-lead_title": "Chair"}  # fmt: skip
    assert client.post(plan_edit(plan), typed).status_code == 302
    group = plan.partnership.groups.get(slug="reoffending-board")
    duplicate = client.post(plan_edit(plan), typed)
    assert "The partnership has a group of that name." in duplicate.content.decode()

    member = make_user(Role.GROUP_LEAD, username="probation-officer")
    url = reverse(
        "partnership:group_edit",
        kwargs={"partnership": group.partnership.slug, "slug": group.slug},
    )
    data = {"form": "members", "members-lead": member.pk,
            "members-members": [str(member.pk)],
            "members-version": group.version}  # fmt: skip
    assert client.post(url, data).status_code == 302
    assert list(group.members.all()) == [member]
    page = client.get(
        reverse(
            "partnership:group",
            kwargs={"partnership": group.partnership.slug, "slug": group.slug},
        )
    ).content.decode()
    changes = page.split('data-testid="changes">')[1]
    assert "manager: Group: members (none) to probation-officer" in changes
    assert "Change this group, its lead and members" in page


def test_someone_outside_the_partnership_cannot_be_made_a_member(
    client, manager, plan, django_user_model
):
    from saferplaces.accounts.models import Agency

    stranger = django_user_model.objects.create_user(
        "stranger", agency=Agency.objects.first()
    )
    group = plan.partnership.groups.get(slug="road-safety-tasking")
    url = reverse(
        "partnership:group_edit",
        kwargs={"partnership": group.partnership.slug, "slug": group.slug},
    )
    client.force_login(manager)
    data = {"form": "members", "members-members": [str(stranger.pk)],
            "members-version": group.version}  # fmt: skip
    assert client.post(url, data).status_code == 400
    assert not group.members.filter(pk=stranger.pk).exists()


def test_the_manager_adds_a_strand_through_groups(client, manager, plan):
    client.force_login(manager)
    road = plan.partnership.groups.get(slug="road-safety-tasking")
    typed = {"form": "strand", "strand-name": "Clean Air",
             "strand-groups": [str(road.pk)]}  # fmt: skip
    assert client.post(plan_edit(plan), typed).status_code == 302
    strand = plan.partnership.strands.get(name="Clean Air")
    assert list(strand.groups.all()) == [road]
    form = f"strand-{strand.pk}"
    cleared = {"form": form, f"{form}-name": "Clean Air",
               f"{form}-version": strand.version}  # fmt: skip
    assert client.post(plan_edit(plan), cleared).status_code == 302
    assert not strand.groups.exists()
    changes = client.get(plan_edit(plan)).content.decode()
    assert "manager: Strand added: Clean Air" in changes
    assert "manager: Strand link removed: Clean Air through Road Safety" in changes


def test_an_outcome_measure_is_linked_and_a_milestone_met(client, manager, plan):
    action = plan.actions.get(number="3.1.2")
    url = reverse("partnership:action_edit", kwargs={"reference": action.reference})
    client.force_login(manager)
    link = {"form": "measure", "measure-measure_id": "total-recorded-crime",
            "measure-direction": "down", "measure-target": "900"}  # fmt: skip
    assert client.post(url, link).status_code == 302
    assert action.measures.filter(measure_id="total-recorded-crime").exists()
    again = client.post(url, link)
    assert "linked to this measure already" in again.content.decode()
    unknown = client.post(url, {**link, "measure-measure_id": "made_up"})
    assert unknown.status_code == 400
    milestone = action.milestones.create(title="Pilot agreed", due="2014-09-30")
    form = f"milestone-{milestone.pk}"
    met = {"form": form, f"{form}-title": "Pilot agreed",
           f"{form}-due": "2014-09-30", f"{form}-state": "met",
           f"{form}-version": milestone.version}  # fmt: skip
    assert client.post(url, met).status_code == 302
    milestone.refresh_from_db()
    assert milestone.state == "met"


def test_a_form_name_not_on_the_page_is_not_found(client, manager, plan):
    client.force_login(manager)
    assert client.post(plan_edit(plan), {"form": "nope"}).status_code == 404


def test_a_new_partnership_starts_its_first_plan_in_the_service(
    client, plan, make_user
):
    from saferplaces.partnership.models import Partnership

    fresh = Partnership.objects.create(name="Northfield LDG", slug="northfield")
    manager = make_user(Role.ADMINISTRATOR, username="north", partnerships=[fresh])
    viewer = make_user(Role.VIEWER, partnerships=[fresh])
    client.force_login(viewer)
    told = client.get(reverse("partnership:plan")).content.decode()
    assert "administrator starts it" in told
    client.force_login(manager)
    empty = client.get(reverse("partnership:plan")).content.decode()
    assert "No plan yet" in empty
    assert reverse("partnership:plan_new") in empty
    url = reverse("partnership:plan_new")
    typed = {"partnership": fresh.pk, "title": "Northfield plan 2015/16",
             "slug": plan.slug, "starts": "2015-04-01",
             "ends": "2016-03-31"}  # fmt: skip
    taken = client.post(url, typed)
    assert taken.status_code == 400
    assert "A plan has this short name already." in taken.content.decode()
    # Another partnership's plan cannot be started here.
    theirs = client.post(
        url, {**typed, "slug": "x", "partnership": plan.partnership_id}
    )
    assert theirs.status_code == 400
    done = client.post(url, {**typed, "slug": "northfield-2015-16"})
    assert done.status_code == 302
    assert Plan.objects.get(slug="northfield-2015-16").partnership == fresh
    client.force_login(viewer)
    assert client.get(url).status_code == 403
