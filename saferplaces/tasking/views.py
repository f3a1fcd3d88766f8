"""The tasking pack page: choose an area and months, read the pack."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from saferplaces.accounts.permissions import Capability, can, requires
from saferplaces.analytics import geography, tasking
from saferplaces.analytics.hotspot_report import HotspotError
from saferplaces.analytics.measures.registry import POLICE_UK
from saferplaces.lib.pagecache import cached_page, store_revision
from saferplaces.lib.store import web_store
from saferplaces.partnership import scope
from saferplaces.partnership.models import FINISHED, Action
from saferplaces.tasking.forms import PackChooserForm

# The areas a tasking group covers, in the order they are offered.
LEVELS = ("district", "ward", "policing_unit")


def _areas(request: HttpRequest) -> list[tuple[str, str]]:
    """The areas a pack may be made for: the partnership the person is in,
    then the areas inside its areas (a pack counts exactly, over any run of
    months, so only for the person's own)."""
    here = scope.current(request)
    return scope.picker_areas(web_store(), here, LEVELS, say_level=True)


def _latest_year() -> tuple[str, str]:
    """The last 12 months the store's street crime covers."""
    months = web_store().months("street_crime") if _has("street_crime") else []
    if not months:
        raise Http404("No street crime is loaded yet.")
    return months[max(0, len(months) - 12)], months[-1]


def _months(request: HttpRequest) -> tuple[str, str]:
    """The months asked for (``from``, ``to``), the last year by default."""
    default_first, default_last = _latest_year()
    return (
        request.GET.get("from") or default_first,
        request.GET.get("to") or default_last,
    )


def _has(table: str) -> bool:
    return table in web_store().tables()


@requires(Capability.USE_SERVICE)
def choose(request: HttpRequest) -> HttpResponse:
    """An area and a run of months; the last year by default."""
    areas = _areas(request)
    form = PackChooserForm(request.GET, areas)
    code = request.GET.get("area", "")
    if code:
        if not form.is_valid():
            return render(request, TEMPLATE_CHOOSE, {"form": form}, status=400)
        query = request.GET.copy()
        query.pop("area")
        suffix = f"?{query.urlencode()}" if query else ""
        return redirect(reverse("tasking:pack", kwargs={"code": code}) + suffix)
    return render(request, TEMPLATE_CHOOSE, {"form": PackChooserForm(None, areas)})


TEMPLATE_CHOOSE = "tasking/choose.html"


@requires(Capability.USE_SERVICE)
def pack_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The pack to print or send round before the meeting (WeasyPrint):
    contents with page numbers, the map and every table, and the load the
    figures are as of."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    first, last = _months(request)
    refused = scope.not_exact_for(request.user, web_store(), code)
    if refused:
        raise Http404(refused)
    try:
        pack = tasking.pack(web_store(), code, first, last)
    except HotspotError as error:
        raise Http404(str(error)) from None
    html = render_to_string(
        "tasking/pack_pdf.html",
        {
            "pack": pack,
            "actions": _actions(request, code),
            "load": _load(),
            # Built from numbers, with its one text escaped (cells_svg).
            "map": mark_safe(tasking.cells_svg(pack)),
        },
        request=request,
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="tasking-pack-{code}-{first}-to-{last}.pdf"'
    )
    return response


@requires(Capability.USE_SERVICE)
def pack_geojson(request: HttpRequest, code: str) -> JsonResponse:
    """The pack's cells for its Leaflet map (the same figures as its tables)."""
    first, last = _months(request)
    refused = scope.not_exact_for(request.user, web_store(), code)
    if refused:
        return JsonResponse({"detail": refused}, status=404)
    try:
        cells = tasking.area_cells(web_store(), code, first, last)
    except HotspotError as error:
        return JsonResponse({"detail": str(error)}, status=400)
    new = reverse("tasking:problem_new")
    href = f"{new}?area={code}&source=street-crime"
    wards = tasking.ward_outlines(web_store(), code)
    return JsonResponse(tasking.cells_geojson(cells, href, wards))


# Said on the chooser, where the pack would otherwise be a bare "not found".
NO_STREET_CRIME = (
    f"No street crime is loaded yet: a pack needs it. Load {POLICE_UK} first."
)


@requires(Capability.USE_SERVICE)
def pack_page(request: HttpRequest, code: str) -> HttpResponse:
    if not _has("street_crime"):
        return _choose_again(request, NO_STREET_CRIME, "", "")
    first, last = _months(request)
    plans = tuple(scope.plans(request.user).values_list("pk", "revision"))
    may_solve = can(request.user, Capability.SOLVE_PROBLEMS)
    revision = (store_revision(), plans, may_solve, scope.clearance(request.user).key())
    return cached_page(request, revision, lambda: _pack(request, code, first, last))


def _pack(request: HttpRequest, code: str, first: str, last: str) -> HttpResponse:
    try:
        refused = scope.not_exact_for(request.user, web_store(), code)
        if refused:
            raise HotspotError(refused)
        pack = tasking.pack(web_store(), code, first, last)
    except HotspotError as error:
        return _choose_again(request, str(error), first, last)
    return render(
        request,
        "tasking/pack.html",
        {
            "pack": pack,
            "actions": _actions(request, code),
            "load": _load(),
            "may_solve": can(request.user, Capability.SOLVE_PROBLEMS),
            # Built from numbers, with its texts escaped (cells_svg).
            "map": mark_safe(tasking.cells_svg(pack, fluid=True)),
        },
    )


def _choose_again(
    request: HttpRequest, refusal: str, first: str, last: str
) -> HttpResponse:
    """The chooser again, saying why this pack cannot be drawn."""
    form = PackChooserForm({"from": first, "to": last}, _areas(request))
    form.add_error("area", refusal)
    return render(request, TEMPLATE_CHOOSE, {"form": form}, status=400)


def _actions(request: HttpRequest, code: str) -> list[Action]:
    """Open actions of the person's plans aimed at the area, at a part of
    it, or at an area it lies in."""
    store = web_store()
    related = set(geography.codes_within(store, code))
    above = geography.parent(store, code)
    while above is not None and above.code not in related:
        related.add(above.code)
        above = geography.parent(store, above.code)
    actions = scope.actions(request.user).select_related("plan", "group")
    return [
        action
        for action in actions.exclude(status__in=FINISHED)
        if related & set(action.target_areas)
    ]


def _load() -> Any:
    """The analytic store's newest load: the pack's figures are as of it."""
    loads = web_store().loads()
    return loads[-1] if loads else None
