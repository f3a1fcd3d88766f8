"""Finding people and cases by name (tolerant of spelling), date of birth,
address or postcode, and reference: only among the cases the searcher may
see.

Names are compared by trigram similarity: PostgreSQL's ``pg_trgm``
(``similarity``, with its GIN index and ``%`` operator), and on SQLite the
same measure computed by ``trigram_similarity`` below, registered as the
SQL function ``similarity`` on every SQLite connection. A test checks the
two agree.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import Case as Choose
from django.db.models import FloatField, Func, Min, Prefetch, Q, QuerySet, Value, When
from django.dispatch import receiver

from saferplaces.cases.models import (
    Case,
    CasePerson,
    Person,
    postcode_form,
    search_form,
)

# pg_trgm's default similarity threshold.
SIMILAR = 0.3


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: each word in lower case, padded with two spaces
    before and one after."""
    found: set[str] = set()
    word = []
    for char in text.lower() + " ":
        if char.isalnum():
            word.append(char)
            continue
        if word:
            padded = "  " + "".join(word) + " "
            found.update(padded[i : i + 3] for i in range(len(padded) - 2))
            word = []
    return found


def trigram_similarity(a: str | None, b: str | None) -> float:
    """Shared trigrams over all trigrams, as pg_trgm's ``similarity``."""
    if a is None or b is None:
        return 0.0
    left, right = trigrams(a), trigrams(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


@receiver(connection_created)
def _sqlite_similarity(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "similarity", 2, trigram_similarity, deterministic=True
        )


class Similarity(Func):
    function = "similarity"
    output_field = FloatField()


def similar_names(people: QuerySet[Person], typed: str) -> QuerySet[Person]:
    """``people`` whose name is like ``typed``, most alike first."""
    wanted = search_form(typed)
    scored = people.annotate(likeness=Similarity("search_name", Value(wanted)))
    if connection.vendor == "postgresql":
        # The % operator uses the trigram index; similarity() alone cannot.
        scored = scored.extra(where=["search_name %% %s"], params=[wanted])
    return scored.filter(likeness__gte=SIMILAR).order_by("-likeness", "pk")


def find_cases(
    visible: QuerySet[Case],
    name: str = "",
    date_of_birth: datetime.date | None = None,
    address: str = "",
    reference: str = "",
    limit: int = 50,
) -> list[Case]:
    """Visible cases matching every criterion given, best name match first."""
    cases = visible
    if reference.strip():
        cases = cases.filter(reference__iexact=reference.strip())
    person_filter = Q()
    if date_of_birth:
        person_filter &= Q(date_of_birth=date_of_birth)
    if address.strip():
        person_filter &= _address_filter(address)
    people: QuerySet[Person] | None = None
    if name.strip():
        people = similar_names(Person.objects.filter(person_filter), name)
    elif person_filter:
        people = Person.objects.filter(person_filter)
    if people is not None:
        ranked = list(people.values_list("pk", flat=True)[:500])
        order = {pk: i for i, pk in enumerate(ranked)}
        best: dict[int, int] = {}
        links = CasePerson.objects.filter(
            person_id__in=ranked, case__in=cases
        ).values_list("case_id", "person_id")
        for case_id, person_id in links:
            best[case_id] = min(best.get(case_id, len(order)), order[person_id])
        chosen = sorted(best, key=lambda pk: (best[pk], pk))[:limit]
        found = for_listing(Case.objects.all()).in_bulk(chosen)
        return [found[pk] for pk in chosen]
    if not reference.strip():
        return []
    return list(for_listing(cases)[:limit])


# The order people are named in a list of cases: whom the case is for first.
ROLE_ORDER = {"victim": 0, "perpetrator": 1, "reporter": 2, "witness": 3}


def for_listing(cases: QuerySet[Case]) -> QuerySet[Case]:
    """``cases`` with what a list of them shows: the owner agency, the
    people (``people_listed``, victims first) and the next target date of
    an action not yet done (``next_date``), read in three queries however
    many cases there are."""
    return (
        cases.select_related("owner_agency")
        .annotate(
            next_date=Min("actions__target_date", filter=Q(actions__done_on=None))
        )
        .prefetch_related(
            Prefetch(
                "involved",
                queryset=CasePerson.objects.select_related("person").order_by(
                    Choose(
                        *(When(role=r, then=Value(n)) for r, n in ROLE_ORDER.items()),
                        default=Value(len(ROLE_ORDER)),
                    ),
                    "pk",
                ),
                to_attr="people_listed",
            )
        )
    )


def _address_filter(typed: str) -> Q:
    """A postcode (typed any way) matches exactly; other text matches
    within the address line."""
    squeezed = "".join(typed.split()).upper()
    if 5 <= len(squeezed) <= 7 and squeezed[-3].isdigit():
        return Q(address__postcode=postcode_form(typed))
    return Q(address__search_line__contains=search_form(typed))
