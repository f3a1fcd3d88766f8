"""Plans in and out as YAML (docs/plan-format.md).

``import_plan`` checks the whole file and writes it in one transaction: a
file with any error changes nothing, and the error names the line and field.
The format's own rules (its fields, dates, names of groups, agencies and
measures) are checked here; each row's rules are its model's validation
(``full_clean``: the fields' rules and ``clean``), the same as the
service's forms and the admin apply, never coded here a second time.
``export_plan`` writes the same format, so a plan can move between
partnerships or be kept under version control.
"""

from __future__ import annotations

import datetime
import difflib
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction

from saferplaces.accounts.models import Agency, AgencyKind
from saferplaces.analytics.measures import REGISTRY
from saferplaces.analytics.refusals import Refused
from saferplaces.analytics.store import Store
from saferplaces.partnership.areas import checked_area
from saferplaces.partnership.models import (
    Action,
    ActionMeasure,
    EvaluationPlan,
    Finding,
    Group,
    GroupKind,
    Milestone,
    Objective,
    Partnership,
    PartnershipArea,
    Plan,
    Principle,
    Priority,
    Status,
    Strand,
    StrandLink,
    action_reference,
)

# The fields each part of a plan file may have (docs/plan-format.md).
FIELDS: dict[str, frozenset[str]] = {
    name: frozenset(fields.split())
    for name, fields in {
        "the file": "partnership agencies groups strands plan",
        "partnership": "name slug board purpose example_place areas",
        "an agency": "name kind",
        "a group": "slug name kind lead_agency lead_title lead_role "
        "joint_lead_agency joint_lead_role terms_of_reference delivery_method "
        "themes member_agencies",
        "a strand": "name description groups",
        "a strand's group": "group reason",
        "plan": "title slug starts ends published synthetic narrative "
        "board_key_areas principles measures findings resident_priorities priorities",
        "a finding": "source text",
        "a priority": "number title description themes groups objectives",
        "an objective": "title text actions",
        "an action": "number group text lead_agency lead_role target_areas "
        "starts due status emerging decision toolkit_intervention emmie "
        "evaluation measures milestones",
        "an action's measure": "measure direction size baseline_from baseline_to "
        "target",
        "a milestone": "title due state",
        "an evaluation": "question measure target_area comparison_area method "
        "baseline_from baseline_to followup_from followup_to",
    }.items()
}


class PlanFileError(ValueError):
    """The plan file cannot be imported; the message names line and field."""


class _Mapping(dict[str, Any]):
    line = 0


class _LineLoader(yaml.SafeLoader):
    """Safe YAML whose mappings remember the line they start on."""


def _mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Mapping:
    mapping = _Mapping(
        {
            str(key): value
            for key, value in loader.construct_mapping(node, deep=True).items()
        }
    )
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _mapping,
)


