"""What a person may see of the partnerships: every query of plans, groups,
actions, updates and evidence made for a person starts here.

A person sees the partnerships they belong to (a site administrator sees
all). An object of another partnership is treated as if it did not exist:
its pages answer 404, never 403, so its existence is not given away.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, QuerySet

from saferplaces.accounts.permissions import partnership_ids
from saferplaces.partnership.models import (
    Action,
    Evidence,
    Group,
    Partnership,
    PartnershipArea,
    Plan,
    ProgressUpdate,
)
from saferplaces.partnership.progress import plan_actions

if TYPE_CHECKING:
    from saferplaces.analytics.results import Clearance

M = TypeVar("M", bound=Model)

# How each model reaches its partnership.
_PATH: dict[type[Model], str] = {
    Partnership: "id",
    Plan: "partnership_id",
    Group: "partnership_id",
    Action: "plan__partnership_id",
    ProgressUpdate: "action__plan__partnership_id",
    Evidence: "update__action__plan__partnership_id",
}


def visible(user: Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """``queryset`` narrowed to the partnerships ``user`` belongs to."""
    ids = partnership_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{_PATH[queryset.model]}__in": ids})


def plans(user: Any) -> QuerySet[Plan]:
    return visible(user, Plan.objects.select_related("partnership"))


def groups(user: Any) -> QuerySet[Group]:
    return visible(user, Group.objects.all())


def actions(user: Any) -> QuerySet[Action]:
    return visible(user, Action.objects.all())


def evidence(user: Any) -> QuerySet[Evidence]:
    return visible(user, Evidence.objects.all())


def updates(user: Any) -> QuerySet[ProgressUpdate]:
    return visible(user, ProgressUpdate.objects.all())


def partnerships_where(user: Any, capability: Any) -> QuerySet[Partnership]:
    """The partnerships where ``user`` holds ``capability`` (every one a
    site administrator may act in)."""
    from saferplaces.accounts.permissions import can

    allowed = [p.pk for p in Partnership.objects.all() if can(user, capability, p.pk)]
    return Partnership.objects.filter(pk__in=allowed)


def clearance(user: Any) -> Clearance:
    """Where ``user`` sees exact figures (``results.Clearance``): the areas
    of the partnerships they belong to, and for case-derived counts those of
    the partnerships where they may count cases; everywhere for a site
    administrator (whose reads are audited like everyone's); nowhere for
    anyone not signed in. Kept on the user object for the request."""
    from saferplaces.accounts.permissions import Capability, can, roles
    from saferplaces.analytics import results

    kept: Clearance | None = getattr(user, "_clearance", None)
    if kept is not None:
        return kept
    if partnership_ids(user) is None:
        found = results.EVERYWHERE
    elif not (user.is_authenticated and user.is_active):
        found = results.NOWHERE
    else:
        codes: dict[int, set[str]] = {}
        for partnership_id, code in PartnershipArea.objects.filter(
            partnership_id__in=roles(user)
        ).values_list("partnership_id", "code"):
            codes.setdefault(partnership_id, set()).add(code)
        counting = {pk for pk in codes if can(user, Capability.COUNT_CASES, pk)}
        found = results.Clearance(
            exact=frozenset().union(*codes.values()),
            cases=frozenset().union(*(codes[pk] for pk in counting)),
        )
    user._clearance = found
    return found


# Where the partnership a signed-in person chose in the header is kept.
SESSION_KEY = "partnership"


def partnerships(user: Any) -> QuerySet[Partnership]:
    """The partnerships ``user`` belongs to (every one for a site
    administrator), by name."""
    return visible(user, Partnership.objects.all())


def current(request: Any) -> Partnership | None:
    """The partnership the reader is in: the one a public page's address
    names; signed in, the one they chose in the header or else the first of
    theirs with areas; a visitor elsewhere, the installation's only
    partnership with areas. Found once per request."""
    if not hasattr(request, "partnership"):
        request.partnership = _current(request)
    found: Partnership | None = request.partnership
    return found


def _current(request: Any) -> Partnership | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        theirs = partnerships(user)
        chosen = getattr(request, "session", {}).get(SESSION_KEY)
        if chosen and (kept := theirs.filter(pk=chosen).first()):
            return kept
        # A board with no areas of its own (the demo's city board) is a
        # place to report to, not a place: one with areas comes first.
        with_areas = theirs.filter(areas__isnull=False).distinct()
        return with_areas.first() or theirs.first()
    offered = public_partnerships()
    return offered[0] if len(offered) == 1 else None


def public_partnerships() -> list[Partnership]:
    """The partnerships a visitor is offered: those with areas (a board
    with none is reported to, not lived in), or every one if none has."""
    everyone = list(Partnership.objects.all())
    with_areas = list(Partnership.objects.filter(areas__isnull=False).distinct())
    return with_areas or everyone


def published_plan(partnership: Partnership) -> Plan | None:
    """The partnership's newest published plan (None before it has one):
    all a public page may show of its plans, never a draft."""
    return partnership.plans.filter(published=True).first()


def actions_in(plan: Plan, codes: Iterable[str]) -> list[Action]:
    """The plan's actions aimed at any of ``codes`` (an area and the areas
    it lies in): those whose target areas name one, in the plan's order."""
    wanted = set(codes)
    return [a for a in plan_actions(plan) if wanted.intersection(a.target_areas)]


