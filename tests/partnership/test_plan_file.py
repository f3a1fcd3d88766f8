"""Plans in and out as YAML: a round trip, and bad files (the seed plan's own
file is tested with the demo, tests/demo/test_seed.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from saferplaces.accounts.models import Agency
from saferplaces.partnership.models import Action, Group, Partnership, Plan, Strand
from saferplaces.partnership.plan_file import PlanFileError, export_plan, import_plan

pytestmark = pytest.mark.django_db

# A small plan shaped like the seed plan (tests/fixtures/README.md).
SMALL_PLAN = (
    Path(__file__).resolve().parents[1] / "fixtures" / "plans" / "small-plan.yaml"
)


def test_export_then_import_gives_the_same_plan(tmp_path):
    first = export_plan(import_plan(SMALL_PLAN))
    Plan.objects.all().delete()
    Group.objects.all().delete()
    Strand.objects.all().delete()
    Partnership.objects.filter(board__isnull=False).delete()
    Partnership.objects.all().delete()
    exported = tmp_path / "plan.yaml"
    exported.write_text(first)
    assert export_plan(import_plan(exported)) == first


def broken(tmp_path, old, new):
    text = SMALL_PLAN.read_text()
    assert old in text
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            '{number: "5.2", group: business-crime,',
            '{number: "5.2", group: no-such-group,',
            r"line \d+: group: 'no-such-group' is not a group in groups",
        ),
        (
            "starts: 2014-04-01",
            "starts: first of April",
            r"line \d+: starts: must be a date",
        ),
        (
            "kind: tasking_group",
            "kind: committee",
            r"line \d+: kind: must be one of board, sub_group",
        ),
        (
            "measures: [{measure: domestic-violence,",
            "measures: [{measure: crime-vibes,",
            r"line \d+: measure: unknown measure 'crime-vibes'",
        ),
        (
            "    title: Domestic Abuse\n",
            "    title: [Domestic Abuse\n",
            r"line \d+: not valid YAML",
        ),
        # A misspelt field was dropped without a word (issue 14).
        (
            "    lead_agency: West Midlands Police\n",
            "    lead_agnecy: West Midlands Police\n",
            r"line \d+: lead_agnecy: is not a field of a group "
            r"\(did you mean lead_agency\?\)",
        ),
        (
            '{number: "1.1", group: domestic-violence-forum,',
            '{number: "1.1", group: domestic-violence-forum, colour: red,',
            r"line \d+: colour: is not a field of an action",
        ),
        # The model refused an action due before it starts; the importer did not.
        (
            '{number: "1.1", group: domestic-violence-forum,',
            '{number: "1.1", starts: 2014-09-01, due: 2014-06-30, '
            "group: domestic-violence-forum,",
            # In the model's words since issue 28 (the importer's own copy of
            # the rule said "an action ..."): the rule is the model's alone.
            r"line \d+: due: An action cannot be due before it starts",
        ),
        (
            "areas: [SYN-D01, SYN-D02, SYN-D03]",
            "areas: [SYN-D01, 'E05 01;']",
            r"line \d+: areas: 'E05 01;': An area code is 2 to 40 letters",
        ),
    ],
)
def test_a_bad_file_changes_nothing_and_names_line_and_field(
    tmp_path, old, new, message
):
    agencies = Agency.objects.count()
    with pytest.raises(PlanFileError, match=message):
        import_plan(broken(tmp_path, old, new))
    assert Plan.objects.count() == Action.objects.count() == Group.objects.count() == 0
    assert Partnership.objects.count() == 0
    assert Agency.objects.count() == agencies


def test_the_line_named_is_the_line_of_the_bad_entry(tmp_path):
    path = broken(
        tmp_path,
        '{number: "5.2", group: business-crime,',
        '{number: "5.2", group: no-such-group,',
    )
    line = next(
        n
        for n, text in enumerate(path.read_text().splitlines(), 1)
        if "no-such-group" in text
    )
    with pytest.raises(PlanFileError, match=f"line {line}: group"):
        import_plan(path)


def test_importing_the_same_plan_twice_is_refused():
    import_plan(SMALL_PLAN)
    with pytest.raises(PlanFileError, match="exists already"):
        import_plan(SMALL_PLAN)
    assert Plan.objects.count() == 1


EVALUATION = {
    "question": "Did crime on the network fall?",
    "measure": "total-recorded-crime",
    "target_area": "E01009001",
    "comparison_area": "E01009002",
    "baseline_from": "2013-04",
    "baseline_to": "2014-03",
    "followup_from": "2014-04",
    "followup_to": "2015-03",
    "method": "did",
}


def with_evaluation(tmp_path, evaluation=EVALUATION):
    import yaml

    data = yaml.safe_load(SMALL_PLAN.read_text())
    business = data["plan"]["priorities"][2]["objectives"][0]["actions"][1]
    assert business["number"] == "5.2"
    business["toolkit_intervention"] = "Closed-circuit television (CCTV)"
    business["emmie"] = {"effect": "Reduced crime overall", "mechanism": "Deterrence"}
    business["evaluation"] = evaluation
    path = tmp_path / "evaluated.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_evaluation_plans_and_emmie_go_in_and_out(tmp_path):
    plan = import_plan(with_evaluation(tmp_path))
    action = plan.actions.get(number="5.2")
    assert action.evaluation.method == "did"
    assert action.emmie == {
        "effect": "Reduced crime overall",
        "mechanism": "Deterrence",
    }
    exported = export_plan(plan)
    assert "comparison_area: E01009002" in exported
    assert "mechanism: Deterrence" in exported


def test_a_difference_in_differences_needs_a_comparison_area(tmp_path):
    evaluation = {k: v for k, v in EVALUATION.items() if k != "comparison_area"}
    with pytest.raises(PlanFileError, match=r"line \d+: comparison_area: .*needs one"):
        import_plan(with_evaluation(tmp_path, evaluation))
    assert Plan.objects.count() == 0


def test_milestones_and_targets_go_in_and_out(tmp_path):
    path = broken(
        tmp_path,
        "measures: [{measure: road-casualties-ksi, direction: down}]",
        "measures: [{measure: road-casualties-ksi, direction: down, "
        "baseline_from: 2013-04, baseline_to: 2014-03, target: 4.5}], "
        "milestones: [{title: Hotspots agreed, due: 2014-06-30, state: met}, "
        "{title: Review against the baseline, due: 2015-03-31}]",
    )
    plan = import_plan(path)
    action = plan.actions.get(number="3.1.1")
    link = action.measures.get()
    assert (link.baseline_from, link.baseline_to, link.target) == (
        "2013-04",
        "2014-03",
        4.5,
    )
    assert [(m.title, m.state) for m in action.milestones.all()] == [
        ("Hotspots agreed", "met"),
        ("Review against the baseline", "planned"),
    ]
    exported = tmp_path / "exported.yaml"
    exported.write_text(export_plan(plan))
    Plan.objects.all().delete()
    assert export_plan(import_plan(exported)) == exported.read_text()


@pytest.mark.parametrize(
    ("addition", "message"),
    [
        (
            ", milestones: [{title: Early, due: 2013-01-01}]",
            r"due: A milestone cannot be due before its action starts",
        ),
        (
            ", milestones: [{title: Soon, due: 2014-06-30, state: maybe}]",
            r"state: must be one of planned, met, missed",
        ),
    ],
)
def test_a_bad_milestone_is_refused_naming_its_line(tmp_path, addition, message):
    path = broken(
        tmp_path,
        "measures: [{measure: road-casualties-ksi, direction: down}]",
        "measures: [{measure: road-casualties-ksi, direction: down}]" + addition,
    )
    with pytest.raises(PlanFileError, match=r"line \d+: " + message):
        import_plan(path)
    assert Plan.objects.count() == 0


def test_a_watched_measure_takes_no_target(tmp_path):
    path = broken(
        tmp_path,
        "measures: [{measure: domestic-violence, direction: watch}]",
        "measures: [{measure: domestic-violence, direction: watch, target: 10}]",
    )
    with pytest.raises(PlanFileError, match="target: A watched measure has no target"):
        import_plan(path)


def test_the_plan_file_gives_the_partnership_its_example_place(tmp_path):
    path = broken(tmp_path, "  purpose:", "  example_place: Selly Oak\n  purpose:")
    partnership = import_plan(path).partnership
    assert partnership.example_place == "Selly Oak"
    assert "example_place: Selly Oak" in export_plan(partnership.plans.get())
