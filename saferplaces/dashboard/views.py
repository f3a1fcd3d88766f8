"""Dashboard pages: the overview, a measure's page with its chart, areas and
groups, exports, the map, and the public neighbourhood page."""

from __future__ import annotations

from collections import Counter
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
from saferplaces.analytics import cards, geography, resident_words, results
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
from saferplaces.lib.pagecache import (
    KEEP_FOR_THE_DAY,
    cached_page,
    kept_value,
    store_revision,
)
from saferplaces.lib.store import publication_rules, web_store
from saferplaces.partnership import scope
from saferplaces.partnership.models import ActionMeasure, Partnership, Plan, Status


def store() -> Store:
    return web_store()


def home_area(request: HttpRequest) -> str:
    """The area the reader's dashboard opens on, kept where every worker
    finds it until the next load: it is asked before a kept page is looked
    up, and finding it reads the geography."""
    here = scope.current(request)
    if here is None:
        return ""
    return kept_value(
        ["home-area", here.pk, here.area_codes(), store_revision()],
        lambda: scope.home_area(request, store()),
    )


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
    # A manager is offered a newer draft; who may, and which, are part of it.
    draft = scope.newer_draft(request, plan)
    clearance = seen_by(request)
    return cached_page(
        request,
        (plan_revision, draft.pk if draft else None, timezone.localdate(),
         store_revision(), clearance.key()),
        lambda: _overview_page(request, code, plan, draft, clearance),
        keep_seconds=KEEP_FOR_THE_DAY,
    )  # fmt: skip


def _overview_page(
    request: HttpRequest,
    code: str,
    plan: Plan | None,
    draft: Plan | None,
    clearance: results.Clearance,
) -> HttpResponse:
    here = geography.area(store(), code)
    # The partnership itself first, then the areas inside its areas.
    areas = scope.picker_areas(store(), scope.current(request), PICKER_LEVELS)
    if not code:
        return render(request, "dashboard/overview.html", {"no_area": True})
    shown_plan = {"plan": plan, "draft": draft, "partnership": scope.current(request)}
    if not clearance.covers(store(), code):
        # The cards are exact figures: another partnership's area (or a
        # larger one) has its published figures on each measure's page.
        return render(
            request,
            "dashboard/overview.html",
            {"area": here, "areas": areas, "cards": "", "published_only": True,
             "measures": _overview_measures(_plan_view(plan)), **shown_plan},
        )  # fmt: skip
    shown = _plan_view(plan)
    key = f"overview:{code}:{hash(shown)}:{clearance.key()}"
    cards = store().cached(key, lambda: _cards_html(code, shown, clearance))
    return render(
        request,
        "dashboard/overview.html",
        {"area": here, "areas": areas, "cards": cards, **shown_plan},
    )


def _overview_measures(shown: PlanView) -> list[Any]:
    """The measures the overview would show, once each, in its order."""
    sections, _, _ = shown
    ids = dict.fromkeys(m for section in sections for m in section.measure_ids)
    return [REGISTRY[measure_id] for measure_id in ids]


def _plan_for(request: HttpRequest) -> Plan | None:
    """The plan asked for (``?plan=``, 404 if not one of the person's
    partnerships'), or the one their partnership's dashboard shows
    (``scope.shown_plan``: its published plan)."""
    plans = scope.plans(request.user)
    slug = request.GET.get("plan")
    if not slug:
        return scope.shown_plan(request)
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


@dataclass(frozen=True)
class Disagreement:
    """Actions of the plan setting different targets for one measure: each
    action's number and its aim in words, and the number of the one the
    card weighs the measure against."""

    measure_id: str
    aims: tuple[tuple[str, str], ...]
    used: str

    def sentence(self) -> str:
        """The disagreement in words: "Two actions set different targets for
        this measure: 3.1.1 (reduce it to 4 a month) and 3.1.3 (...)"."""
        how_many = NUMBER_WORDS.get(len(self.aims), str(len(self.aims)))
        each = [f"{number} ({words})" for number, words in self.aims]
        listed = ", ".join(each[:-1]) + f" and {each[-1]}"
        return f"{how_many} actions set different targets for this measure: {listed}."