def current_plans(request: Any) -> QuerySet[Plan]:
    """The plans of the partnership the reader is in, newest first."""
    here = current(request)
    return plans(request.user).filter(partnership=here) if here else Plan.objects.none()


def shown_plan(request: Any) -> Plan | None:
    """The plan a reader's dashboard shows: the newest published plan of the
    partnership they are in. A draft is shown only to a reader who may
    edit the plan, and only while none is published (the page names it as
    a draft): starting next year's plan must not switch everyone's
    dashboard to it. None when there is nothing to show."""
    plans = current_plans(request)
    published = plans.filter(published=True).first()
    if published is not None:
        return published
    return plans.first() if _edits_the_plan(request) else None


def newer_draft(request: Any, shown: Plan | None) -> Plan | None:
    """A draft of the reader's partnership newer than the plan ``shown``,
    for a reader who may edit the plan (the dashboard offers it)."""
    if not _edits_the_plan(request):
        return None
    drafts = current_plans(request).filter(published=False)
    if shown is not None:
        drafts = drafts.filter(starts__gt=shown.starts)
    return drafts.first()


def _edits_the_plan(request: Any) -> bool:
    """Whether the reader may edit the plan of the partnership they are in:
    its manager, or one who may change any of its actions."""
    from saferplaces.accounts.permissions import Capability, can

    here = current(request)
    return here is not None and any(
        can(request.user, capability, here.pk)
        for capability in (Capability.MANAGE_PLAN, Capability.EDIT_ANY_ACTION)
    )


def choose(request: Any, slug: str) -> Partnership:
    """Make one of the reader's partnerships the one they are in; one they
    are not in is refused as if it did not exist."""
    from django.core.validators import slug_re
    from django.http import Http404

    # Not a slug (a NUL byte, say) names no partnership, and is never asked
    # of the database, which may refuse to compare it.
    chosen = (
        partnerships(request.user).filter(slug=slug).first()
        if slug_re.fullmatch(slug)
        else None
    )
    if chosen is None:
        raise Http404("None of your partnerships has that name.")
    request.session[SESSION_KEY] = chosen.pk
    request.partnership = chosen
    return chosen


def page_reader(request: Any) -> list[Any]:
    """What of a reader a kept page depends on (settings.PAGE_CACHE_READER):
    their navigation and the partnership they are in."""
    from saferplaces.accounts.permissions import navigation_labels

    here = current(request)
    return [*navigation_labels(request.user), here.pk if here else None]


def own_area(store: Any, partnership: Partnership) -> str:
    """The code of the partnership's whole area: its one area, or the area
    the geography holds whose LSOAs are exactly those of its areas (a
    local authority, or a partnership area loaded from an areas file); ""
    when no one area is its whole."""
    from saferplaces.analytics import geography

    codes = partnership.area_codes()
    if len(codes) <= 1:
        return codes[0] if codes else ""
    wanted = set().union(*geography.lsoas_in_each(store, codes).values())
    for level in WHOLE_LEVELS:
        candidates = [a.code for a in geography.areas_of_level(store, level)]
        for code, lsoas in geography.lsoas_in_each(store, candidates).items():
            if wanted and set(lsoas) == wanted:
                return code
    return ""


# The levels an area of a partnership's whole may have, the likeliest first.
WHOLE_LEVELS = ("partnership", "policing_unit", "local_authority", "district")


