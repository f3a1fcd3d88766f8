"""The plan importer checks each row with its model's own validation (the
fields' rules and ``clean``), as the service's forms and the admin do, and
codes none of those rules a second time (issue 28): change a model's rule
and the importer follows it. Errors still name the file's line and field,
and a file with any error changes nothing."""

from __future__ import annotations

import copy

import pytest
import yaml
from django.core.exceptions import ValidationError

from saferplaces.accounts.models import Agency
from saferplaces.partnership.models import (
    Action,
    ActionMeasure,
    EvaluationPlan,
    Finding,
    Group,
    Milestone,
    Objective,
    Partnership,
    Plan,
    Principle,
    Priority,
    Strand,
    StrandLink,
)
from saferplaces.partnership.plan_file import PlanFileError, import_plan

pytestmark = pytest.mark.django_db

ACTION = {
    "number": "1.1",
    "group": "roads",
    "text": "Speed checks outside three schools",
    "starts": "2014-04-01",
    "due": "2014-09-30",
    "measures": [{"measure": "total-recorded-crime", "direction": "down"}],
    "milestones": [{"title": "Schools agreed", "due": "2014-06-30"}],
    "evaluation": {
        "question": "Did crime fall near the schools?",
        "measure": "total-recorded-crime",
        "target_area": "E01009001",
        "baseline_from": "2013-04",
        "baseline_to": "2014-03",
        "followup_from": "2014-04",
        "followup_to": "2015-03",
    },
}
# A small hand-made plan with one row of every kind the importer writes.
PLAN = {
    "partnership": {"name": "Testshire Safer Partnership", "slug": "testshire"},
    "agencies": [{"name": "Testshire Police", "kind": "police"}],
    "groups": [
        {"slug": "roads", "name": "Road Safety", "lead_agency": "Testshire Police"}
    ],
    "strands": [{"name": "Prevent", "groups": [{"group": "roads", "reason": "Why"}]}],
    "plan": {
        "title": "Testshire plan 2014-15",
        "slug": "testshire-2014-15",
        "starts": "2014-04-01",
        "ends": "2015-03-31",
        "principles": ["Work together"],
        "findings": [{"source": "Strategic assessment", "text": "Roads are worse"}],
        "priorities": [
            {
                "number": 1,
                "title": "Road safety",
                "objectives": [{"title": "Fewer people hurt", "actions": [ACTION]}],
            }
        ],
    },
}


def plan_file(tmp_path, change=None):
    """The plan, changed by ``change(data)`` first, as a file."""
    data = copy.deepcopy(PLAN)
    if change:
        change(data)
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def the_action(data):
    return data["plan"]["priorities"][0]["objectives"][0]["actions"][0]


def refused(path, message):
    agencies = Agency.objects.count()
    with pytest.raises(PlanFileError, match=message):
        import_plan(path)
    assert Plan.objects.count() == Action.objects.count() == Group.objects.count() == 0
    assert Partnership.objects.count() == 0
    assert Agency.objects.count() == agencies


def test_the_small_plan_imports_whole(tmp_path):
    plan = import_plan(plan_file(tmp_path))
    action = plan.actions.get()
    assert (action.measures.count(), action.milestones.count()) == (1, 1)
    assert action.evaluation.question == "Did crime fall near the schools?"
    assert plan.principles.count() == plan.findings.count() == 1


# Each model the importer writes, and a field of it the file names.
ROWS = [
    (Agency, "name", "name"),
    (Partnership, "name", "name"),
    (Group, "name", "name"),
    (Strand, "name", "name"),
    (StrandLink, "reason", "reason"),
    (Plan, "title", "title"),
    (Principle, "text", "text"),
    (Finding, "text", "text"),
    (Priority, "title", "title"),
    (Objective, "title", "title"),
    (Action, "text", "text"),
    (ActionMeasure, "measure_id", "measure"),
    (Milestone, "title", "title"),
    (EvaluationPlan, "question", "question"),
]


@pytest.mark.parametrize(
    ("model", "field", "in_the_file"), ROWS, ids=[row[0].__name__ for row in ROWS]
)
def test_the_importer_follows_a_rule_changed_in_the_model(
    tmp_path, monkeypatch, model, field, in_the_file
):
    def planted(self):
        raise ValidationError({field: "A rule planted in the model."})

    monkeypatch.setattr(model, "clean", planted)
    refused(
        plan_file(tmp_path),
        rf"plan\.yaml: line \d+: {in_the_file}: A rule planted in the model\.",
    )


def test_an_emerging_issue_needs_its_decision_in_the_models_words(tmp_path):
    def emerging(data):
        the_action(data).update(emerging=True, decision="   ")

    refused(
        plan_file(tmp_path, emerging),
        r"line \d+: decision: Record the decision that took this issue on\.",
    )


def test_a_decision_is_kept_without_surrounding_spaces(tmp_path):
    def emerging(data):
        the_action(data).update(emerging=True, decision="  Taken on in June.  ")

    plan = import_plan(plan_file(tmp_path, emerging))
    assert plan.actions.get().decision == "Taken on in June."


def test_an_action_due_before_it_starts_is_refused_in_the_models_words(tmp_path):
    def backwards(data):
        the_action(data).update(starts="2014-09-01", due="2014-06-30")

    refused(
        plan_file(tmp_path, backwards),
        r"line \d+: due: An action cannot be due before it starts\.",
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda data: data["groups"][0].update(lead_title="Chair of the board, SYN"),
            r"lead_title: Ensure this value has at most 20 characters \(it has 23\)",
        ),
        (
            lambda data: data["plan"].update(slug="Testshire plan!"),
            r"slug: Enter a valid .slug.",
        ),
        (
            lambda data: the_action(data).update(number="1.1.1.1.1.1"),
            r"number: Ensure this value has at most 10 characters \(it has 11\)",
        ),
        (
            lambda data: the_action(data)["evaluation"].update(baseline_from="2013-13"),
            r"baseline_from: Enter a month as YYYY-MM, like 2013-04\.",
        ),
    ],
    ids=["group lead title", "plan slug", "action number", "evaluation month"],
)
def test_a_fields_own_rule_is_applied_as_the_forms_apply_it(tmp_path, change, message):
    refused(plan_file(tmp_path, change), r"line \d+: " + message)


def test_an_evaluation_month_is_the_models_rule_too():
    evaluation = EvaluationPlan(
        baseline_from="2013-4", baseline_to="2014-03",
        followup_from="2014-04", followup_to="2015-03",
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        evaluation.clean()
    assert error.value.message_dict == {
        "baseline_from": ["Enter a month as YYYY-MM, like 2013-04."]
    }
