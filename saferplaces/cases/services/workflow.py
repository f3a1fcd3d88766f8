"""Changing casework: opening a case, adding people, incidents, actions and
disposals, changing and closing a case. Each function writes one change
and its audit entry in one transaction (a change and its entry commit
together or not at all, issue 27), with optimistic locking where a form was
opened on a saved case (``saferplaces.versions``). Pages pass the checked
form data and the acting user; the caller's address, when there is one, is
``ip`` (``audit.client_ip``)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from saferplaces.accounts import audit
from saferplaces.cases.models import (
    Address,
    Case,
    CaseAction,
    CasePerson,
    CaseStatus,
    Disposal,
    Incident,
    IncidentPerson,
    Person,
)
from saferplaces.versions import claim

# A postcode's area code ("" when unknown): the caller's geography lookup.
AreaOf = Callable[[str], str]
# What the case details form changes (``CaseDetailsForm``).
DETAIL_FIELDS = ("case_type", "hate_strand", "summary", "officer")


class CaseworkError(ValueError):
    """A change the rules refuse, with a message fit to show."""


def record_change(
    case: Case, what: str, user: Any, ip: str | None = None, **detail: Any
) -> None:
    """Audit a change of ``case`` (what changed, never the values typed)."""
    audit.record(
        f"case_{what}",
        actor=user,
        object_type="cases:change",
        object_id=case.reference,
        detail=detail,
        ip_address=ip,
    )


def save_case(case: Case, read_version: int, user: Any, fields: Iterable[str]) -> Case:
    """Write ``fields`` of ``case`` if nobody changed it since it was read
    at ``read_version``; otherwise raise ``versions.StaleEdit`` and write
    nothing."""
    values = {name: getattr(case, name) for name in fields}
    with transaction.atomic():
        claim(case, read_version)
        Case.objects.filter(pk=case.pk).update(
            **values, updated_by=user, updated_at=timezone.now()
        )
    case.refresh_from_db()
    return case


def change_details(
    case: Case,
    read_version: int,
    user: Any,
    changed: Iterable[str],
    *,
    ip: str | None = None,
) -> Case:
    """Save the case's details as set on ``case`` (``DETAIL_FIELDS``), audited
    with the names of the fields ``changed``; ``StaleEdit`` if someone saved
    the case since ``read_version``, and nothing written."""
    with transaction.atomic():
        save_case(case, read_version, user, DETAIL_FIELDS)
        record_change(case, "changed", user, ip, fields=sorted(changed))
    return case


def touch(case: Case, user: Any) -> None:
    """A change to what a case holds (a person, an incident, an action)
    is a change to the case: its version moves, so an open form of the
    case's details is refused rather than silently overwriting."""
    Case.objects.filter(pk=case.pk).update(
        version=F("version") + 1, updated_by=user, updated_at=timezone.now()
    )


def close(
    case: Case,
    read_version: int,
    user: Any,
    reason: str,
    on: datetime.date,
    *,
    ip: str | None = None,
) -> Case:
    if not reason:
        raise CaseworkError("Choose why the case is closed.")
    case.status = CaseStatus.CLOSED
    case.closure_reason = reason
    case.closed_on = on
    with transaction.atomic():
        save_case(case, read_version, user, ["status", "closure_reason", "closed_on"])
        record_change(case, "closed", user, ip, reason=reason)
    return case


def open_case(
    partnership_id: int,
    data: Mapping[str, Any],
    user: Any,
    area_of: AreaOf,
    *,
    ip: str | None = None,
) -> Case:
    """Open a case with its first person (``NewCaseForm``'s data), owned by
    the user's agency with the user as its officer."""
    with transaction.atomic():
        person = _person(partnership_id, data, area_of)
        case = Case.objects.create(
            partnership_id=partnership_id,
            case_type=data["case_type"],
            hate_strand=data["hate_strand"],
            summary=data["summary"],
            owner_agency_id=user.agency_id,
            officer=user,
            area_code=person.address.area_code if person.address else "",
            updated_by=user,
        )
        CasePerson.objects.create(case=case, person=person, role=data["role"])
        record_change(case, "opened", user, ip, case_type=case.case_type)
    return case