def whole_area(store: Any, partnership: Partnership) -> str:
    """The area figures for the whole partnership are given for: its whole
    area, or else its first area ("" if it has none yet)."""
    return own_area(store, partnership) or next(iter(partnership.area_codes()), "")


def home_area(request: Any, store: Any) -> str:
    """The area a person's dashboard opens on: the whole area of the
    partnership they are in (no installation setting names one: issue 29)."""
    here = current(request)
    return whole_area(store, here) if here else ""


def example_place(store: Any, partnership: Partnership) -> str:
    """The place the partnership's public pages suggest: its own choice, or
    the first of its wards ("" if it has none)."""
    if partnership.example_place:
        return partnership.example_place
    wards = picker_areas(store, partnership, ("ward",))
    whole = own_area(store, partnership)
    return next((label for code, label in wards if code != whole), "")


def picker_areas(
    store: Any,
    partnership: Partnership | None,
    levels: tuple[str, ...],
    say_level: bool = False,
) -> list[tuple[str, str]]:
    """(code, label) of what a picker offers: the partnership itself first,
    then the areas of ``levels`` inside its areas (by level, then name),
    never the rest of the country; the council's name is added where two
    share a name, and each area's level if ``say_level``. Kept until the
    next load."""
    if partnership is None:
        return []
    codes = partnership.area_codes()
    key = f"picker:{partnership.name}:{codes}:{levels}:{say_level}"
    return list(
        store.cached(
            key, lambda: _picker_areas(store, partnership, codes, levels, say_level)
        )
    )


def _picker_areas(
    store: Any,
    partnership: Partnership,
    codes: list[str],
    levels: tuple[str, ...],
    say_level: bool,
) -> list[tuple[str, str]]:
    from saferplaces.analytics import geography
    from saferplaces.lib.templatetags.govuk import words

    whole = own_area(store, partnership)
    inside = set().union(*geography.lsoas_in_each(store, codes).values())
    # Without one area for its whole, the partnership's own areas come first.
    offered = {} if whole else {code: geography.area(store, code) for code in codes}
    for level in levels:
        for code, (name, _) in geography.areas_inside(store, level, inside).items():
            offered.setdefault(code, geography.Area(code, name, level))
    offered.pop(whole, None)
    labels = _labels_told_apart(store, list(offered.values()), say_level)
    rank = {level: n for n, level in enumerate(levels)}
    ordered = sorted(
        offered.values(),
        key=lambda a: (a.code not in codes, rank.get(a.level, -1), labels[a.code]),
    )
    found = [
        (
            a.code,
            f"{labels[a.code]} ({words(a.level)})" if say_level else labels[a.code],
        )
        for a in ordered
    ]
    if whole:
        found.insert(0, (whole, f"{partnership.name} (the whole partnership)"))
    return found


def _labels_told_apart(
    store: Any, areas: list[Any], say_level: bool = False
) -> dict[str, str]:
    """Each area's name, with its council's where two areas share a name
    ("Abbey (Leicester)"); where each label will say its level, only two of
    one level need it (a district and a ward both called Selly Oak are told
    apart by their levels)."""
    from collections import Counter

    from saferplaces.analytics import geography

    def alike(area: Any) -> tuple[str, str]:
        return (area.name, area.level if say_level else "")

    repeated = Counter(alike(a) for a in areas)
    labels = {a.code: a.name for a in areas}
    shared = [a for a in areas if repeated[alike(a)] > 1]
    if shared:
        councils = geography.areas_of_level(store, "local_authority")
        lsoas = geography.lsoas_in_each(store, [c.code for c in councils])
        for each in shared:
            mine = set(geography.lsoas_in(store, each.code))
            council = next(
                (c.name for c in councils if mine and mine <= set(lsoas[c.code])),
                None,
            )
            if council:
                labels[each.code] = f"{each.name} ({council})"
    return labels


def not_exact_for(user: Any, store: Any, *codes: str) -> str:
    """Why exact figures of ``codes`` cannot be shown to ``user`` ("" if
    they can): a tasking pack or an assessment counts exactly, so it is for
    areas wholly inside the person's own partnerships."""
    from saferplaces.analytics import geography

    seen = clearance(user)
    outside = [code for code in codes if code and not seen.covers(store, code)]
    if not outside:
        return ""
    names = ", ".join(geography.name_of(store, code) for code in outside)
    return (
        f"{names} is not wholly inside your partnership's areas: its exact "
        "figures are for its own partnership, and its published figures are "
        "on each measure's page."
    )
