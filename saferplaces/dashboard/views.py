"""Dashboard pages: the overview, a measure's page with its chart, areas and
groups, exports, the map, and the public neighbourhood page."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import urlencode

from saferplaces.accounts.permissions import Capability, requires
from saferplaces.analytics import geography
from saferplaces.analytics.measures import REGISTRY, get_measure, measure_series
from saferplaces.analytics.measures.areas import compare_areas
from saferplaces.analytics.measures.series import PERIODS, Period, measure_chart
from saferplaces.analytics.publish import public_comparison, public_series
from saferplaces.analytics.store import Store, StoreError
from saferplaces.dashboard import charts, data, maps
from saferplaces.partnership.models import ActionMeasure, Plan, Status
from saferplaces.web.downloads import csv_download, xlsx_download
from saferplaces.web.store import web_store


def store() -> Store:
    return web_store()


def home_area() -> str:
    return str(settings.DASHBOARD_AREA)


@requires(Capability.USE_SERVICE)
def overview(request: HttpRequest) -> HttpResponse:
    """The plan's outcome measures as cards, grouped by its priorities.

    The cards' HTML is kept until the next load (or a change to which
    measures the plan links, seen within 10 seconds), so a warm page costs
    the sign-in check and the page around it (bench/web.py)."""
    code = request.GET.get("area") or home_area()
    shown: PlanView = cache.get_or_set(
        "dashboard:plan", lambda: _plan_view(Plan.objects.first()), timeout=10
    ) or _plan_view(Plan.objects.first())
    key = f"overview:{code}:{hash(shown)}"
    cards = store().cached(key, lambda: _cards_html(code, shown))
    return render(
        request,
        "dashboard/overview.html",
        {"area": geography.area(store(), code), "cards": cards},
    )


@dataclass(frozen=True)
class Section:
    title: str
    measure_ids: tuple[str, ...]
    priority: int | None = None
    status: str = ""  # the priority's actions, in words


# The overview's sections, and what the plan wants of each measure.
PlanView = tuple[tuple[Section, ...], tuple[tuple[str, data.Aim], ...]]


def _plan_view(plan: Plan | None) -> PlanView:
    """The plan's key measures, then each priority's own measures with its
    actions' status; and the plan's aim for each measure it links."""
    key = tuple(plan.key_measures) if plan else tuple(list(REGISTRY)[:6])
    sections = [Section("Key outcome measures", key)]
    aims: dict[str, data.Aim] = {}
    if plan:
        by_priority: dict[tuple[int, str], set[str]] = {}
        for link in ActionMeasure.objects.filter(action__plan=plan).select_related(
            "action__priority"
        ):
            priority = link.action.priority
            ids = by_priority.setdefault((priority.number, priority.title), set())
            ids.add(link.measure_id)
            if link.size or link.measure_id not in aims:  # a size says more
                aims[link.measure_id] = data.Aim(link.direction, link.size)
        status = _status_by_priority(plan)
        for (number, title), ids in sorted(by_priority.items()):
            extra = tuple(sorted(ids - set(key)))
            if extra:
                sections.append(
                    Section(f"{number}. {title}", extra, number, status.get(number, ""))
                )
    known = tuple(
        replace(s, measure_ids=tuple(m for m in s.measure_ids if m in REGISTRY))
        for s in sections
    )
    return known, tuple(sorted(aims.items()))


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
        words[number] = f"{summary.total} actions: {', '.join(counts)}"
    return words


def _cards_html(code: str, shown: PlanView) -> str:
    sections, aims = shown
    wants = dict(aims)
    filled = []
    for section in sections:
        cards = [
            data.card(store(), measure_id, code, wants.get(measure_id))
            for measure_id in section.measure_ids
        ]
        filled.append((section, cards))
    return render_to_string(
        "dashboard/_cards.html", {"sections": filled, "area_code": code}
    )


def _options(request: HttpRequest, measure_id: str) -> tuple[Any, str, Period]:
    if measure_id not in REGISTRY:
        raise Http404("No such measure.")
    by = request.GET.get("by", "month")
    if by not in PERIODS:
        by = "month"
    return (
        get_measure(measure_id),
        request.GET.get("area") or home_area(),
        cast(Period, by),
    )


@requires(Capability.USE_SERVICE)
def measure_page(request: HttpRequest, measure_id: str) -> HttpResponse:
    measure, code, by = _options(request, measure_id)
    here = geography.area(store(), code)
    context: dict[str, Any] = {
        "measure": measure,
        "area": here,
        "by": by,
        "periods": [(p, charts.PERIOD_WORDS[p]) for p in PERIODS],
        "children": geography.children(store(), code),
        "parent": geography.parent(store(), code),
        "freshness": data.freshness(store(), measure.table),
        "problem": None,
        "comparison": None,
    }
    target, rebase, context["chart_errors"] = _chart_options(request)
    context.update(target=request.GET.get("target", ""), rebase=rebase)
    try:
        points = measure_series(store(), measure.id, code, by=by)
        context["points"] = points
        if by != "rolling12" and len(points) >= 2:
            known = {p.period for p in points}
            if rebase and rebase not in known:
                context["chart_errors"].append(
                    f"Rebase at one of the periods shown, such as {points[0].period}."
                )
                rebase = ""
            chart = measure_chart(
                store(), measure.id, code, by=by, target=target,
                rebase_at=[rebase] if rebase else [],
            )  # fmt: skip
            context["chart"] = chart
            period = charts.PERIOD_WORDS[by].lower()
            title = f"{measure.title}, {here.name}, by {period}"
            context["spec"] = charts.spc_spec(chart, title, measure.unit, by=by)
            context["chart_query"] = urlencode(
                {"area": code, "by": by, "target": str(target or ""), "rebase": rebase}
            )
    except (StoreError, ValueError) as error:
        context["problem"] = str(error)
    latest = _latest_year(measure.id, code)
    if context["parent"] and context.get("points") and latest:
        context["comparison"] = _comparison(measure.id, here, context["parent"], latest)
    context["groups"] = _groups(measure, code)
    context["disproportion"] = _disproportion(measure, code, latest)
    return render(
        request,
        "dashboard/measure.html",
        context,
        status=400 if context["chart_errors"] else 200,
    )


def _disproportion(
    measure: Any, code: str, latest: str | None
) -> list[tuple[str, list[Any]]]:
    """Each group's share of events against its share of residents."""
    from saferplaces.analytics.measures.groups import (
        POPULATION_COLUMNS,
        disproportionality,
    )

    found = []
    for group in measure.groups:
        if group not in POPULATION_COLUMNS or latest is None:
            continue
        try:
            shares = disproportionality(store(), measure.id, code, group, latest)
        except (StoreError, ValueError):
            continue
        found.append((group, shares))
    return found