def add_person(
    case: Case,
    data: Mapping[str, Any],
    user: Any,
    area_of: AreaOf,
    *,
    ip: str | None = None,
) -> CasePerson:
    """Add a person (``PersonForm``'s data) to ``case`` in their role."""
    with transaction.atomic():
        person = _person(case.partnership_id, data, area_of)
        row = CasePerson.objects.create(case=case, person=person, role=data["role"])
        touch(case, user)
        record_change(case, "person_added", user, ip, role=data["role"])
    return row


def _person(partnership_id: int, data: Mapping[str, Any], area_of: AreaOf) -> Person:
    address = _address(
        partnership_id, data.get("address_line", ""), data.get("postcode", ""), area_of
    )
    return Person.objects.create(
        partnership_id=partnership_id,
        given_name=data["given_name"],
        family_name=data["family_name"],
        date_of_birth=data.get("date_of_birth"),
        address=address,
    )


def _address(
    partnership_id: int, line: str, postcode: str, area_of: AreaOf
) -> Address | None:
    if not (line or postcode):
        return None
    return Address.objects.create(
        partnership_id=partnership_id,
        line=line,
        postcode=postcode,
        area_code=area_of(postcode) if postcode else "",
    )


def record_incident(
    case: Case,
    data: Mapping[str, Any],
    user: Any,
    area_of: AreaOf,
    *,
    ip: str | None = None,
) -> Incident:
    """Record an incident (``IncidentForm``'s data) reported by the user's
    agency, with every person of the case in their role."""
    with transaction.atomic():
        address = _address(
            case.partnership_id, data["address_line"], data["postcode"], area_of
        )
        incident = Incident(
            partnership_id=case.partnership_id,
            occurred_on=data["occurred_on"],
            category=data["category"],
            description=data["description"],
            reporting_agency_id=user.agency_id,
            address=address,
            area_code=address.area_code if address else case.area_code,
        )
        people = {
            row.person: row.role for row in case.involved.select_related("person")
        }
        add_incident(case, incident, people)
        touch(case, user)
        record_change(case, "incident_added", user, ip)
    return incident


def add_incident(case: Case, incident: Incident, people: dict[Person, str]) -> Incident:
    """Record ``incident`` on ``case`` with its people and roles. A case
    already assessed needs assessing again."""
    with transaction.atomic():
        incident.save()
        IncidentPerson.objects.bulk_create(
            IncidentPerson(incident=incident, person=p, role=r)
            for p, r in people.items()
        )
        case.incidents.add(incident)
        if case.assessments.exists():
            Case.objects.filter(pk=case.pk).update(needs_reassessment=True)
    return incident


def add_to_case(
    case: Case, row: CaseAction | Disposal, user: Any, *, ip: str | None = None
) -> CaseAction | Disposal:
    """Keep an action or a legal tool or disposal (unsaved, from its form)
    on ``case``."""
    what = "action_added" if isinstance(row, CaseAction) else "disposal_added"
    with transaction.atomic():
        row.case = case
        row.save()
        touch(case, user)
        record_change(case, what, user, ip)
    return row


def mark_action_done(
    action: CaseAction, user: Any, *, ip: str | None = None
) -> CaseAction:
    """Mark ``action`` done today by ``user``: from then on it is not
    overdue and leaves every caseload. Refused if it is done already, or
    if ``user``'s agency neither does the action nor owns the case."""
    case = action.case
    with transaction.atomic():
        # Read again under the lock of the write: two workers pressing the
        # button at once mark it once.
        current = CaseAction.objects.select_for_update().get(pk=action.pk)
        if current.done_on is not None:
            raise CaseworkError(
                f"“{current.description}” is already done "
                f"(on {current.done_on.day} {current.done_on:%B %Y})."
            )
        if not current.may_be_marked_done_by(user.agency_id, case.owner_agency_id):
            raise CaseworkError(
                "Only the agency doing this action, or the case's owner, marks it done."
            )
        current.done_on = timezone.localdate()
        current.done_by = user
        current.save(update_fields=["done_on", "done_by"])
        touch(case, user)
        record_change(case, "action_done", user, ip, action=current.pk)
    action.done_on, action.done_by = current.done_on, current.done_by
    return action
