"""Dashboard pages: the overview, a measure's page with its chart, areas and
groups, exports, the map, and the public neighbourhood page."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, cast

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from saferplaces.accounts.permissions import Capability, requires
from saferplaces.analytics import cards, geography, results
from saferplaces.analytics.measures import REGISTRY, get_measure
from saferplaces.analytics.measures.series import PERIODS, Period
from saferplaces.analytics.measures.stop_search import (
    SEARCHES,
    SearchDisproportionality,
)
from saferplaces.analytics.store import Store
from saferplaces.dashboard import charts, maps
from saferplaces.dashboard.forms import ChartOptionsForm, NeighbourhoodForm
from saferplaces.lib.downloads import csv_download, xlsx_download
from saferplaces.lib.labels import plural
from saferplaces.lib.pagecache import cached_page, store_revision
from saferplaces.lib.store import publication_rules, web_store
from saferplaces.partnership import scope
from saferplaces.partnership.models import ActionMeasure, Partnership, Plan, Status


def store() -> Store:
    return web_store()


def home_area(request: HttpRequest) -> str:
    return scope.home_area(request, store())


# The areas the overview offers inside the partnership's, largest first.
PICKER_LEVELS = ("policing_unit", "district", "ward")


def seen_by(request: HttpRequest) -> results.Clearance:
    """Where the reader sees exact figures; ``?public=1`` asks for the
    published figures only (as a resident sees them)."""
    if request.GET.get("public"):
        return results.NOWHERE
    return scope.clearance(request.user)


@requires(Capability.USE_SERVICE)
def overview(request: HttpRequest) -> HttpResponse:
    """The plan's outcome measures as cards, grouped by its priorities.

    The page is kept until the next load or the next change to the plan
    (its revision), and for the day (actions fall overdue): a warm page
    costs the sign-in check alone (bench/web.py). The cards are kept apart
    too, for everyone whose plan shows the same measures."""
    code = request.GET.get("area") or home_area(request)
    plan = _plan_for(request)
    plan_revision = (plan.pk, plan.revision) if plan else None
    clearance = seen_by(request)
    return cached_page(
        request,
        (plan_revision, timezone.localdate(), store_revision(), clearance.key()),
        lambda: _overview_page(request, code, plan, clearance),
    )


def _overview_page(
    request: HttpRequest, code: str, plan: Plan | None, clearance: results.Clearance
) -> HttpResponse:
    here = geography.area(store(), code)
    # The partnership itself first, then the areas inside its areas.
    areas = scope.picker_areas(store(), scope.current(request), PICKER_LEVELS)
    if not code:
        return render(request, "dashboard/overview.html", {"no_area": True})
    if not clearance.covers(store(), code):
        # The cards are exact figures: another partnership's area (or a
        # larger one) has its published figures on each measure's page.
        return render(
            request,
            "dashboard/overview.html",
            {"area": here, "areas": areas, "cards": "", "published_only": True,
             "measures": _overview_measures(_plan_view(plan))},
        )  # fmt: skip
    shown = _plan_view(plan)
    key = f"overview:{code}:{hash(shown)}:{clearance.key()}"
    cards = store().cached(key, lambda: _cards_html(code, shown, clearance))
    return render(
        request,
        "dashboard/overview.html",
        {"area": here, "areas": areas, "cards": cards},
    )


def _overview_measures(shown: PlanView) -> list[Any]:
    """The measures the overview would show, once each, in its order."""
    sections, _ = shown
    ids = dict.fromkeys(m for section in sections for m in section.measure_ids)
    return [REGISTRY[measure_id] for measure_id in ids]


def _plan_for(request: HttpRequest) -> Plan | None:
    """The plan asked for (``?plan=``, 404 if not one of the person's
    partnerships'), or the newest of the partnership they are in."""
    plans = scope.plans(request.user)
    slug = request.GET.get("plan")
    if not slug:
        return scope.current_plans(request).first()
    plan = plans.filter(slug=slug).first()
    if plan is None:
        raise Http404("None of your partnerships has a plan with that name.")
    return plan


@dataclass(frozen=True)
class Section:
    title: str
    measure_ids: tuple[str, ...]
    priority: int | None = None
    status: str = ""  # the priority's actions, in words


# The overview's sections, and what the plan wants of each measure.
PlanView = tuple[tuple[Section, ...], tuple[tuple[str, cards.Aim], ...]]


def _plan_view(plan: Plan | None) -> PlanView:
    """The plan's key measures, then each priority's own measures with its
    actions' status; and the plan's aim for each measure it links."""
    key = tuple(plan.key_measures) if plan else tuple(list(REGISTRY)[:6])
    sections = [Section("Key outcome measures", key)]
    aims: dict[str, cards.Aim] = {}
    if plan:
        by_priority: dict[int, set[str]] = {}
        for link in ActionMeasure.objects.filter(action__plan=plan).select_related(
            "action__priority"
        ):
            by_priority.setdefault(link.action.priority.number, set()).add(
                link.measure_id
            )
            if link.direction == ActionMeasure.Direction.WATCH:
                continue  # followed, with no aim either way
            # A target says most, then a size on stated baseline months,
            # then a size, then a direction alone.
            aim = link.aim()
            held = aims.get(link.measure_id)
            if held is None or _says(aim) > _says(held):
                aims[link.measure_id] = aim
        status = _status_by_priority(plan)
        # Every priority has its section, even one whose measures are all
        # key measures or that links none (it then says so).
        for number, title in plan.priorities.values_list("number", "title"):
            ids = tuple(sorted(by_priority.get(number, ())))
            sections.append(
                Section(f"{number}. {title}", ids, number, status.get(number, ""))
            )
    known = tuple(
        replace(s, measure_ids=tuple(m for m in s.measure_ids if m in REGISTRY))
        for s in sections
    )
    return known, tuple(sorted(aims.items()))


def _says(aim: cards.Aim) -> tuple[bool, bool, bool]:
    return aim.target is not None, bool(aim.baseline_months()), bool(aim.size)


def _status_by_priority(plan: Plan) -> dict[int, str]:
    """Each priority's actions in words: "8 actions: 5 on track, 1 overdue"."""
    from saferplaces.partnership.progress import by_priority, plan_actions

    words = {}
    for number, summary in zip(
        plan.priorities.values_list("number", flat=True),
        by_priority(plan, plan_actions(plan)),
        strict=True,
    ):
        counts = [
            f"{n} {label.lower()}"
            for status, label in Status.choices
            if (n := summary.by_status[status])
        ]
        if summary.overdue:
            counts.append(f"{summary.overdue} overdue")
        actions = plural(summary.total, "action")
        words[number] = f"{summary.total} {actions}: {', '.join(counts)}"
    return words


def _cards_html(code: str, shown: PlanView, clearance: results.Clearance) -> str:
    sections, aims = shown
    wants = dict(aims)
    filled = []
    for section in sections:
        # A fuller measure stands in where its data is loaded (the local
        # extract's recorded crime for police.uk's), keeping the plan's aim.
        shown_ids: dict[str, cards.Aim | None] = {}
        for measure_id in section.measure_ids:
            better = results.preferred(store(), measure_id)
            shown_ids.setdefault(better, wants.get(measure_id) or wants.get(better))
        section_cards = []
        withheld = []
        for measure_id, aim in shown_ids.items():
            try:
                section_cards.append(
                    results.card(store(), measure_id, code, aim, clearance=clearance)
                )
            except results.ResultError:
                # A case-derived measure without the case-counting permission.
                withheld.append(REGISTRY[measure_id])
        filled.append((section, section_cards, withheld))
    return render_to_string(
        "dashboard/_cards.html", {"sections": filled, "area_code": code}
    )


def _options(request: HttpRequest, measure_id: str) -> tuple[Any, str, Period]:
    if measure_id not in REGISTRY:
        raise Http404("No such measure.")
    by = request.GET.get("by", "month")
    if by not in PERIODS:
        by = "month"
    measure = get_measure(measure_id)
    return (
        measure,
        request.GET.get("area") or _opening_area(request, measure),
        cast(Period, by),
    )


def _opening_area(request: HttpRequest, measure: Any) -> str:
    """The reader's home area; for a measure counted for whole forces only
    (stop and search), the first force with records loaded."""
    if measure.counted_at == "force":
        forces = results.forces(store(), measure.id)
        if forces:
            return forces[0]
    return home_area(request)


@requires(Capability.USE_SERVICE)
def measure_page(request: HttpRequest, measure_id: str) -> HttpResponse:
    """Kept until the next load (or a change to the plan's target on it)."""
    planned = _planned_target(request, measure_id)
    target = (planned.pk, planned.aim()) if planned else None
    clearance = seen_by(request)
    return cached_page(
        request,
        (store_revision(), target, clearance.key()),
        lambda: _measure_page(request, measure_id, planned, clearance),
    )


def _measure_page(
    request: HttpRequest,
    measure_id: str,
    planned: ActionMeasure | None,
    clearance: results.Clearance,
) -> HttpResponse:
    measure, code, by = _options(request, measure_id)
    rules = publication_rules()
    here = geography.area(store(), code)
    context: dict[str, Any] = {
        "measure": measure,
        "area": here,
        "by": by,
        "periods": [(p, charts.PERIOD_WORDS[p]) for p in PERIODS],
        "children": geography.children(store(), code),
        "parent": geography.parent(store(), code),
        "freshness": cards.freshness(store(), measure.table),
        "problem": None,
        "comparison": None,
    }
    options = context["chart_form"] = ChartOptionsForm(request.GET, measure.unit)
    target, rebase = options.asked_target, options.asked_rebase
    asked = target is not None or request.GET.get("target")
    if planned is not None and not asked and by == "month":
        # The plan's own target for this measure, kept on its action or
        # worked out from its size of change on its baseline months.
        target = _planned_value(planned, code, clearance)
        if target is not None:
            context["planned_target"], context["planned_value"] = planned, target
    try:
        answer = results.series(store(), measure.id, code, by=by,
                                audience=clearance, rules=rules)  # fmt: skip
        points = answer.rows
        context["points"] = points
        context["published"] = _why_published(answer, clearance, code)
        context["publication_notes"] = answer.notes
        context["coverage"] = answer.coverage
        context["partial"] = [p.period for p in points if p.partial]
        if by != "rolling12" and len(points) >= 2:
            rebase = options.check_rebase([p.period for p in points])
            chart = results.chart(
                store(), measure.id, code, by=by, target=target,
                rebase_at=[rebase] if rebase else [], audience=clearance,
                rules=rules,
            )  # fmt: skip
            context["chart"] = chart
            period = charts.PERIOD_WORDS[by].lower()
            title = f"{measure.title}, {here.name}, by {period}"
            context["spec"] = charts.spc_spec(chart, title, measure.unit, by=by)
            context["chart_query"] = urlencode(
                {"area": code, "by": by, "target": str(target or ""), "rebase": rebase}
            )
    except results.ResultError as error:
        context["problem"] = str(error)
    latest = results.latest_year(store(), measure.id, code, clearance)
    if context["parent"] and context.get("points") and latest:
        context["comparison"] = _comparison(
            measure.id, here, context["parent"], latest, clearance
        )
    context["groups"] = _groups(measure, code, clearance)
    context["disproportion"] = _disproportion(measure, code, latest, clearance)
    context["search_rates"] = _search_rates(measure, code, latest)
    context["deprivation"], context["deprivation_refused"] = _deprivation(
        measure, code, clearance
    )
    return render(
        request,
        "dashboard/measure.html",
        context,
        status=400 if options.errors else 200,
    )


def _why_published(
    answer: results.Result, clearance: results.Clearance, code: str
) -> str:
    """Why the reader sees published figures here ("" if exact): the area
    is not their partnership's, or the measure counts cases."""
    if answer.audience == "partner":
        return ""
    if answer.audience == "counted":
        return "counted"
    return "own-cases" if clearance.covers(store(), code) else "elsewhere"


def _planned_target(request: HttpRequest, measure_id: str) -> ActionMeasure | None:
    """The target the person's plan sets on this measure (the first action
    linking it with one), if any."""
    plan = scope.current_plans(request).first()
    if plan is None:
        return None
    return (
        ActionMeasure.objects.filter(action__plan=plan, measure_id=measure_id)
        .filter(Q(target__isnull=False) | ~Q(size=""))
        .select_related("action")
        .order_by("action__id")
        .first()
    )


def _planned_value(
    planned: ActionMeasure, code: str, clearance: results.Clearance
) -> float | None:
    """The target set, or the one its size of change gives on the area's
    baseline months (exact figures, so only where the person sees them)."""
    if planned.target is not None:
        return planned.target
    try:
        aim = planned.aim()
        return results.card(store(), planned.measure_id, code, aim,
                            clearance=clearance).target  # fmt: skip
    except results.ResultError:
        return None  # no exact figures here (or no data): no target drawn


def _disproportion(
    measure: Any, code: str, latest: str | None, clearance: results.Clearance
) -> list[tuple[str, list[Any]]]:
    """Each group's share of events against its share of residents."""
    from saferplaces.analytics.measures.groups import POPULATION_COLUMNS

    found = []
    for group in measure.groups:
        if group not in POPULATION_COLUMNS or latest is None:
            continue
        try:
            shares = results.disproportion(
                store(), measure.id, code, group, latest, audience=clearance,
                rules=publication_rules(),
            )  # fmt: skip
        except results.ResultError:
            continue  # no population by this group for the area: no table
        found.append((group, shares))
    return found


def _search_rates(
    measure: Any, code: str, latest: str | None
) -> SearchDisproportionality | str | None:
    """Searches per 1,000 residents of each ethnic group against the White
    group's (the searches' own measure, for a force); where that cannot be
    worked out, why, in words (no residents loaded for the force's area)."""
    if measure.id != SEARCHES or latest is None:
        return None
    try:
        return results.search_disproportion(store(), code, latest)
    except results.ResultError as error:
        return str(error)


def _deprivation(
    measure: Any, code: str, clearance: results.Clearance
) -> tuple[results.Result | None, str]:
    """The latest financial year by IMD decile, or why it is not shown
    (nothing for measures that are not counts)."""
    if measure.kind != "count":
        return None, ""
    try:
        return results.by_deprivation(
            store(), measure.id, code, audience=clearance, rules=publication_rules()
        ), ""
    except results.ResultError as refused:
        return None, str(refused)


def _comparison(
    measure_id: str,
    here: geography.Area,
    parent: geography.Area,
    year: str,
    clearance: results.Clearance,
) -> list[results.Row] | None:
    try:
        rows = results.comparison(
            store(), measure_id, here.level, parent.code, year, audience=clearance,
            rules=publication_rules(),
        ).rows  # fmt: skip
    except results.ResultError:
        return None  # e.g. the parent has no areas of this level loaded
    # An area alone at its level ("lowest of 1 partnerships") compares with
    # nothing: its drill-down lists the areas inside it instead.
    return rows if len(rows) > 1 else None


def _groups(
    measure: Any, code: str, clearance: results.Clearance
) -> list[tuple[str, list[Any]]]:
    """The latest financial year broken down by each group the measure offers."""
    breakdowns = []
    for group in measure.groups:
        try:
            rows = results.breakdown(
                store(), measure.id, code, group, audience=clearance,
                rules=publication_rules(),
            ).rows  # fmt: skip
        except results.ResultError:
            continue
        if rows:
            breakdowns.append((group, rows))
    return breakdowns


@requires(Capability.USE_SERVICE)
def measure_export(request: HttpRequest, measure_id: str, kind: str) -> HttpResponse:
    """A table of the measure's page (the series, the comparison of areas
    or a group breakdown) as CSV or XLSX, with a metadata block."""
    if kind not in ("csv", "xlsx"):
        raise Http404("Tables download as CSV or XLSX.")
    measure, code, by = _options(request, measure_id)
    table = request.GET.get("table", "series")
    try:
        answer = _export_table(measure, code, by, table, request.GET.get("level"),
                               seen_by(request))  # fmt: skip
    except results.ResultError as error:
        raise Http404(str(error)) from None
    metadata = _metadata(measure, code, f"{by}, {table}", answer)
    rows = [row.as_dict() for row in answer.rows]
    columns = list(rows[0]) if rows else []
    values = [[row[c] for c in columns] for row in rows]
    name = f"{measure.id}-{code}-{by}-{table}.{kind}"
    if kind == "csv":
        return csv_download(name, columns, values, comments=metadata)
    return xlsx_download(name, [("Data", columns, values), ("About", [], metadata)])


def _export_table(
    measure: Any,
    code: str,
    by: Period,
    table: str,
    level: str | None,
    audience: results.Clearance,
) -> results.Result:
    """The rows of one of the page's tables, for partners or as published."""
    rules = publication_rules()
    if table == "series":
        return results.series(store(), measure.id, code, by=by, audience=audience,
                              rules=rules)  # fmt: skip
    if table == "areas":
        # The areas of the page's comparison, or (for the map) of a level.
        latest = results.latest_year(store(), measure.id, code, audience) or ""
        if not level:
            parent = geography.parent(store(), code)
            if parent is None:
                name = geography.area(store(), code).name
                raise results.ResultError(
                    f"{name} has no parent area to compare within."
                )
            level, code = geography.area(store(), code).level, parent.code
        return results.comparison(store(), measure.id, level, code, latest,
                                  audience=audience, rules=rules)  # fmt: skip
    if table == "deprivation":
        return results.by_deprivation(store(), measure.id, code, audience=audience,
                                      rules=rules)  # fmt: skip
    if table in measure.groups:
        return results.series(store(), measure.id, code, by=by, group=table,
                              audience=audience, rules=rules)  # fmt: skip
    raise results.ResultError(f"There is no table {table!r} on this page.")


def _metadata(
    measure: Any, code: str, by: str, answer: results.Result
) -> list[tuple[str, str]]:
    fresh = cards.freshness(store(), measure.table)
    return [
        ("measure", f"{measure.title} ({measure.id})"),
        ("definition", measure.definition),
        ("unit", measure.unit),
        ("area", f"{geography.area(store(), code).name} ({code})"),
        ("period", by),
        ("publication", " ".join(answer.notes)),
        # What the figures cannot count, which force's files they hold.
        *[("coverage", sentence) for sentence in answer.coverage],
        ("source", measure.source),
        (
            "loaded",
            f"load {fresh['number']} at {fresh['at']:%Y-%m-%d %H:%M} UTC"
            if fresh
            else "",
        ),
        ("generated", f"{timezone.now():%Y-%m-%d %H:%M} UTC by saferplaces"),
    ]


CHART_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


@requires(Capability.USE_SERVICE)
def measure_chart_image(
    request: HttpRequest, measure_id: str, kind: str
) -> HttpResponse:
    """The measure page's SPC chart drawn on the server (the same Vega-Lite
    specification the page draws in the browser): the page's picture with
    scripts off, the cards' small charts (``compact=1``) and downloads."""
    if kind not in CHART_TYPES:
        raise Http404("Charts are SVG or PNG.")
    measure, code, by = _options(request, measure_id)
    if by == "rolling12":
        by = "month"
    options = ChartOptionsForm(request.GET, measure.unit)
    target, rebase = options.asked_target, options.asked_rebase
    compact = bool(request.GET.get("compact"))
    if options.errors:
        raise Http404(next(iter(options.errors.values()))[0])

    clearance = seen_by(request)
    rules = publication_rules()

    def draw() -> bytes:
        first = None
        if compact:  # a card: the last 24 months
            months = results.series(store(), measure.id, code, by=by,
                                    audience=clearance, rules=rules).rows  # fmt: skip
            first = months[-24:][0].period if months else None
        chart = results.chart(
            store(), measure.id, code, by=by, target=target, first=first,
            rebase_at=[rebase] if rebase else [], audience=clearance, rules=rules,
        )  # fmt: skip
        title = f"{measure.title}, {geography.area(store(), code).name}, by {by}"
        spec = charts.spc_spec(chart, title, measure.unit, by=by, compact=compact)
        return charts.to_png(spec) if kind == "png" else charts.to_svg(spec).encode()

    key = (
        f"{measure.id}:{code}:{by}:{compact}:{kind}:{target}:{rebase}:{clearance.key()}"
    )
    try:
        image = store().cached(f"chart:{key}", draw)
    except results.ResultError as error:
        raise Http404(str(error)) from None
    response = HttpResponse(image, content_type=CHART_TYPES[kind])
    response["Cache-Control"] = "private, max-age=300"
    if request.GET.get("download"):
        response["Content-Disposition"] = (
            f'attachment; filename="{measure.id}-{code}-{by}.{kind}"'
        )
    return response


def _map_options(request: HttpRequest) -> tuple[str, str, str]:
    """(measure id, "ward" or "lsoa", the area shown) from the query."""
    measure_id = request.GET.get("measure", "total-recorded-crime-rate")
    if measure_id not in REGISTRY:
        raise Http404("No such measure.")
    level = "lsoa" if request.GET.get("level") == "lsoa" else "ward"
    return measure_id, level, request.GET.get("within") or home_area(request)


@requires(Capability.USE_SERVICE)
def map_page(request: HttpRequest) -> HttpResponse:
    measure_id, level, within = _map_options(request)
    by_decile = request.GET.get("shade") == "imd"
    return render(
        request,
        "dashboard/map.html",
        {
            "measure": get_measure(measure_id),
            "level": level,
            "within": geography.area(store(), within),
            "shade": "imd" if by_decile else "measure",
            "decile_map": (
                maps.decile_map(store(), measure_id, level, within)
                if by_decile
                else None
            ),
            # Shaded by decile, the measure's own map is not drawn.
            "map": None
            if by_decile
            else maps.choropleth(
                store(),
                measure_id,
                level,
                within,
                seen_by(request),
                publication_rules(),
            ),
            "measures": sorted(REGISTRY.values(), key=lambda m: m.title),
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        },
    )


@requires(Capability.USE_SERVICE)
def map_geojson(request: HttpRequest) -> JsonResponse:
    """The map's areas for the interactive map (same figures as the page)."""
    measure_id, level, within = _map_options(request)
    return JsonResponse(
        maps.geojson(
            store(), measure_id, level, within, seen_by(request), publication_rules()
        )
    )


def _partnership_at(request: HttpRequest, slug: str) -> Partnership:
    """The partnership a public page's address names (404 if none): the
    page shows its name, its place and only its areas."""
    partnership = Partnership.objects.filter(slug=slug).first()
    if partnership is None:
        raise Http404("No partnership has that address.")
    request.partnership = partnership  # type: ignore[attr-defined]
    return partnership


def _public_areas(partnership: Partnership) -> list[tuple[str, str]]:
    """The partnership itself, then its wards: what a resident chooses from."""
    return scope.picker_areas(store(), partnership, ("ward",))


def neighbourhood(request: HttpRequest, slug: str) -> HttpResponse:
    """A resident chooses one of the partnership's wards, or types its name
    or their postcode (no sign-in needed)."""
    partnership = _partnership_at(request, slug)
    areas = _public_areas(partnership)
    form = NeighbourhoodForm(
        request.GET,
        areas,
        example_postcode=geography.example_postcode(store()),
        example_place=scope.example_place(store(), partnership),
    )
    context: dict[str, Any] = {"form": form, "place": request.GET.get("place", "")}
    if not form.is_valid():
        return render(request, TEMPLATE_CHOOSE, context, status=400)
    chosen, typed = form.cleaned_data["ward"], form.cleaned_data["place"]
    if chosen:
        return _to_area(slug, chosen)
    if typed and form.is_postcode():
        return _postcode(request, slug, areas, typed, context)
    if typed:
        found = [(c, n) for c, n in areas if typed.casefold() in n.casefold()]
        if len(found) == 1:
            return _to_area(slug, found[0][0])
        if not found:
            form.add_error(
                "place",
                f"No ward is called {typed}. Check the spelling, or "
                "choose your ward from the list.",
            )
            return render(request, TEMPLATE_CHOOSE, context, status=400)
        context["matches"] = found
    return render(request, TEMPLATE_CHOOSE, context)


def _to_area(slug: str, code: str) -> HttpResponse:
    return redirect("dashboard:neighbourhood_ward", slug=slug, code=code)


def _postcode(
    request: HttpRequest,
    slug: str,
    areas: list[tuple[str, str]],
    typed: str,
    context: dict[str, Any],
) -> HttpResponse:
    """A postcode goes to its ward, from the postcode directory loaded."""
    place = geography.postcode_place(store(), typed)
    ours = (
        place is not None
        and place.ward is not None
        and (place.ward.code in dict(areas))
    )
    if ours and place is not None and place.ward is not None:
        return _to_area(slug, place.ward.code)
    shown = typed.upper()
    if "postcodes" not in store().tables():
        message = (
            "Postcodes cannot be looked up here: no postcode directory is "
            "loaded. Type the name of your area, or choose your ward."
        )
    elif place is None:
        message = (
            f"We could not find the postcode {shown}. Check it, or type the "
            "name of your area, or choose your ward from the list."
        )
    else:
        message = (
            f"The postcode {shown} is outside the areas this partnership "
            "covers. Choose your ward from the list if you live here."
        )
    context["form"].add_error("place", message)
    return render(request, TEMPLATE_CHOOSE, context, status=400)


TEMPLATE_CHOOSE = "dashboard/neighbourhood_choose.html"


def neighbourhood_ward(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """Published measures for one of the partnership's wards (or the whole
    partnership), in plain language, as the public sees them (the measures
    the registry puts on the resident page); kept until the next load or a
    change to the partnership's areas."""
    partnership = _partnership_at(request, slug)
    revision = (store_revision(), partnership.name, tuple(partnership.area_codes()))
    return cached_page(
        request, revision, lambda: _neighbourhood_ward(request, partnership, code)
    )


def _neighbourhood_ward(
    request: HttpRequest, partnership: Partnership, code: str
) -> HttpResponse:
    areas = dict(_public_areas(partnership))
    if code not in areas:
        raise Http404("This partnership has no such ward.")
    whole = code == scope.own_area(store(), partnership)
    shown = []
    for measure in results.resident_measures():
        try:
            answer = results.series(
                store(), measure.id, code, by="year", audience="public",
                rules=publication_rules(),
            )  # fmt: skip
        except results.ResultError:
            continue  # not loaded, or not published for wards
        if answer.rows:
            notes = [*answer.notes, *answer.coverage]
            shown.append((measure, answer.rows[-2:], notes))
    name = partnership.name if whole else areas[code]
    return render(
        request,
        "dashboard/neighbourhood.html",
        {"ward": geography.Area(code, name, "partnership" if whole else "ward"),
         "whole": whole, "results": shown, "deprivation": _deprived(code)},
    )  # fmt: skip


def any_neighbourhood(request: HttpRequest, code: str = "") -> HttpResponse:
    """The addresses before partnerships had their own: the only
    partnership's page, or (with several, or none) a list of them."""
    everyone = scope.public_partnerships()
    if len(everyone) == 1:
        slug = everyone[0].slug
        if code:
            return _to_area(slug, code)
        target = reverse("dashboard:neighbourhood", kwargs={"slug": slug})
        query = request.GET.urlencode()
        return redirect(f"{target}?{query}" if query else target)
    return render(
        request,
        "dashboard/neighbourhood_which.html",
        {"partnerships": everyone},
        status=404,
    )


def _deprived(code: str) -> str:
    """The ward's IMD decile in words ("" before an index is loaded)."""
    if "deprivation" not in store().tables():
        return ""
    try:
        return results.area_deprivation(store(), code).words
    except results.ResultError:
        return ""  # no index for the ward's nation is loaded