def _chart_options(request: HttpRequest) -> tuple[float | None, str, list[str]]:
    """(target, rebase period, errors) from the page's chart form."""
    errors = []
    target = None
    typed = request.GET.get("target", "").strip()
    if typed:
        try:
            target = float(typed.replace(",", ""))
        except ValueError:
            errors.append("Enter the target as a number, like 70 or 12.5.")
    return target, request.GET.get("rebase", "").strip(), errors


def _comparison(
    measure_id: str, here: geography.Area, parent: geography.Area, year: str
) -> Any:
    try:
        return compare_areas(store(), measure_id, here.level, parent.code, year)
    except (StoreError, ValueError):
        return None


def _latest_year(measure_id: str, code: str) -> str | None:
    """The latest financial year with figures: what the page's comparison,
    breakdowns and disproportion tables describe."""
    try:
        years = measure_series(store(), measure_id, code, by="year")
    except (StoreError, ValueError):
        return None
    return years[-1].period if years else None


def _groups(measure: Any, code: str) -> list[tuple[str, list[Any]]]:
    """The latest financial year broken down by each group the measure offers."""
    breakdowns = []
    for group in measure.groups:
        try:
            points = measure_series(store(), measure.id, code, by="year", group=group)
        except (StoreError, ValueError):
            continue
        if points:
            latest = max(p.period for p in points)
            breakdowns.append((group, [p for p in points if p.period == latest]))
    return breakdowns


@requires(Capability.USE_SERVICE)
def measure_export(request: HttpRequest, measure_id: str, kind: str) -> HttpResponse:
    """A table of the measure's page (the series, the comparison of areas
    or a group breakdown) as CSV or XLSX, with a metadata block."""
    if kind not in ("csv", "xlsx"):
        raise Http404("Tables download as CSV or XLSX.")
    measure, code, by = _options(request, measure_id)
    table = request.GET.get("table", "series")
    public = bool(request.GET.get("public"))
    try:
        rows = _export_table(measure, code, by, table, request.GET.get("level"))
    except (StoreError, ValueError) as error:
        raise Http404(str(error)) from None
    if public and table == "areas":
        rows = public_comparison([r.as_row() for r in rows], measure.id)
    elif public:  # the series, or a group breakdown (also series points)
        rows = public_series(rows)
    else:
        rows = [r.as_row() if hasattr(r, "as_row") else r.__dict__ for r in rows]
    metadata = _metadata(measure, code, f"{by}, {table}", public)
    columns = list(rows[0]) if rows else []
    values = [[row[c] for c in columns] for row in rows]
    name = f"{measure.id}-{code}-{by}-{table}.{kind}"
    if kind == "csv":
        return csv_download(name, columns, values, comments=metadata)
    return xlsx_download(name, [("Data", columns, values), ("About", [], metadata)])