def read_plan_file(path: Path) -> _Mapping:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except (OSError, UnicodeDecodeError) as error:
        raise PlanFileError(f"{path}: cannot read it: {error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise PlanFileError(f"{path}: {where}not valid YAML") from None
    if not isinstance(data, _Mapping):
        raise PlanFileError(f"{path}: expected partnership, groups and plan")
    _Reader(path).only(data, "the file")
    return data


class _Reader:
    """Field access that turns a missing or bad value into a PlanFileError."""

    def __init__(
        self, path: Path, store: Store | None = None, *, allow_duplicate: bool = False
    ) -> None:
        self.path = path
        self.store = store
        self.allow_duplicate = allow_duplicate

    def fail(self, item: Any, field: str, reason: str) -> PlanFileError:
        line = getattr(item, "line", 0)
        return PlanFileError(f"{self.path}: line {line}: {field}: {reason}")

    def text(self, item: Any, field: str, *, required: bool = True) -> str:
        value = item.get(field) if isinstance(item, dict) else None
        if value is None or value == "":
            if required:
                raise self.fail(item, field, "is required")
            return ""
        if not isinstance(value, str | int | float):
            raise self.fail(item, field, "must be text")
        return str(value).strip()

    def date(self, item: Any, field: str, *, required: bool = True) -> Any:
        value = item.get(field)
        if value is None and not required:
            return None
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(item, field, "must be a date, YYYY-MM-DD") from None

    def items(self, item: Any, field: str, *, required: bool = False) -> list[Any]:
        value = item.get(field)
        if value is None:
            if required:
                raise self.fail(item, field, "is required")
            return []
        if not isinstance(value, list):
            raise self.fail(item, field, "must be a list")
        return value

    def number(self, item: Any, field: str) -> float | None:
        value = item.get(field) if isinstance(item, dict) else None
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(item, field, "must be a number")
        return float(value)

    def only(self, item: Any, section: str) -> None:
        """Refuse a field the format does not have (a misspelling, most
        likely): it would otherwise be dropped without a word."""
        if not isinstance(item, dict):
            return
        allowed = FIELDS[section]
        for field in item:
            if field not in allowed:
                near = difflib.get_close_matches(str(field), sorted(allowed), n=1)
                hint = f" (did you mean {near[0]}?)" if near else ""
                raise self.fail(item, str(field), f"is not a field of {section}{hint}")

    def area(self, item: Any, field: str, typed: Any) -> str:
        """The code of an area the file names by code or name, refused when
        the geography holds no such area (``partnership.areas``)."""
        try:
            return checked_area(str(typed), self.store)
        except Refused as error:
            raise self.fail(item, field, f"{str(typed).strip()!r}: {error}") from None

    def areas(self, item: Any, field: str) -> list[str]:
        return [self.area(item, field, typed) for typed in self.items(item, field)]

    def choice(self, item: Any, field: str, allowed: list[str], default: str) -> str:
        value = self.text(item, field, required=False) or default
        if value not in allowed:
            raise self.fail(item, field, f"must be one of {', '.join(allowed)}")
        return value

    def valid(self, item: Any, row: models.Model, section: str) -> None:
        """The model's own validation of ``row`` (its fields' rules, its
        ``clean`` and its uniqueness), as the service's forms apply it; the
        first error names the entry's line and the file's field. Rows this
        importer looked up or made itself (a plan's group, an action's
        agency) are not checked again."""
        related = [field.name for field in row._meta.fields if field.is_relation]
        try:
            row.full_clean(exclude=related)
        except ValidationError as error:
            name, messages = next(iter(error.message_dict.items()))
            field = section if name == NON_FIELD_ERRORS else FILE_NAMES.get(name, name)
            raise self.fail(item, field, " ".join(messages)) from None


# Model fields named otherwise in the file (docs/plan-format.md).
FILE_NAMES = {
    "measure_id": "measure", "key_measures": "measures", "reference": "number",
}  # fmt: skip


def import_plan(
    path: Path, store: Store | None = None, *, allow_duplicate: bool = False
) -> Plan:
    """Import a plan file; all or nothing. Its areas are checked against the
    geography in ``store`` (the service's own by default). A plan with the
    title and period of one the partnership has is refused unless
    ``allow_duplicate``."""
    data = read_plan_file(path)
    read = _Reader(path, store, allow_duplicate=allow_duplicate)
    from saferplaces.partnership.signals import one_revision_for_many_changes

    with one_revision_for_many_changes(), transaction.atomic():
        agencies = _agencies(read, data)
        partnership = _partnership(read, data)
        groups = _groups(read, data, partnership, agencies)
        _strands(read, data, partnership, groups)
        return _plan(read, data, partnership, groups, agencies)


def _agencies(read: _Reader, data: _Mapping) -> dict[str, Agency]:
    kinds = [kind.value for kind in AgencyKind]
    found = {agency.name: agency for agency in Agency.objects.all()}
    for entry in read.items(data, "agencies"):
        read.only(entry, "an agency")
        name = read.text(entry, "name")
        kind = read.choice(entry, "kind", kinds, AgencyKind.OTHER)
        if name not in found:
            agency = Agency(name=name, kind=kind)
            read.valid(entry, agency, "an agency")
            agency.save()
            found[name] = agency
    return found


def _agency(read: _Reader, item: Any, field: str, agencies: dict[str, Agency]) -> Any:
    name = read.text(item, field, required=False)
    if not name:
        return None
    if name not in agencies:
        raise read.fail(item, field, f"{name!r} is not an agency listed in agencies")
    return agencies[name]


def _partnership(read: _Reader, data: _Mapping) -> Partnership:
    entry = data.get("partnership")
    if not isinstance(entry, dict):
        raise read.fail(data, "partnership", "is required")
    read.only(entry, "partnership")
    board = None
    board_name = read.text(entry, "board", required=False)
    if board_name:
        board, _ = Partnership.objects.get_or_create(
            name=board_name, defaults={"slug": _slug(board_name)}
        )
    slug = read.text(entry, "slug")
    partnership = Partnership.objects.filter(slug=slug).first() or Partnership(
        slug=slug
    )
    partnership.name = read.text(entry, "name")
    partnership.board = board
    partnership.purpose = read.text(entry, "purpose", required=False)
    partnership.example_place = read.text(entry, "example_place", required=False)
    read.valid(entry, partnership, "partnership")
    partnership.save()
    if "areas" in entry:
        _areas(read, entry, partnership)
    return partnership


def _areas(read: _Reader, entry: dict[str, Any], partnership: Partnership) -> None:
    """The areas the file says the partnership covers, replacing any held."""
    codes = read.areas(entry, "areas")
    for code in codes:
        try:
            PartnershipArea(partnership=partnership, code=code).clean_fields(
                exclude=["partnership"]
            )
        except ValidationError as error:
            reason = " ".join(error.message_dict.get("code", ["is not an area code"]))
            raise read.fail(entry, "areas", f"{code!r}: {reason}") from None
    partnership.areas.exclude(code__in=codes).delete()
    for code in dict.fromkeys(codes):
        PartnershipArea.objects.get_or_create(partnership=partnership, code=code)


def _slug(name: str) -> str:
    from django.utils.text import slugify

    return slugify(name)[:80]


def _groups(
    read: _Reader, data: _Mapping, partnership: Partnership, agencies: dict[str, Agency]
) -> dict[str, Group]:
    kinds = [kind.value for kind in GroupKind]
    groups = {group.slug: group for group in partnership.groups.all()}
    for entry in read.items(data, "groups", required=True):
        read.only(entry, "a group")
        slug = read.text(entry, "slug")
        group = groups.get(slug) or Group(partnership=partnership, slug=slug)
        group.name = read.text(entry, "name")
        group.kind = read.choice(entry, "kind", kinds, GroupKind.SUB_GROUP)
        group.lead_agency = _agency(read, entry, "lead_agency", agencies)
        group.lead_title = read.text(entry, "lead_title", required=False) or "Lead"
        group.lead_role = read.text(entry, "lead_role", required=False)
        group.joint_lead_agency = _agency(read, entry, "joint_lead_agency", agencies)
        group.joint_lead_role = read.text(entry, "joint_lead_role", required=False)
        group.terms_of_reference = read.text(
            entry, "terms_of_reference", required=False
        )
        group.delivery_method = read.text(entry, "delivery_method", required=False)
        group.themes = read.text(entry, "themes", required=False)
        read.valid(entry, group, "a group")
        group.save()
        members = [
            _member_agency(read, entry, name, agencies)
            for name in read.items(entry, "member_agencies")
        ]
        group.member_agencies.set(members)
        groups[slug] = group
    return groups


def _member_agency(
    read: _Reader, entry: Any, name: Any, agencies: dict[str, Agency]
) -> Agency:
    if str(name) not in agencies:
        raise read.fail(entry, "member_agencies", f"{name!r} is not a listed agency")
    return agencies[str(name)]


def _group(
    read: _Reader, item: Any, field: str, groups: dict[str, Group], slug: str = ""
) -> Group:
    slug = slug or read.text(item, field)
    if slug not in groups:
        raise read.fail(item, field, f"{slug!r} is not a group in groups")
    return groups[slug]


def _strands(
    read: _Reader, data: _Mapping, partnership: Partnership, groups: dict[str, Group]
) -> None:
    for entry in read.items(data, "strands"):
        read.only(entry, "a strand")
        name = read.text(entry, "name")
        strand = partnership.strands.filter(name=name).first() or Strand(
            partnership=partnership, name=name
        )
        strand.description = read.text(entry, "description", required=False)
        read.valid(entry, strand, "a strand")
        strand.save()
        strand.links.all().delete()
        for link in read.items(entry, "groups"):
            read.only(link, "a strand's group")
            made = StrandLink(
                strand=strand,
                group=_group(read, link, "group", groups),
                reason=read.text(link, "reason", required=False),
            )
            read.valid(link, made, "a strand's group")
            made.save()


def _plan(
    read: _Reader,
    data: _Mapping,
    partnership: Partnership,
    groups: dict[str, Group],
    agencies: dict[str, Agency],
) -> Plan:
    entry = data.get("plan")
    if not isinstance(entry, dict):
        raise read.fail(data, "plan", "is required")
    read.only(entry, "plan")
    slug = read.text(entry, "slug")
    if Plan.objects.filter(slug=slug).exists():
        raise read.fail(entry, "slug", f"a plan {slug!r} exists already")
    plan = Plan(
        partnership=partnership,
        title=read.text(entry, "title"),
        slug=slug,
        starts=read.date(entry, "starts"),
        ends=read.date(entry, "ends"),
        narrative=read.text(entry, "narrative", required=False),
        board_key_areas=[str(area) for area in read.items(entry, "board_key_areas")],
        published=bool(entry.get("published", False)),
        synthetic=bool(entry.get("synthetic", False)),
    )
    read.valid(entry, plan, "plan")
    if not read.allow_duplicate and (same := plan.same_plan()):
        raise read.fail(
            entry,
            "title",
            f"a plan with this title and period exists already ({same.slug}): "
            "to keep a second copy, import it with --allow-duplicate",
        )
    plan.save()
    for number, text in enumerate(read.items(entry, "principles"), 1):
        principle = Principle(plan=plan, number=number, text=str(text))
        read.valid(entry, principle, "principles")
        principle.save()
    for finding in read.items(entry, "findings"):
        read.only(finding, "a finding")
        made = Finding(
            plan=plan,
            kind=Finding.Kind.FINDING,
            source=read.text(finding, "source", required=False),
            text=read.text(finding, "text"),
        )
        read.valid(finding, made, "a finding")
        made.save()
    for text in read.items(entry, "resident_priorities"):
        made = Finding(plan=plan, kind=Finding.Kind.RESIDENT_PRIORITY, text=str(text))
        read.valid(entry, made, "resident_priorities")
        made.save()
    for measure_id in read.items(entry, "measures"):
        if str(measure_id) not in REGISTRY:
            raise read.fail(entry, "measures", f"unknown measure {measure_id!r}")
    plan.key_measures = [str(m) for m in read.items(entry, "measures")]
    plan.save(update_fields=["key_measures"])
    for priority_entry in read.items(entry, "priorities", required=True):
        _priority(read, priority_entry, plan, groups, agencies)
    return plan


def _priority(
    read: _Reader,
    entry: Any,
    plan: Plan,
    groups: dict[str, Group],
    agencies: dict[str, Agency],
) -> None:
    read.only(entry, "a priority")
    number = entry.get("number")
    if not isinstance(number, int) or number < 1:
        raise read.fail(entry, "number", "must be a whole number from 1")
    priority = Priority(
        plan=plan,
        number=number,
        title=read.text(entry, "title"),
        description=read.text(entry, "description", required=False),
        themes=[str(t) for t in read.items(entry, "themes")],
    )
    read.valid(entry, priority, "a priority")
    priority.save()
    priority.groups.set(
        [
            _group(read, entry, "groups", groups, slug=str(slug))
            for slug in read.items(entry, "groups")
        ]
    )
    for objective_entry in read.items(entry, "objectives"):
        read.only(objective_entry, "an objective")
        objective = Objective(
            priority=priority,
            title=read.text(objective_entry, "title"),
            text=read.text(objective_entry, "text", required=False),
        )
        read.valid(objective_entry, objective, "an objective")
        objective.save()
        for action_entry in read.items(objective_entry, "actions"):
            _action(read, action_entry, plan, priority, objective, groups, agencies)


def _action(
    read: _Reader,
    entry: Any,
    plan: Plan,
    priority: Priority,
    objective: Objective,
    groups: dict[str, Group],
    agencies: dict[str, Agency],
) -> Action:
    read.only(entry, "an action")
    number = read.text(entry, "number")
    group = _group(read, entry, "group", groups)
    statuses = [status.value for status in Status]
    action = Action(
        plan=plan,
        priority=priority,
        objective=objective,
        reference=action_reference(plan.slug, number),
        number=number,
        text=read.text(entry, "text"),
        group=group,
        lead_agency=_agency(read, entry, "lead_agency", agencies) or group.lead_agency,
        lead_role=read.text(entry, "lead_role", required=False) or group.lead_role,
        target_areas=read.areas(entry, "target_areas"),
        starts=read.date(entry, "starts", required=False) or plan.starts,
        due=read.date(entry, "due", required=False) or plan.ends,
        status=read.choice(entry, "status", statuses, Status.NOT_STARTED),
        emerging=bool(entry.get("emerging", False)),
        decision=read.text(entry, "decision", required=False),
        toolkit_intervention=read.text(entry, "toolkit_intervention", required=False),
    )
    read.valid(entry, action, "an action")
    action.save()
    emmie = entry.get("emmie") or {}
    unknown = sorted(set(emmie) - set(EMMIE)) if isinstance(emmie, dict) else ["?"]
    if unknown:
        raise read.fail(entry, "emmie", f"keys must be among {', '.join(EMMIE)}")
    if emmie:
        action.emmie = {key: str(emmie[key]) for key in EMMIE if key in emmie}
        action.save(update_fields=["emmie"])
    if isinstance(entry.get("evaluation"), dict):
        _evaluation(read, entry["evaluation"], action)
    for measure in read.items(entry, "measures"):
        read.only(measure, "an action's measure")
        measure_id = read.text(measure, "measure")
        if measure_id not in REGISTRY:
            raise read.fail(measure, "measure", f"unknown measure {measure_id!r}")
        link = ActionMeasure(
            action=action,
            measure_id=measure_id,
            direction=read.choice(
                measure, "direction", [d.value for d in ActionMeasure.Direction], "down"
            ),
            size=read.text(measure, "size", required=False),
            baseline_from=read.text(measure, "baseline_from", required=False),
            baseline_to=read.text(measure, "baseline_to", required=False),
            target=read.number(measure, "target"),
        )
        read.valid(measure, link, "an action's measure")
        link.save()
    for milestone in read.items(entry, "milestones"):
        read.only(milestone, "a milestone")
        step = Milestone(
            action=action,
            title=read.text(milestone, "title"),
            due=read.date(milestone, "due"),
            state=read.choice(
                milestone, "state", [s.value for s in Milestone.State], "planned"
            ),
        )
        read.valid(milestone, step, "a milestone")
        step.save()
    return action


EMMIE = ["effect", "mechanism", "moderators", "implementation", "economics"]


def _evaluation(read: _Reader, entry: Any, action: Action) -> None:
    read.only(entry, "an evaluation")
    methods = [method.value for method in EvaluationPlan.Method]
    months = {
        field: read.text(entry, field)
        for field in ("baseline_from", "baseline_to", "followup_from", "followup_to")
    }
    measure_id = read.text(entry, "measure")
    if measure_id not in REGISTRY:
        raise read.fail(entry, "measure", f"unknown measure {measure_id!r}")
    evaluation = EvaluationPlan(
        action=action,
        question=read.text(entry, "question"),
        measure_id=measure_id,
        target_area=read.area(entry, "target_area", read.text(entry, "target_area")),
        comparison_area=_comparison_area(read, entry),
        method=read.choice(entry, "method", methods, "before_after"),
        **months,
    )
    read.valid(entry, evaluation, "an evaluation")
    evaluation.save()


def _comparison_area(read: _Reader, entry: Any) -> str:
    typed = read.text(entry, "comparison_area", required=False)
    return read.area(entry, "comparison_area", typed) if typed else ""


def export_plan(plan: Plan) -> str:
    """The plan as YAML in the import format."""
    partnership = plan.partnership
    used_groups = Group.objects.filter(partnership=partnership).order_by("id")
    agencies = sorted(
        {
            agency
            for group in used_groups
            for agency in [
                group.lead_agency,
                group.joint_lead_agency,
                *group.member_agencies.all(),
            ]
            if agency is not None
        }
        | {a.lead_agency for a in plan.actions.all() if a.lead_agency},
        key=lambda agency: agency.name,
    )
    document = {
        "partnership": _without_blanks(
            {
                "name": partnership.name,
                "slug": partnership.slug,
                "board": partnership.board.name if partnership.board else "",
                "purpose": partnership.purpose,
                "example_place": partnership.example_place,
                "areas": partnership.area_codes(),
            }
        ),
        "agencies": [{"name": a.name, "kind": a.kind} for a in agencies],
        "groups": [_group_out(group) for group in used_groups],
        "strands": [
            _without_blanks(
                {
                    "name": strand.name,
                    "description": strand.description,
                    "groups": [
                        {"group": link.group.slug, "reason": link.reason}
                        for link in strand.links.order_by("id")
                    ],
                }
            )
            for strand in partnership.strands.order_by("id")
        ],
        "plan": _without_blanks(
            {
                "title": plan.title,
                "slug": plan.slug,
                "starts": plan.starts,
                "ends": plan.ends,
                "published": plan.published,
                "synthetic": plan.synthetic or None,
                "narrative": plan.narrative,
                "board_key_areas": plan.board_key_areas,
                "principles": [p.text for p in plan.principles.all()],
                "measures": plan.key_measures,
                "findings": [
                    _without_blanks({"source": f.source, "text": f.text})
                    for f in plan.findings.filter(kind=Finding.Kind.FINDING)
                ],
                "resident_priorities": [
                    f.text
                    for f in plan.findings.filter(kind=Finding.Kind.RESIDENT_PRIORITY)
                ],
                "priorities": [_priority_out(p) for p in plan.priorities.all()],
            }
        ),
    }
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=88)


