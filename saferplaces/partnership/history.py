"""What changed on an action, a plan or a group, by whom and when, from
django-simple-history's records of the object and the things it holds. A
line appears only when something changed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import models

from saferplaces.lib import labels
from saferplaces.partnership.models import (
    Action,
    ActionMeasure,
    EvaluationPlan,
    Group,
    Milestone,
    Objective,
    Plan,
    Priority,
    Strand,
    StrandLink,
)

# Fields whose changes are not worth a line (they follow from others).
QUIET = {
    "id", "action", "plan", "priority", "objective", "reference", "carried_from",
    "revision", "version",
}  # fmt: skip
# Fields that store a vocabulary's values (saferplaces.lib.labels): their
# changes name the labels.
VOCABULARY_FIELDS = {"key_measures": "measure", "measure_id": "measure"}


@dataclass(frozen=True)
class Change:
    when: datetime.datetime
    who: str
    what: str


def changes(action: Action) -> list[Change]:
    """The action's changes, its milestones', its measures' and its
    evaluation's, newest first."""
    return _merged(
        ("Action", action.history.all()),
        ("Milestone", Milestone.history.filter(action_id=action.pk)),
        ("Outcome measure", ActionMeasure.history.filter(action_id=action.pk)),
        ("Evaluation", EvaluationPlan.history.filter(action_id=action.pk)),
    )


def plan_changes(plan: Plan) -> list[Change]:
    """The plan's own changes, its priorities' and objectives', and its
    partnership's strands' (and the groups they run through)."""
    priorities = Priority.history.filter(plan_id=plan.pk)
    ids = set(priorities.values_list("id", flat=True))
    strands = Strand.history.filter(partnership_id=plan.partnership_id)
    strand_ids = set(strands.values_list("id", flat=True))
    return _merged(
        ("Plan", plan.history.all()),
        ("Priority", priorities),
        ("Objective", Objective.history.filter(priority_id__in=ids)),
        ("Strand", strands),
        ("Strand link", StrandLink.history.filter(strand_id__in=strand_ids)),
    )


def group_changes(group: Group) -> list[Change]:
    return _merged(("Group", group.history.all()))


def record_changes(label: str, records: Any) -> list[Change]:
    """Any record's changes, from its django-simple-history records."""
    return _merged((label, records))


def _merged(*sources: tuple[str, Any]) -> list[Change]:
    found: list[Change] = []
    for label, records in sources:
        ordered = records.select_related("history_user").order_by(
            "history_date", "history_id"
        )
        found += _lines(label, list(ordered))
    return sorted(found, key=lambda change: change.when, reverse=True)


def _lines(noun: str, records: list[Any]) -> list[Change]:
    lines = []
    previous: dict[Any, Any] = {}
    for record in records:
        before = previous.get(record.id)
        previous[record.id] = record
        if record.history_type == "+":
            what = f"{noun} added: {record.instance}"
        elif record.history_type == "-":
            what = f"{noun} removed: {record.instance}"
        elif before is None:
            continue  # a change to an object made before history was kept
        else:
            diff = [
                change
                for change in record.diff_against(before).changes
                if change.field not in QUIET
            ]
            if not diff:
                continue  # saved, but nothing changed
            what = f"{noun}: " + "; ".join(_change(record, c) for c in diff)
        user = record.history_user
        who = user.get_username() if user is not None else "imported or system"
        lines.append(Change(record.history_date, who, what))
    return lines


def _change(record: Any, change: Any) -> str:
    """One field's change in words: "status On track to At risk"; a yes or
    no field as what it now is: "now published", "no longer synthetic"."""
    name = _name(record, change.field)
    if isinstance(record.instance._meta.get_field(change.field), models.BooleanField):
        return f"now {name}" if change.new else f"no longer {name}"
    old = _shown(record, change.field, change.old)
    return f"{name} {old} to {_shown(record, change.field, change.new)}"


def _name(record: Any, field: str) -> str:
    return str(record.instance._meta.get_field(field).verbose_name)


def _shown(record: Any, field: str, value: Any) -> str:
    if value in (None, "", [], {}):
        return "(none)"
    model_field = record.instance._meta.get_field(field)
    if model_field.many_to_many:  # rows of the through table, as dicts
        ids = [row[model_field.m2m_reverse_field_name()] for row in value]
        return ", ".join(map(str, model_field.related_model.objects.filter(pk__in=ids)))
    if model_field.is_relation:  # a key: name what it points to
        found = model_field.related_model.objects.filter(pk=value).first()
        return str(found) if found is not None else f"(removed, {value})"
    vocabulary = VOCABULARY_FIELDS.get(field)
    if isinstance(value, list | dict):
        if vocabulary:
            return ", ".join(labels.label(item, vocabulary) for item in value)
        return ", ".join(map(str, value))
    if vocabulary:
        return labels.label(value, vocabulary)
    choices = dict(model_field.flatchoices or [])
    shown = str(choices.get(value, value))
    # A long text (a narrative) is named, not repeated whole.
    return shown if len(shown) <= 120 else f"{shown[:117]}..."
