"""Two people change the same thing (issue 27, finding 7): every authoring
form carries the version it was opened at, and a save from a form opened
before someone else's save is refused with the 409 page (who changed it,
when, the values now saved, and what was typed kept), never saved over the
other change."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.partnership import forms as plan_forms
from saferplaces.partnership.history import changes
from saferplaces.partnership.models import (
    Action,
    ActionMeasure,
    Group,
    Milestone,
    Objective,
    Plan,
    Priority,
    Strand,
)
from saferplaces.tasking.forms import ProblemForm
from saferplaces.tasking.models import ProblemSolving
from saferplaces.versions import StaleEdit
from tests.factories import small_plan


@pytest.fixture
def plan(db) -> Plan:
    return small_plan()


@dataclass(frozen=True)
class Case:
    """One authoring form: where it is, how it is made, and a change each of
    the two people makes to it (different fields, as in real life)."""

    url: Callable[[Plan], str]
    name: str  # the ``form`` posted with it ("" for a page with one form)
    opened: Callable[[Plan], forms.BaseForm]
    saved: Callable[[Plan], Any]  # the object, read afresh
    theirs: tuple[str, str, str]  # field, value, what the page shows of it
    mine: tuple[str, str]


def _plan_edit(plan: Plan) -> str:
    return reverse("partnership:plan_edit", kwargs={"slug": plan.slug})


def _priority_edit(plan: Plan) -> str:
    return reverse("partnership:priority_edit", kwargs={"slug": plan.slug, "number": 3})


def _group(plan: Plan) -> Group:
    return Group.objects.get(slug="road-safety")


def _group_edit(plan: Plan) -> str:
    kwargs = {"partnership": plan.partnership.slug, "slug": "road-safety"}
    return reverse("partnership:group_edit", kwargs=kwargs)


def _action(plan: Plan) -> Action:
    return Action.objects.get(reference="plan-2014-15-3-1")


def _action_edit(plan: Plan) -> str:
    return reverse("partnership:action_edit", kwargs={"reference": "plan-2014-15-3-1"})


def _strand(plan: Plan) -> Strand:
    return Strand.objects.get(name__startswith="Prevent")


def _objective(plan: Plan) -> Objective:
    return Objective.objects.get()


def _milestone(plan: Plan) -> Milestone:
    return Milestone.objects.get()


def _target(plan: Plan) -> ActionMeasure:
    return ActionMeasure.objects.get()


def _problem(plan: Plan) -> ProblemSolving:
    return ProblemSolving.objects.get()


CASES = {
    "plan": Case(
        _plan_edit,
        "plan",
        lambda p: plan_forms.PlanForm(instance=Plan.objects.get(), prefix="plan"),
        lambda p: Plan.objects.get(),
        ("title", "Their title", "Their title"),
        ("narrative", "My introduction"),
    ),
    "strand": Case(
        _plan_edit,
        "strand-{pk}",
        lambda p: plan_forms.StrandForm(
            instance=_strand(p), prefix=f"strand-{_strand(p).pk}"
        ),
        _strand,
        ("name", "Prevent (theirs)", "Prevent (theirs)"),
        ("description", "My description"),
    ),
    "priority": Case(
        _priority_edit,
        "priority",
        lambda p: plan_forms.PriorityForm(
            instance=Priority.objects.get(), prefix="priority"
        ),
        lambda p: Priority.objects.get(),
        ("title", "Safer roads (theirs)", "Safer roads (theirs)"),
        ("description", "My description"),
    ),
    "objective": Case(
        _priority_edit,
        "objective-{pk}",
        lambda p: plan_forms.ObjectiveForm(
            instance=_objective(p), prefix=f"objective-{_objective(p).pk}"
        ),
        _objective,
        ("title", "Fewer KSI (theirs)", "Fewer KSI (theirs)"),
        ("text", "My more about it"),
    ),
    "group": Case(
        _group_edit,
        "group",
        lambda p: plan_forms.GroupForm(instance=_group(p), prefix="group"),
        _group,
        ("lead_role", "Their inspector", "Their inspector"),
        ("themes", "My themes"),
    ),
    "members": Case(
        _group_edit,
        "members",
        lambda p: plan_forms.GroupMembersForm(instance=_group(p), prefix="members"),
        _group,
        ("lead", "{them}", "Theirs Person (them)"),
        ("members", "{me}"),
    ),
    "action": Case(
        _action_edit,
        "details",
        lambda p: plan_forms.ActionForm(instance=_action(p), prefix="details"),
        _action,
        ("text", "Enforce at schools (theirs)", "Enforce at schools (theirs)"),
        ("lead_role", "My sergeant"),
    ),
    "milestone": Case(
        _action_edit,
        "milestone-{pk}",
        lambda p: plan_forms.MilestoneForm(
            instance=_milestone(p), prefix=f"milestone-{_milestone(p).pk}"
        ),
        _milestone,
        ("state", "met", "Met"),
        ("title", "Schools agreed (mine)"),
    ),
    "target": Case(
        _action_edit,
        "target-{pk}",
        lambda p: plan_forms.TargetForm(
            instance=_target(p), prefix=f"target-{_target(p).pk}"
        ),
        _target,
        ("target", "4.0", "4.0"),
        ("baseline_from", "2012-04"),
    ),
    "problem": Case(
        lambda p: reverse("tasking:problem_edit", kwargs={"pk": _problem(p).pk}),
        "",
        lambda p: ProblemForm(instance=_problem(p)),
        _problem,
        ("response", "Their patrols", "Their patrols"),
        ("analysis", "My analysis"),
    ),
}


def as_opened(form: forms.BaseForm) -> dict[str, Any]:
    """What a browser sends back from the form as it was shown: every field,
    hidden ones included, with the value the page held."""
    data: dict[str, Any] = {}
    for field in form:
        value = field.value()
        if isinstance(value, list | tuple):
            data[field.html_name] = [str(v) for v in value]
        elif value is not None:
            data[field.html_name] = str(value)
    return data


def changed(
    case: Case,
    plan: Plan,
    data: dict[str, Any],
    name: str,
    value: str,
    people: dict[str, Any],
) -> dict[str, Any]:
    form = case.opened(plan)
    value = value.format(**{k: v.pk for k, v in people.items()})
    posted = {**data, form[name].html_name: value}
    if case.name:
        posted["form"] = case.name.format(pk=case.saved(plan).pk)
    return posted


@pytest.fixture
def people(plan, make_user) -> dict[str, Any]:
    return {
        "them": make_user(
            Role.ADMINISTRATOR, username="them", first_name="Theirs", last_name="Person"
        ),
        "me": make_user(Role.ADMINISTRATOR, username="me"),
    }


@pytest.mark.parametrize("which", CASES)
def test_a_form_opened_before_anothers_save_is_refused_not_saved_over(
    plan, people, which
):
    case = CASES[which]
    url = case.url(plan)
    field, theirs, shown = case.theirs
    mine_field, mine = case.mine
    # Both open the form before either saves.
    theirs_opened = as_opened(case.opened(plan))
    mine_opened = as_opened(case.opened(plan))
    them, me = Client(), Client()
    them.force_login(people["them"])
    me.force_login(people["me"])
    their_post = changed(case, plan, theirs_opened, field, theirs, people)
    assert them.post(url, their_post).status_code == 302

    my_post = changed(case, plan, mine_opened, mine_field, mine, people)
    refused = me.post(url, my_post)

    kept = case.saved(plan)
    value = getattr(kept, field)
    value = getattr(value, "pk", value)
    expected = theirs.format(**{k: v.pk for k, v in people.items()})
    assert str(value) == expected, "their change was lost"
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Someone else changed this" in page
    assert "Theirs Person" in page  # who
    assert shown.replace("'", "&#x27;") in page  # the value now saved
    typed = f'value="{people["me"].pk}" checked' if which == "members" else mine
    assert typed in page  # what was typed is kept, to apply again


@pytest.mark.parametrize("which", CASES)
def test_a_form_opened_after_the_last_save_saves(plan, people, which):
    case = CASES[which]
    url = case.url(plan)
    me = Client()
    me.force_login(people["me"])
    mine_field, mine = case.mine
    first = changed(case, plan, as_opened(case.opened(plan)), *case.theirs[:2], people)
    assert me.post(url, first).status_code == 302
    again = changed(case, plan, as_opened(case.opened(plan)), mine_field, mine, people)
    assert me.post(url, again).status_code == 302
    saved = case.saved(plan)
    value = getattr(saved, mine_field)
    if which == "members":
        assert list(value.all()) == [people["me"]]
    else:
        assert str(value) == mine


@pytest.mark.parametrize("version", [None, "", "x", "-1", "²", "9" * 30])
def test_a_form_sent_without_a_version_is_refused_and_changes_nothing(
    plan, people, version
):
    me = Client()
    me.force_login(people["me"])
    data = changed(
        CASES["action"], plan, as_opened(CASES["action"].opened(plan)),
        "text", "Lost in the post", people,
    )  # fmt: skip
    data.pop("details-version")
    if version is not None:
        data["details-version"] = version
    refused = me.post(_action_edit(plan), data)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "There is a problem" in page
    assert "sent without the version it was opened at" in page
    assert _action(plan).text == "Enforce at schools"


def test_a_change_by_any_other_way_moves_the_version(plan, people):
    """A progress update's new status (or the admin's change) saves the
    action too: a details form opened before it is refused, not saved
    over it."""
    opened = as_opened(CASES["action"].opened(plan))
    action = _action(plan)
    action.status = "on_track"
    action.save(update_fields=["status"])
    assert _action(plan).version == action.version == 2
    me = Client()
    me.force_login(people["me"])
    data = changed(CASES["action"], plan, opened, "text", "Mine", people)
    assert me.post(_action_edit(plan), data).status_code == 409
    assert _action(plan).text == "Enforce at schools"


def test_the_change_history_does_not_list_versions(plan, people):
    me = Client()
    me.force_login(people["me"])
    data = changed(
        CASES["action"], plan, as_opened(CASES["action"].opened(plan)),
        "text", "Enforce at five schools", people,
    )  # fmt: skip
    assert me.post(_action_edit(plan), data).status_code == 302
    lines = [change.what for change in changes(_action(plan))]
    assert any("to Enforce at five schools" in line for line in lines)
    assert not any("version" in line for line in lines)


def test_the_save_decides_not_the_row_read_when_the_request_began(plan):
    """Two requests both read the action and check their forms before
    either saves (as two workers at the same moment): the claim at the
    save refuses the second, though the row it read said version 1."""
    opened = as_opened(CASES["action"].opened(plan))
    first, second = (
        plan_forms.ActionForm(
            {**opened, "details-text": text}, instance=_action(plan), prefix="details"
        )
        for text in ("First", "Second")
    )
    assert first.is_valid()
    assert second.is_valid()
    first.save_unless_changed()
    with pytest.raises(StaleEdit) as refused:
        second.save_unless_changed()
    assert refused.value.current.text == "First"
    assert (_action(plan).text, _action(plan).version) == ("First", 2)
