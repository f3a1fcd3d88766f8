"""Problem-solving records: list, open (often from a hot spot on the pack),
read with the assessment computed from the data, and change."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from saferplaces.accounts import audit
from saferplaces.accounts.models import User
from saferplaces.accounts.permissions import Capability, can, partnership_ids, requires
from saferplaces.analytics import geography, hotspot_report, problem_solving
from saferplaces.analytics.hotspot_report import HotspotError
from saferplaces.lib.methods import accepts_post, posted
from saferplaces.lib.store import web_store
from saferplaces.partnership import history, scope
from saferplaces.partnership.authoring import refused
from saferplaces.tasking.forms import ProblemForm
from saferplaces.tasking.models import ProblemSolving
from saferplaces.versions import StaleEdit


def _records(user: Any) -> Any:
    """The records of the person's partnerships (every one for a site
    administrator)."""
    records = ProblemSolving.objects.select_related("owner", "partnership", "group")
    ids = partnership_ids(user)
    return records if ids is None else records.filter(partnership_id__in=ids)


@requires(Capability.USE_SERVICE)
def problem_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "tasking/problem_list.html",
        {"problems": _records(request.user), "may_open": _may_open(request.user)},
    )


def _may_open(user: Any) -> Any:
    """The partnerships where the person may open a record."""
    return scope.partnerships_where(user, Capability.SOLVE_PROBLEMS)


@accepts_post
@requires(Capability.USE_SERVICE)
def problem_new(request: HttpRequest) -> HttpResponse:
    partnership = _may_open(request.user).first()
    if partnership is None:
        return refused(request, problem="new")
    user = request.user
    assert isinstance(user, User)
    record = ProblemSolving(
        partnership=partnership,
        owner=user.agency,
        created_by=user,
        source=request.GET.get("source", "street-crime"),
        kind=request.GET.get("kind", ""),
        area_code=request.GET.get("area", ""),
        cells=[c for c in request.GET.get("cells", "").split(",") if c],
    )
    form = ProblemForm(posted(request), instance=record)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        audit.record("problem_opened", request=request, obj=saved)
        messages.success(request, "The problem-solving record is open.")
        return redirect("tasking:problem", pk=saved.pk)
    return _form_page(request, form, "Open a problem-solving record")


def _form_page(
    request: HttpRequest,
    form: ProblemForm,
    title: str,
    stale: StaleEdit | None = None,
) -> HttpResponse:
    """The form again with what was typed: 409 with what is now saved when
    someone saved the record since it was opened, 400 with its errors."""
    return render(
        request,
        "tasking/problem_form.html",
        {
            "form": form,
            "title": title,
            "errors": form if form.errors else None,
            "stale_edit": stale,
            "stale_fields": form.now_saved(stale) if stale else [],
        },
        status=409 if stale else 400 if form.errors else 200,
    )


@requires(Capability.USE_SERVICE)
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(_records(request.user), pk=pk)
    assessment, problem = _assessment(request, record)
    return render(
        request,
        "tasking/problem.html",
        {
            "problem": record,
            "area_name": geography.name_of(web_store(), record.area_code),
            "assessment": assessment,
            "assessment_problem": problem,
            "changes": history.record_changes("Record", record.history.all()),
            "may_edit": can(
                request.user, Capability.SOLVE_PROBLEMS, record.partnership_id
            ),
        },
    )


@accepts_post
@requires(Capability.USE_SERVICE)
def problem_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(_records(request.user), pk=pk)
    if not can(request.user, Capability.SOLVE_PROBLEMS, record.partnership_id):
        return refused(request, problem=str(record.pk))
    form = ProblemForm(posted(request), instance=record)
    title = f"Change {record.title}"
    if request.method == "POST" and form.is_valid():
        try:
            form.save_unless_changed()
        except StaleEdit as stale:
            return _form_page(request, form, title, stale)
        messages.success(request, "Your change has been saved.")
        return redirect("tasking:problem", pk=record.pk)
    return _form_page(request, form, title)


def _assessment(request: HttpRequest, record: ProblemSolving) -> tuple[Any, str]:
    """The assessment, or why there is none yet."""
    compare_with = ProblemSolving.CompareWith
    if not record.response_starts:
        return None, "Set the month the response starts to see whether it worked."
    if record.compare_with != compare_with.REST_OF_DISTRICT and not (
        record.comparison_area
    ):
        return None, "Choose a comparison area to set the target against."
    store = web_store()
    _, after = problem_solving.windows(record.response_starts, record.assessment_months)
    table = hotspot_report.SOURCES[record.source][0]
    months = store.months(table) if table in store.tables() else []
    if not months or after[-1] > months[-1]:
        return None, (
            f"The follow-up runs to {after[-1]}; the data goes to "
            f"{months[-1] if months else 'nothing yet'}. Come back after the next load."
        )
    try:
        comparison = (
            problem_solving.district_around(store, record.area_code)
            if record.compare_with == compare_with.REST_OF_DISTRICT
            else record.comparison_area
        )
        refused = scope.not_exact_for(request.user, store, record.area_code, comparison)
        if refused:
            return None, refused
        target = (
            {"cells": record.cells, "cell_size": record.cell_size}
            if record.cells
            else {"area": record.area_code}
        )
        return problem_solving.assess(
            store, record.source, record.kind or None, comparison,
            record.response_starts, record.assessment_months,
            comparison_rest=record.compare_with != compare_with.WHOLE_AREA,
            **target,
        ), ""  # fmt: skip
    except HotspotError as error:
        return None, str(error)