NUMBER_WORDS = {2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six"}


# The overview's sections, what the plan wants of each measure, and where
# its actions disagree on that.
PlanView = tuple[
    tuple[Section, ...], tuple[tuple[str, cards.Aim], ...], tuple[Disagreement, ...]
]


def _plan_view(plan: Plan | None) -> PlanView:
    """The plan's key measures, then each priority's own measures with its
    actions' status; the plan's aim for each measure it links; and the
    measures its actions set different targets for."""
    key = tuple(plan.key_measures) if plan else tuple(list(REGISTRY)[:6])
    sections = [Section("Key outcome measures", key)]
    aims: dict[str, cards.Aim] = {}
    setters: dict[str, dict[cards.Aim, str]] = {}  # measure -> aim -> action
    if plan:
        by_priority: dict[int, set[str]] = {}
        for link in (
            ActionMeasure.objects.filter(action__plan=plan)
            .select_related("action__priority")
            .order_by("action__id", "id")
        ):
            by_priority.setdefault(link.action.priority.number, set()).add(
                link.measure_id
            )
            if link.direction == ActionMeasure.Direction.WATCH:
                continue  # followed, with no aim either way
            # A target says most, then a size on stated baseline months,
            # then a size, then a direction alone.
            aim = link.aim()
            if aim.target is not None or aim.size:
                setters.setdefault(link.measure_id, {}).setdefault(
                    aim, link.action.number
                )
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
    disagreements = tuple(
        Disagreement(
            measure_id,
            tuple((number, aim.words()) for aim, number in set_by.items()),
            set_by.get(aims[measure_id], ""),
        )
        for measure_id, set_by in sorted(setters.items())
        if len(set_by) > 1
    )
    return known, tuple(sorted(aims.items())), disagreements


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
    sections, aims, disagreements = shown
    wants = dict(aims)
    disputed = {d.measure_id: d for d in disagreements}
    filled = []
    for section in sections:
        # A fuller measure stands in where its data is loaded (the local
        # extract's recorded crime for police.uk's), keeping the plan's aim.
        shown_ids: dict[str, cards.Aim | None] = {}
        disputes: dict[str, Disagreement | None] = {}
        for measure_id in section.measure_ids:
            better = results.preferred(store(), measure_id)
            shown_ids.setdefault(better, wants.get(measure_id) or wants.get(better))
            disputes.setdefault(
                better, disputed.get(measure_id) or disputed.get(better)
            )
        section_cards = []
        withheld = []
        for measure_id, aim in shown_ids.items():
            try:
                card = results.card(store(), measure_id, code, aim, clearance=clearance)
            except results.ResultError:
                # A case-derived measure without the case-counting permission.
                withheld.append(REGISTRY[measure_id])
            else:
                section_cards.append((card, disputes[measure_id]))
        filled.append((section, section_cards, withheld))
    every_card = [card for _, shown_cards, _ in filled for card, _ in shown_cards]
    return render_to_string(
        "dashboard/_cards.html",
        {"sections": filled, "area_code": code, "ends": _data_ends(every_card)},
    )


def _data_ends(shown: list[cards.Card]) -> DataEnds | None:
    """Where the cards' data end, when not all in the same month: the month
    most end in, and each card ending in another with its month (None when
    they all end together, as each card says)."""
    ends = Counter(card.latest_period for card in shown if card.latest_period)
    if len(ends) < 2:
        return None
    # The most cards', the latest of equals.
    common = max(ends, key=lambda month: (ends[month], month))
    others = [
        (card.title, card.latest_period)
        for card in shown
        if card.latest_period and card.latest_period != common
    ]
    return DataEnds(common, others)


@dataclass(frozen=True)
class DataEnds:
    most: str  # the month most cards' data end in (YYYY-MM)
    others: list[tuple[str, str]]  # (card title, its month)


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
            screen = options.asked_screen_outliers
            fix_after = options.check_fix_after(len(points))
            chart = results.chart(
                store(), measure.id, code, by=by, target=target,
                rebase_at=[rebase] if rebase else [], audience=clearance,
                rules=rules, screen_outliers=screen, fix_after_n_points=fix_after,
            )  # fmt: skip
            context["chart"] = chart
            # The table is the chart's: its signals as the options give them.
            context["points"] = results.with_chart_signals(answer, chart).rows
            context["spc_words"] = charts.options_words(screen, fix_after)
            context["spc_query"] = urlencode(
                {k: v for k, v in _spc_query(options, rebase).items() if v}
            )
            period = charts.PERIOD_WORDS[by].lower()
            title = f"{measure.title}, {here.name}, by {period}"
            context["spec"] = charts.spc_spec(
                chart, title, measure.unit, by=by, possible=measure.possible
            )
            context["segments"] = charts.segments(chart, measure.possible)
            context["limits_moved"] = any(
                s.limits.lower_moved or s.limits.upper_moved
                for s in context["segments"]
            )
            context["chart_query"] = urlencode(
                {"area": code, "by": by, "target": str(target or ""),
                 **_spc_query(options, rebase)}
            )  # fmt: skip
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


def _spc_query(options: ChartOptionsForm, rebase: str) -> dict[str, str]:
    """What the chart's picture and the series' downloads need to draw and
    mark the chart as the page does: its rebasing and SPC options."""
    return {"rebase": rebase, **options.query()}


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
    """The target the plan the person's dashboard shows sets on this measure
    (the first action linking it with one), if any."""
    plan = scope.shown_plan(request)
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
    options = ChartOptionsForm(request.GET, measure.unit)
    if options.errors:
        raise Http404(next(iter(options.errors.values()))[0])
    try:
        answer = _export_table(measure, code, by, table, request.GET.get("level"),
                               seen_by(request))  # fmt: skip
        signals = ""
        if table == "series" and by != "rolling12" and len(answer.rows) >= 2:
            answer, signals = _as_charted(measure, code, by, answer, options,
                                          seen_by(request))  # fmt: skip
    except results.ResultError as error:
        raise Http404(str(error)) from None
    metadata = _metadata(measure, code, f"{by}, {table}", answer, signals)
    rows = [row.as_dict() for row in answer.rows]
    columns = list(rows[0]) if rows else []
    values = [[row[c] for c in columns] for row in rows]
    name = f"{measure.id}-{code}-{by}-{table}.{kind}"
    if kind == "csv":
        return csv_download(name, columns, values, comments=metadata)
    return xlsx_download(name, [("Data", columns, values), ("About", [], metadata)])


def _as_charted(
    measure: Any,
    code: str,
    by: Period,
    answer: results.Result,
    options: ChartOptionsForm,
    audience: results.Clearance,
) -> tuple[results.Result, str]:
    """The series with the signals of the page's chart (its rebasing and SPC
    options), and those options in words."""
    rebase = options.check_rebase([row.period for row in answer.rows])
    screen = options.asked_screen_outliers
    fix_after = options.check_fix_after(len(answer.rows))
    if options.errors:
        raise results.ResultError(next(iter(options.errors.values()))[0])
    try:
        drawn = results.chart(
            store(), measure.id, code, by=by, rebase_at=[rebase] if rebase else [],
            screen_outliers=screen, fix_after_n_points=fix_after, audience=audience,
            rules=publication_rules(),
        )  # fmt: skip
    except results.ResultError:
        # No chart (e.g. periods withheld as too few to show): the series
        # downloads as it is, with no signals, as before.
        return answer, ""
    words = charts.options_words(screen, fix_after)
    if rebase:
        words += f" New limits from {rebase}."
    return results.with_chart_signals(answer, drawn), words


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
    measure: Any, code: str, by: str, answer: results.Result, signals: str = ""
) -> list[tuple[str, str]]:
    fresh = cards.freshness(store(), measure.table)
    return [
        ("measure", f"{measure.title} ({measure.id})"),
        ("definition", measure.definition),
        ("unit", measure.unit),
        ("area", f"{geography.area(store(), code).name} ({code})"),
        ("period", by),
        # How the series' signals were worked out (the page's chart options).
        *([("signals", signals)] if signals else []),
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
    screen, fix_after = options.asked_screen_outliers, options.asked_fix_after
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
            screen_outliers=screen, fix_after_n_points=fix_after,
        )  # fmt: skip
        title = f"{measure.title}, {geography.area(store(), code).name}, by {by}"
        spec = charts.spc_spec(chart, title, measure.unit, by=by, compact=compact,
                               possible=measure.possible)  # fmt: skip
        return charts.to_png(spec) if kind == "png" else charts.to_svg(spec).encode()

    key = (
        f"{measure.id}:{code}:{by}:{compact}:{kind}:{target}:{rebase}:{screen}:"
        f"{fix_after}:{clearance.key()}"
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
    the registry puts on the resident page), with what its published plan
    does there; kept until the next load, a change to the partnership's
    areas or a change to its published plan."""
    partnership = _partnership_at(request, slug)
    plan = scope.published_plan(partnership)
    revision = (
        store_revision(), partnership.name, tuple(partnership.area_codes()),
        (plan.pk, plan.revision) if plan else None,
    )  # fmt: skip
    return cached_page(
        request, revision, lambda: _neighbourhood_ward(request, partnership, plan, code)
    )


@dataclass(frozen=True)
class ResidentFigure:
    """A measure on the resident's page: its last two years, what to know
    of them, and the latest in words against the year before and among the
    wards around it ("" where there is nothing to say)."""

    measure: Any
    rows: list[results.Row]
    notes: list[str]
    change: str
    among: str


def _neighbourhood_ward(
    request: HttpRequest, partnership: Partnership, plan: Plan | None, code: str
) -> HttpResponse:
    areas = dict(_public_areas(partnership))
    if code not in areas:
        raise Http404("This partnership has no such ward.")
    whole = code == scope.own_area(store(), partnership)
    around = None if whole else geography.parent(store(), code)
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
            rows = answer.rows[-2:]
            shown.append(
                ResidentFigure(
                    measure, rows, [*answer.notes, *answer.coverage],
                    _year_on_year(measure, rows),
                    _among(measure, code, around, rows[-1]) if around else "",
                )
            )  # fmt: skip
    name = partnership.name if whole else areas[code]
    return render(
        request,
        "dashboard/neighbourhood.html",
        {"ward": geography.Area(code, name, "partnership" if whole else "ward"),
         "whole": whole, "results": shown, "deprivation": _deprived(code),
         "plan": plan,
         "actions": scope.actions_in(plan, _and_around(code)) if plan else []},
    )  # fmt: skip


def _year_on_year(measure: Any, rows: list[results.Row]) -> str:
    """The latest year against the one before, in words."""
    if len(rows) < 2:
        return ""
    before, now = (
        resident_words.Figure(r.period, r.value, r.numerator, r.denominator,
                              r.months, r.lower, r.upper)
        for r in rows
    )  # fmt: skip
    change = resident_words.year_on_year(measure, before, now)
    return change.words if change else ""


def _among(measure: Any, code: str, around: geography.Area, latest: results.Row) -> str:
    """The area's place among the areas of its level in ``around``, as
    published, on the latest period ("" if it has no figure there)."""
    level = geography.area(store(), code).level
    try:
        rows = results.comparison(
            store(), measure.id, level, around.code, latest.period, by="year",
            audience="public", rules=publication_rules(),
        ).rows  # fmt: skip
    except results.ResultError:
        return ""  # not published for that level, or the parent has no data
    ranked = [
        row for row in rows
        if isinstance(row, results.ComparisonRow) and row.value is not None
    ]  # fmt: skip
    mine = next((row for row in ranked if row.area_code == code), None)
    if mine is None or len(ranked) < 2:
        return ""
    return resident_words.among(measure, mine.rank, len(ranked), level,
                                around.name, mine.in_line_with_parent)  # fmt: skip


def _and_around(code: str) -> list[str]:
    """``code`` and every area it lies in, up the geography."""
    codes = [code]
    while (parent := geography.parent(store(), codes[-1])) and parent.code not in codes:
        codes.append(parent.code)
    return codes


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