def _export_table(
    measure: Any, code: str, by: Period, table: str, level: str | None
) -> list[Any]:
    """The rows of one of the page's tables."""
    if table == "series":
        return measure_series(store(), measure.id, code, by=by)
    if table == "areas":
        # The areas of the page's comparison, or (for the map) of a level.
        latest = _latest_year(measure.id, code) or ""
        if level:
            return compare_areas(store(), measure.id, level, code, latest)
        here = geography.area(store(), code)
        parent = geography.parent(store(), code)
        if parent is None:
            raise ValueError(f"{here.name} has no parent area to compare within")
        return compare_areas(store(), measure.id, here.level, parent.code, latest)
    if table in measure.groups:
        return measure_series(store(), measure.id, code, by=by, group=table)
    raise ValueError(f"no table {table!r} on this page")


def _metadata(measure: Any, code: str, by: str, public: bool) -> list[tuple[str, str]]:
    fresh = data.freshness(store(), measure.table)
    return [
        ("measure", f"{measure.title} ({measure.id})"),
        ("definition", measure.definition),
        ("unit", measure.unit),
        ("area", f"{geography.area(store(), code).name} ({code})"),
        ("period", by),
        (
            "suppression",
            f"small counts (under {measure.suppress_below}) withheld, with "
            "secondary suppression"
            if public
            else "none: for partners only",
        ),
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
    target, rebase, errors = _chart_options(request)
    compact = bool(request.GET.get("compact"))
    if errors:
        raise Http404(errors[0])

    def draw() -> bytes:
        first = None
        if compact:  # a card: the last 24 months
            months = measure_series(store(), measure.id, code, by=by)
            first = months[-24:][0].period if months else None
        chart = measure_chart(
            store(), measure.id, code, by=by, target=target, first=first,
            rebase_at=[rebase] if rebase else [],
        )  # fmt: skip
        title = f"{measure.title}, {geography.area(store(), code).name}, by {by}"
        spec = charts.spc_spec(chart, title, measure.unit, by=by, compact=compact)
        return charts.to_png(spec) if kind == "png" else charts.to_svg(spec).encode()

    key = f"{measure.id}:{code}:{by}:{compact}:{kind}:{target}:{rebase}"
    try:
        image = store().cached(f"chart:{key}", draw)
    except (StoreError, ValueError, IndexError) as error:
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
    return measure_id, level, request.GET.get("within") or home_area()


@requires(Capability.USE_SERVICE)
def map_page(request: HttpRequest) -> HttpResponse:
    measure_id, level, within = _map_options(request)
    return render(
        request,
        "dashboard/map.html",
        {
            "measure": get_measure(measure_id),
            "level": level,
            "within": geography.area(store(), within),
            "map": maps.choropleth(store(), measure_id, level, within),
            "measures": sorted(REGISTRY.values(), key=lambda m: m.title),
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        },
    )


@requires(Capability.USE_SERVICE)
def map_geojson(request: HttpRequest) -> JsonResponse:
    """The map's areas for the interactive map (same figures as the page)."""
    measure_id, level, within = _map_options(request)
    return JsonResponse(maps.geojson(store(), measure_id, level, within))


PUBLIC_MEASURES = [
    "total-recorded-crime",
    "anti-social-behaviour",
    "perceptions-of-safety",
    "road-casualties-ksi",
]


def neighbourhood(request: HttpRequest) -> HttpResponse:
    """A resident chooses a ward, or types its name (no sign-in needed)."""
    wards = geography.areas_of_level(store(), "ward")
    context: dict[str, Any] = {"wards": wards, "place": request.GET.get("place", "")}
    chosen = request.GET.get("ward", "")
    typed = context["place"].strip()
    if chosen:
        if chosen not in {w.code for w in wards}:
            context["error"] = ("ward", "Choose a ward from the list.")
            return render(request, TEMPLATE_CHOOSE, context, status=400)
        return redirect("dashboard:neighbourhood_ward", code=chosen)
    if typed:
        found = [w for w in wards if typed.casefold() in w.name.casefold()]
        if len(found) == 1:
            return redirect("dashboard:neighbourhood_ward", code=found[0].code)
        if not found:
            context["error"] = (
                "place",
                f"No ward is called {typed}. Check the spelling, or choose "
                "your ward from the list.",
            )
            return render(request, TEMPLATE_CHOOSE, context, status=400)
        context["matches"] = found
    return render(request, TEMPLATE_CHOOSE, context)


TEMPLATE_CHOOSE = "dashboard/neighbourhood_choose.html"


def neighbourhood_ward(request: HttpRequest, code: str) -> HttpResponse:
    """Published measures for one ward, in plain language, suppressed."""
    wards = {w.code: w for w in geography.areas_of_level(store(), "ward")}
    if code not in wards:
        raise Http404("No such ward.")
    results = []
    for measure_id in PUBLIC_MEASURES:
        try:
            rows = public_series(measure_series(store(), measure_id, code, by="year"))
        except (StoreError, ValueError):
            continue
        if rows:
            results.append(
                (get_measure(measure_id), rows[-2:] if len(rows) > 1 else rows)
            )
    return render(
        request,
        "dashboard/neighbourhood.html",
        {"ward": wards[code], "results": results},
    )