def _group_out(group: Group) -> dict[str, Any]:
    return _without_blanks(
        {
            "slug": group.slug,
            "name": group.name,
            "kind": group.kind,
            "lead_title": group.lead_title if group.lead_title != "Lead" else "",
            "lead_agency": group.lead_agency.name if group.lead_agency else "",
            "lead_role": group.lead_role,
            "joint_lead_agency": group.joint_lead_agency.name
            if group.joint_lead_agency
            else "",
            "joint_lead_role": group.joint_lead_role,
            "terms_of_reference": group.terms_of_reference,
            "delivery_method": group.delivery_method,
            "themes": group.themes,
            "member_agencies": sorted(a.name for a in group.member_agencies.all()),
        }
    )


def _priority_out(priority: Priority) -> dict[str, Any]:
    return _without_blanks(
        {
            "number": priority.number,
            "title": priority.title,
            "description": priority.description,
            "themes": priority.themes,
            "groups": [g.slug for g in priority.groups.order_by("id")],
            "objectives": [
                _without_blanks(
                    {
                        "title": objective.title,
                        "text": objective.text,
                        "actions": [
                            _action_out(a) for a in objective.actions.order_by("id")
                        ],
                    }
                )
                for objective in priority.objectives.all()
            ],
        }
    )


def _action_out(action: Action) -> dict[str, Any]:
    group = action.group
    return _without_blanks(
        {
            "number": action.number,
            "group": group.slug,
            "text": action.text,
            "lead_agency": action.lead_agency.name
            if action.lead_agency and action.lead_agency != group.lead_agency
            else "",
            "lead_role": action.lead_role
            if action.lead_role != group.lead_role
            else "",
            "target_areas": action.target_areas,
            "starts": action.starts if action.starts != action.plan.starts else None,
            "due": action.due if action.due != action.plan.ends else None,
            "status": action.status if action.status != Status.NOT_STARTED else "",
            "emerging": action.emerging or None,
            "decision": action.decision,
            "toolkit_intervention": action.toolkit_intervention,
            "emmie": action.emmie,
            "evaluation": _evaluation_out(action),
            "measures": [
                _without_blanks(
                    {
                        "measure": m.measure_id,
                        "direction": m.direction,
                        "size": m.size,
                        "baseline_from": m.baseline_from,
                        "baseline_to": m.baseline_to,
                        "target": m.target,
                    }
                )
                for m in action.measures.order_by("id")
            ],
            "milestones": [
                {"title": m.title, "due": m.due, "state": m.state}
                for m in action.milestones.all()
            ],
        }
    )


def _evaluation_out(action: Action) -> dict[str, Any] | None:
    evaluation = getattr(action, "evaluation", None)
    if evaluation is None:
        return None
    return _without_blanks(
        {
            "question": evaluation.question,
            "measure": evaluation.measure_id,
            "target_area": evaluation.target_area,
            "comparison_area": evaluation.comparison_area,
            "baseline_from": evaluation.baseline_from,
            "baseline_to": evaluation.baseline_to,
            "followup_from": evaluation.followup_from,
            "followup_to": evaluation.followup_to,
            "method": evaluation.method,
        }
    )


def _without_blanks(mapping: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if v not in ("", None, [], {})}
