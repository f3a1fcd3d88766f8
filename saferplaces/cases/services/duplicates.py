"""Possible duplicates: people already recorded in the partnership who may
be the one being typed (the page limits and audits each check)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q

from saferplaces.cases import search
from saferplaces.cases.models import Person, postcode_form


@dataclass
class PossibleDuplicate:
    """A person already recorded who may be the one typed. ``cases`` are
    the references of their cases the worker may see (linked on the page);
    ``matched`` all of their cases, for the audit entry only: of cases the
    worker cannot see, neither how many nor whose is said (finding 6)."""

    person: Person
    why: str
    cases: list[str]
    matched: list[str] = field(default_factory=list)

    @property
    def visible(self) -> bool:
        return bool(self.cases)


def possible_duplicates(
    partnership_id: int,
    given_name: str,
    family_name: str,
    date_of_birth: datetime.date | None,
    postcode: str,
    visible_case_ids: set[int],
) -> list[PossibleDuplicate]:
    """People already recorded who may be this one: a similar name with the
    same date of birth, or a similar name at the same postcode."""
    similar = search.similar_names(
        Person.objects.filter(partnership_id=partnership_id, anonymised_at=None),
        f"{given_name} {family_name}",
    )
    condition = Q(pk__in=[])
    if date_of_birth:
        condition |= Q(date_of_birth=date_of_birth)
    if postcode.strip():
        condition |= Q(address__postcode=postcode_form(postcode))
    found = []
    for person in similar.filter(condition).select_related("address")[:10]:
        why = (
            "same date of birth"
            if date_of_birth and person.date_of_birth == date_of_birth
            else "same postcode"
        )
        cases = person.cases.order_by("case__reference").values_list(
            "case_id", "case__reference"
        )
        found.append(
            PossibleDuplicate(
                person,
                f"a similar name and the {why}",
                [ref for pk, ref in cases if pk in visible_case_ids],
                [ref for _, ref in cases],
            )
        )
    return found
