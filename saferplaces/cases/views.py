"""Casework pages. Every case page finds its case through
``access.visible_cases`` (need to know: a case the person may not see is a
404, exactly as one that does not exist); the read audit middleware records
each page read under the case's reference.
No URL carries personal data: cases by reference, referrals by a random id,
searches by POST. Changes are the casework services' (``cases.services``),
each written with its audit entry in one transaction; a page parses the
form, checks who may do it, calls one service and answers."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django_ratelimit.core import is_ratelimited

from saferplaces.accounts import audit, read_audit
from saferplaces.accounts.models import Role, User
from saferplaces.accounts.permissions import Capability, can, requires
from saferplaces.cases import access, search
from saferplaces.cases.forms import (
    THRESHOLD_OF,
    ActionForm,
    AssessmentForm,
    CaseDetailsForm,
    CaseReviewApplicationForm,
    CaseReviewForm,
    CloseForm,
    DecisionForm,
    DisposalForm,
    IncidentForm,
    NewCaseForm,
    OutcomeForm,
    PersonForm,
    ReferralForm,
    SearchForm,
    ShareForm,
    VulnerabilityForm,
    dash_questions,
)
from saferplaces.cases.models import (
    AsbRiskQuestion,
    AssessmentKind,
    Case,
    CaseAction,
    CasePerson,
    CaseReviewApplication,
    CaseShare,
    Disposal,
    Incident,
    Referral,
    ReferralStatus,
    RoutingRule,
)
from saferplaces.cases.risk import RiskError
from saferplaces.cases.services import (
    alerts,
    assessment,
    caseload,
    configuration,
    counts,
    flags,
    routing,
    workflow,
)
from saferplaces.cases.services import case_reviews as case_reviews_service
from saferplaces.cases.services.duplicates import (
    PossibleDuplicate,
    possible_duplicates,
)
from saferplaces.lib.downloads import csv_download
from saferplaces.lib.methods import accepts_post, post_only, posted
from saferplaces.partnership.authoring import refused
from saferplaces.versions import StaleEdit


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _seen(data: Any) -> Any:
    """The submitted data, marked: the possible duplicates were shown, so
    saving again goes on."""
    marked = data.copy()
    marked["duplicates_seen"] = "on"
    return marked


def _form_page(
    request: HttpRequest,
    template: str,
    form: Any,
    conflict: StaleEdit | None = None,
    **context: Any,
) -> HttpResponse:
    """A page with a form: 409 when a stale edit was refused (``conflict``),
    400 with the error summary when the form has errors, else 200; what was
    typed stays in the form."""
    status = 409 if conflict else 400 if form.errors else 200
    return render(
        request,
        template,
        {
            "form": form,
            "errors": form if form.errors else None,
            "stale_edit": conflict,
            **context,
        },
        status=status,
    )


def _case(request: HttpRequest, reference: str) -> Case:
    """The case if the person may see it; otherwise 404, so a reference
    they may not see cannot be told from one that does not exist."""
    return get_object_or_404(
        access.visible_cases(request.user).select_related(
            "owner_agency", "officer", "updated_by", "partnership"
        ),
        reference=reference,
    )


def _ip(request: HttpRequest) -> str | None:
    """The caller's address, for the audit entry a service writes."""
    return audit.client_ip(request)


# --- lists and search ---------------------------------------------------


@requires(Capability.WORK_CASES)
def case_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    visible = access.visible_cases(user)
    today = timezone.localdate()
    open_cases = search.for_listing(visible.filter(status="open"))
    owned = list(open_cases.filter(owner_agency_id=user.agency_id))
    shared = list(open_cases.exclude(owner_agency_id=user.agency_id))
    read_audit.name_what_was_shown(
        request, cases=[case.reference for case in owned + shared]
    )
    waiting = Referral.objects.filter(
        to_agency_id=user.agency_id,
        status=ReferralStatus.WAITING,
        case__partnership_id__in=access.casework_partnerships(user),
    ).select_related("case", "from_agency")
    return render(
        request,
        "cases/list.html",
        {
            "owned": owned,
            "shared": shared,
            "waiting": waiting,
            "today": today,
            "sent": Referral.objects.filter(
                from_agency_id=user.agency_id,
                status=ReferralStatus.WAITING,
                case__in=visible,
            ).select_related("case", "to_agency"),
        },
    )


@requires(Capability.WORK_CASES)
def case_caseload(request: HttpRequest) -> HttpResponse:
    """What waits on the worker (``?for=agency``: on their agency): open
    cases, actions due and overdue, referrals to decide or finish."""
    whole_agency = request.GET.get("for") == "agency"
    return render(
        request,
        "cases/caseload.html",
        {
            "load": caseload.caseload(
                _user(request), timezone.localdate(), whole_agency=whole_agency
            ),
            "today": timezone.localdate(),
        },
    )


@accepts_post
@requires(Capability.WORK_CASES)
def case_search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(posted(request))
    found: list[Case] | None = None
    if request.method == "POST" and form.is_valid():
        found = search.find_cases(
            access.visible_cases(request.user),
            name=form.cleaned_data["name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
            address=form.cleaned_data["address"],
            reference=form.cleaned_data["reference"],
        )
        access.record_hits(request, found, form.searched())
    return _form_page(request, "cases/search.html", form, found=found)


# --- opening a case -----------------------------------------------------


@accepts_post
@requires(Capability.WORK_CASES)
def case_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    partnerships = access.casework_partnerships(user)
    if not partnerships:
        return refused(request, case="new")
    form = NewCaseForm(posted(request))
    duplicates: list[PossibleDuplicate] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not data["duplicates_seen"]:
            try:
                duplicates = _duplicates(request, partnerships[0], data)
            except DuplicateChecksUsedUp as error:
                return _used_up(request, "cases/new.html", form, error)
        if not duplicates:
            case = workflow.open_case(
                partnerships[0], data, user, _area_of, ip=_ip(request)
            )
            messages.success(request, f"Case {case.reference} is open.")
            return redirect("cases:case", reference=case.reference)
        form.data = _seen(form.data)
    return _form_page(request, "cases/new.html", form, duplicates=duplicates)


class DuplicateChecksUsedUp(Exception):
    """The worker has made as many duplicate-person checks as the limit
    allows for now (``SAFERPLACES_DUPLICATE_CHECK_RATE``)."""


def _duplicates(
    request: HttpRequest, partnership_id: int, data: dict[str, Any]
) -> list[PossibleDuplicate]:
    """The possible duplicates of the person typed, the check audited.
    Limited per person: each check says whether someone is recorded, even
    in cases the worker cannot see, so it must not become a way to find
    people out (issue 27: a date of birth found in 58 posts)."""
    rate = settings.DUPLICATE_CHECK_RATE
    if is_ratelimited(
        request, group="duplicate-check", key="user", rate=rate, increment=True
    ):
        audit.record("duplicate_check_limited", request=request,
                     object_type="cases:duplicates")  # fmt: skip
        raise DuplicateChecksUsedUp(_checks_used_up(rate))
    visible_ids = set(access.visible_cases(request.user).values_list("pk", flat=True))
    found = possible_duplicates(
        partnership_id,
        data["given_name"],
        data["family_name"],
        data["date_of_birth"],
        data["postcode"],
        visible_ids,
    )
    searched = ["name"] + [
        key for key in ("date_of_birth", "postcode") if data.get(key)
    ]
    matched = sorted({ref for d in found for ref in d.matched})
    access.record_duplicate_check(request, matched, searched)
    return found


def _checks_used_up(rate: str) -> str:
    # django-ratelimit's form: "30/h", "30/2h", "30/hour".
    count, _, per = rate.partition("/")
    unit = per.lstrip("0123456789")
    many = per[: len(per) - len(unit)]
    name = {"s": "second", "m": "minute", "h": "hour", "d": "day"}[unit[:1]]
    period = f"{many} {name}s" if many and many != "1" else name
    return (
        f"You have checked for possible duplicates {count} times in the last "
        f"{period}, the most this service allows, so that the check cannot be "
        "used to find out who is recorded. Try again later: what you typed is "
        "kept."
    )


def _used_up(
    request: HttpRequest, template: str, form: Any, error: Exception, **context: Any
) -> HttpResponse:
    """The form again, with why the check was refused: 429."""
    form.add_error(None, str(error))
    response = _form_page(request, template, form, **context)
    response.status_code = 429
    return response


def _area_of(postcode: str) -> str:
    """The LSOA of ``postcode`` ("" when the store does not know it)."""
    if not postcode:
        return ""
    from saferplaces.analytics import geography
    from saferplaces.lib.store import web_store

    place = geography.postcode_place(web_store(), postcode)
    return place.lsoa if place else ""


# --- the case page ------------------------------------------------------


@requires(Capability.WORK_CASES)
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    today = timezone.localdate()
    owner = access.owns(request.user, case)
    facts = assessment.facts_of(case)
    marac = assessment.marac_criteria(case, today, facts)
    referrals = list(case.referrals.select_related("from_agency", "to_agency"))
    waiting = {
        (r.to_agency_id, r.pathway)
        for r in referrals
        if r.status == ReferralStatus.WAITING
    }
    pathways = (
        [
            p
            for p in routing.pathways(case, _ancestors, facts, marac)
            if (p.rule.to_agency_id, p.name) not in waiting
        ]
        if owner
        else []
    )
    actions = list(case.actions.select_related("owner_agency", "done_by"))
    agency_id = _user(request).agency_id
    return render(
        request,
        "cases/case.html",
        {
            "case": case,
            "owner": owner,
            "agency_id": agency_id,
            "involved": facts.involved,
            "incidents": case.incidents.select_related("reporting_agency", "address"),
            "actions": actions,
            "markable": {
                a.pk
                for a in actions
                if a.may_be_marked_done_by(agency_id, case.owner_agency_id)
            },
            "disposals": case.disposals.all(),
            "assessments": case.assessments.select_related("assessed_by"),
            "referrals": referrals,
            "shares": case.shares.select_related("agency", "agreement"),
            "pathways": pathways,
            "alerts": alerts.alerts(case, today, facts),
            "marac": marac,
            "area_name": _area_name(case.area_code),
            "today": today,
        },
    )


def _area_name(code: str) -> str:
    if not code:
        return "Not known"
    from saferplaces.analytics import geography
    from saferplaces.lib.store import web_store

    name = geography.name_of(web_store(), code)
    return code if name == code else f"{name} ({code})"


def _ancestors(code: str) -> list[str]:
    from saferplaces.analytics import geography
    from saferplaces.lib.store import web_store

    store = web_store()
    found = [code]
    area = geography.parent(store, code) if geography.is_known(store, code) else None
    while area is not None:
        found.append(area.code)
        area = geography.parent(store, area.code)
    return found


@accepts_post
@requires(Capability.WORK_CASES)
def case_edit(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    if not access.owns(request.user, case):
        return refused(request, case=case.reference)
    officers = User.objects.filter(
        agency_id=case.owner_agency_id,
        memberships__partnership_id=case.partnership_id,
        memberships__role=Role.CASE_WORKER,
    )
    form = CaseDetailsForm(posted(request), instance=case, officers=officers)
    stale: StaleEdit | None = None
    if request.method == "POST" and form.is_valid():
        try:
            workflow.change_details(
                form.instance,
                form.cleaned_data["version"],
                request.user,
                form.changed_data,
                ip=_ip(request),
            )
        except StaleEdit as conflict:
            stale = conflict
        else:
            messages.success(request, "Your change has been saved.")
            return redirect("cases:case", reference=case.reference)
    return _form_page(
        request,
        "cases/edit.html",
        form,
        conflict=stale,
        case=case,
        stale_fields=form.now_saved(stale) if stale else [],
    )


# --- things a case holds ------------------------------------------------


def _owner_form(
    request: HttpRequest,
    reference: str,
    form_class: Any,
    title: str,
    save: Callable[[Case, Any], object],
    **form_kwargs: Any,
) -> HttpResponse:
    """A form page for a case's owner agency: on a valid POST ``save(case,
    form)`` (a service call) and back to the case."""
    case = _case(request, reference)
    if not access.owns(request.user, case):
        return refused(request, case=case.reference)
    form = form_class(posted(request), **form_kwargs)
    if request.method == "POST" and form.is_valid():
        save(case, form)
        messages.success(request, "Saved.")
        return redirect("cases:case", reference=case.reference)
    return _form_page(request, "cases/form.html", form, case=case, title=title)


@accepts_post
@requires(Capability.WORK_CASES)
def person_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    if not access.owns(request.user, case):
        return refused(request, case=case.reference)
    form = PersonForm(posted(request))
    duplicates: list[PossibleDuplicate] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not data["duplicates_seen"]:
            try:
                duplicates = _duplicates(request, case.partnership_id, data)
            except DuplicateChecksUsedUp as error:
                return _used_up(
                    request, "cases/person_add.html", form, error, case=case
                )
        if not duplicates:
            workflow.add_person(case, data, _user(request), _area_of, ip=_ip(request))
            messages.success(request, "The person is added to the case.")
            return redirect("cases:case", reference=case.reference)
        form.data = _seen(form.data)
    return _form_page(
        request, "cases/person_add.html", form, case=case, duplicates=duplicates
    )


@accepts_post
@requires(Capability.WORK_CASES)
def incident_add(request: HttpRequest, reference: str) -> HttpResponse:
    def save(case: Case, form: IncidentForm) -> Incident:
        return workflow.record_incident(
            case, form.cleaned_data, _user(request), _area_of, ip=_ip(request)
        )

    return _owner_form(request, reference, IncidentForm, "Record an incident", save)


@accepts_post
@requires(Capability.WORK_CASES)
def action_add(request: HttpRequest, reference: str) -> HttpResponse:
    def save(case: Case, form: ActionForm) -> CaseAction | Disposal:
        return workflow.add_to_case(
            case, form.save(commit=False), _user(request), ip=_ip(request)
        )

    return _owner_form(request, reference, ActionForm, "Add an action", save)


@post_only
@requires(Capability.WORK_CASES)
def action_done(request: HttpRequest, reference: str, action: int) -> HttpResponse:
    """Mark a case action done: by the agency doing it or the case's owner."""
    case = _case(request, reference)
    row = get_object_or_404(CaseAction, pk=action, case=case)
    user = _user(request)
    if row.done_on is None and not row.may_be_marked_done_by(
        user.agency_id, case.owner_agency_id
    ):
        return refused(request, case=case.reference)
    try:
        workflow.mark_action_done(row, user, ip=_ip(request))
    except workflow.CaseworkError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"Done: {row.description}.")
    if request.POST.get("back_to") == "caseload":
        return redirect("cases:caseload")
    return redirect("cases:case", reference=case.reference)


@accepts_post
@requires(Capability.WORK_CASES)
def disposal_add(request: HttpRequest, reference: str) -> HttpResponse:
    def save(case: Case, form: DisposalForm) -> CaseAction | Disposal:
        return workflow.add_to_case(
            case, form.save(commit=False), _user(request), ip=_ip(request)
        )

    return _owner_form(
        request, reference, DisposalForm, "Record a legal tool or disposal", save
    )


@accepts_post
@requires(Capability.WORK_CASES)
def vulnerability(request: HttpRequest, reference: str, row: int) -> HttpResponse:
    """Flag a person of the case as a vulnerable victim, for reasons from
    the list (the case's owner agency only)."""
    case = _case(request, reference)
    if not access.owns(request.user, case):
        return refused(request, case=case.reference)
    person_row = get_object_or_404(
        CasePerson.objects.select_related("person"), pk=row, case=case
    )
    held = list(person_row.person.vulnerability_flags.values_list("reason", flat=True))
    form = VulnerabilityForm(
        posted(request), initial={"version": case.version, "reasons": held}
    )
    stale: StaleEdit | None = None
    if request.method == "POST" and form.is_valid():
        try:
            flags.set_vulnerability(
                case, person_row, form.cleaned_data["reasons"],
                form.cleaned_data["version"], request.user, ip=_ip(request),
            )  # fmt: skip
        except StaleEdit as conflict:
            stale = conflict
        else:
            messages.success(request, f"Saved the flags of {person_row.person}.")
            return redirect("cases:case", reference=case.reference)
    return _form_page(
        request, "cases/vulnerability.html", form, conflict=stale, case=case,
        row=person_row, held=held,
    )  # fmt: skip


@accepts_post
@requires(Capability.WORK_CASES)
def assess(request: HttpRequest, reference: str, kind: str) -> HttpResponse:
    case = _case(request, reference)
    if kind not in AssessmentKind.values:
        raise Http404("No such assessment.")
    if not access.owns(request.user, case):
        return refused(request, case=case.reference)
    questions = (
        dash_questions()
        if kind == AssessmentKind.DASH
        else list(
            AsbRiskQuestion.objects.filter(
                partnership_id=case.partnership_id
            ).values_list("number", "text")
        )
    )
    form = AssessmentForm(
        posted(request), questions=questions, three_way=kind == AssessmentKind.DASH
    )
    if request.method == "POST" and form.is_valid():
        try:
            made = assessment.assess(
                case,
                kind,
                form.answers(),
                request.user,
                form.cleaned_data["judged"],
                form.cleaned_data["judgement_reason"],
                ip=_ip(request),
            )
        except RiskError as refusal:
            form.add_error("judged", str(refusal))
        else:
            messages.success(
                request,
                f"Assessed: {made.get_level_display()} risk (score {made.score}).",
            )
            return redirect("cases:case", reference=case.reference)
    return _form_page(
        request, "cases/assess.html", form, case=case, kind=AssessmentKind(kind)
    )


@accepts_post
@requires(Capability.WORK_CASES)
def refer(request: HttpRequest, reference: str, rule: int) -> HttpResponse:
    """The second click of a referral: what will be shared, with whom,
    under which agreement, and the button that sends it."""
    case = _case(request, reference)
    if not access.owns(request.user, case):
        return refused(request, case=case.reference)
    routes = {p.rule.pk: p.rule for p in routing.pathways(case, _ancestors)}
    chosen = routes.get(rule)
    if chosen is None:
        raise Http404("That pathway does not apply to this case.")
    form = ReferralForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            made = routing.refer(
                case, chosen, request.user, form.cleaned_data["reason"], ip=_ip(request)
            )
        except workflow.CaseworkError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                f"Referred to {made.to_agency} ({made.pathway}): they are "
                f"asked to decide by {made.due_by.day} {made.due_by:%B %Y}.",
            )
            return redirect("cases:case", reference=case.reference)
    due = timezone.localdate() + datetime.timedelta(days=chosen.response_days)
    return _form_page(
        request, "cases/refer.html", form, case=case, rule=chosen, due=due
    )


def _received(request: HttpRequest, public_id: str) -> Referral:
    """A referral sent to the person's agency, of a case they may see;
    otherwise 404, as if it did not exist."""
    user = _user(request)
    return get_object_or_404(
        Referral.objects.select_related(
            "case", "from_agency", "to_agency", "rule"
        ).filter(
            to_agency_id=user.agency_id,
            case__in=access.visible_cases(user),
        ),
        public_id=public_id,
    )


@accepts_post
@requires(Capability.WORK_CASES)
def referral_decide(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    referral = _received(request, public_id)
    form = DecisionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            routing.decide(
                referral,
                form.cleaned_data["decision"] == "accept",
                form.cleaned_data["reason"],
                user,
                ip=_ip(request),
            )
        except workflow.CaseworkError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request, f"Referral {referral.get_status_display().lower()}."
            )
            if referral.status == ReferralStatus.ACCEPTED:
                return redirect("cases:case", reference=referral.case.reference)
            return redirect("cases:list")
    return _form_page(
        request, "cases/decide.html", form, referral=referral, case=referral.case
    )


@accepts_post
@requires(Capability.WORK_CASES)
def referral_outcome(request: HttpRequest, public_id: str) -> HttpResponse:
    """The receiving agency records what came of an accepted referral, and
    may complete it."""
    referral = _received(request, public_id)
    form = OutcomeForm(
        posted(request),
        outcomes=referral.outcome_choices(),
        initial={"outcome": referral.outcome, "note": referral.outcome_note},
    )
    refusal = referral.outcome_refusal()
    if request.method == "POST" and refusal:
        form.is_valid()  # the fields' own errors, and what was typed, kept
        form.add_error(None, refusal)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            routing.record_outcome(
                referral, data["outcome"], data["note"], data["complete"],
                _user(request), ip=_ip(request),
            )  # fmt: skip
        except workflow.CaseworkError as error:
            form.add_error(None, str(error))
        else:
            return _outcome_saved(request, referral)
    return _form_page(
        request, "cases/outcome.html", form, referral=referral, case=referral.case,
        refusal=refusal,
    )  # fmt: skip


def _outcome_saved(request: HttpRequest, referral: Referral) -> HttpResponse:
    if referral.status == ReferralStatus.COMPLETED:
        messages.success(
            request,
            f"Referral completed: {referral.outcome}. {referral.from_agency} sees "
            "the outcome on their case; your agency no longer sees the case.",
        )
        return redirect("cases:caseload")
    messages.success(request, f"Outcome saved: {referral.outcome}.")
    return redirect("cases:case", reference=referral.case.reference)


@accepts_post
@requires(Capability.WORK_CASES)
def case_share(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    if not access.owns(request.user, case):
        return refused(request, case=case.reference)
    form = ShareForm(posted(request), case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            routing.share(
                case,
                data["agency"].pk,
                data["purpose"],
                data["agreement"],
                request.user,
                ip=_ip(request),
            )
        except workflow.CaseworkError as refusal:
            form.add_error("agreement", str(refusal))
        else:
            messages.success(request, f"Shared with {data['agency']}.")
            return redirect("cases:case", reference=case.reference)
    return _form_page(
        request, "cases/form.html", form, case=case, title="Share this case"
    )


@post_only
@requires(Capability.WORK_CASES)
def share_end(request: HttpRequest, reference: str, share: int) -> HttpResponse:
    case = _case(request, reference)
    if not access.owns(request.user, case):
        return refused(request, case=case.reference)
    row = get_object_or_404(CaseShare, pk=share, case=case, ended_at__isnull=True)
    routing.stop_sharing(row, request.user, ip=_ip(request))
    messages.success(request, f"{row.agency} no longer sees this case.")
    return redirect("cases:case", reference=case.reference)


@accepts_post
@requires(Capability.WORK_CASES)
def case_close(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    if not access.owns(request.user, case):
        return refused(request, case=case.reference)
    form = CloseForm(
        posted(request),
        initial={"version": case.version, "closed_on": timezone.localdate()},
    )
    stale = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workflow.close(
                case,
                data["version"],
                request.user,
                data["closure_reason"],
                data["closed_on"],
                ip=_ip(request),
            )
        except StaleEdit as conflict:
            stale = conflict
        else:
            messages.success(request, f"Case {case.reference} is closed.")
            return redirect("cases:case", reference=case.reference)
    return _form_page(
        request,
        "cases/form.html",
        form,
        conflict=stale,
        case=case,
        title="Close this case",
    )


@requires(Capability.WORK_CASES)
def who_viewed(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    if not access.owns(request.user, case):
        return refused(request, case=case.reference)
    events = list(access.who_viewed(case))
    for event in events:
        event.list_look = access.list_look(event)  # type: ignore[attr-defined]
    return render(request, "cases/who_viewed.html", {"case": case, "events": events})


@requires(Capability.WORK_CASES)
def case_export(request: HttpRequest, reference: str) -> HttpResponse:
    """The case as CSV for the owner agency's own records (audited as a
    read in CSV)."""
    case = _case(request, reference)
    if not access.owns(request.user, case):
        return refused(request, case=case.reference)
    rows: list[list[Any]] = [
        ["case", case.get_case_type_display(), case.opened_on, case.summary]
    ]
    rows += [
        [
            "person",
            row.get_role_display(),
            row.person.date_of_birth or "",
            str(row.person),
        ]
        for row in case.involved.select_related("person")
    ]
    rows += [
        ["incident", i.get_category_display(), i.occurred_on, i.description]
        for i in case.incidents.all()
    ]
    rows += [
        ["risk", a.get_kind_display(), a.assessed_at.date(), a.level]
        for a in case.assessments.all()
    ]
    rows += [
        [
            "referral",
            r.pathway,
            r.made_at.date(),
            f"{r.to_agency}: {r.get_status_display()}"
            + (f"; outcome: {r.outcome}" if r.outcome else ""),
        ]
        for r in case.referrals.select_related("to_agency")
    ]
    return csv_download(
        f"{case.reference}.csv",
        ["section", "what", "when", "detail"],
        rows,
        comments=[
            ("case", case.reference),
            ("produced", f"{timezone.now():%Y-%m-%d %H:%M}"),
            ("sensitive", "Personal data: keep under your agency's rules"),
        ],
    )


# --- counts and settings ------------------------------------------------


@requires(Capability.COUNT_CASES)
def case_counts(request: HttpRequest) -> HttpResponse:
    """Cases opened per month by type and risk: counts, small ones
    withheld, never a person or a case."""
    from django.conf import settings as django_settings

    from saferplaces.partnership.scope import partnerships_where

    ids = list(
        partnerships_where(request.user, Capability.COUNT_CASES).values_list(
            "pk", flat=True
        )
    )
    ptable = django_settings.PUBLICATION_PTABLE
    table = counts.opened_table(ids, ptable)
    return render(
        request, "cases/counts.html", {"table": table, "threshold": ptable.threshold}
    )


@requires(Capability.CONFIGURE_CASES)
def case_settings(request: HttpRequest) -> HttpResponse:
    from saferplaces.cases.models import CasePolicy, SharingAgreement
    from saferplaces.partnership.scope import partnerships_where

    # A board (the partnerships below it answer to it) comes after the
    # partnerships that do casework, and says what it is.
    partnerships = sorted(
        partnerships_where(request.user, Capability.CONFIGURE_CASES).prefetch_related(
            "parts"
        ),
        key=lambda p: (bool(p.parts.all()), p.name),
    )
    return render(
        request,
        "cases/settings.html",
        {
            "sections": [
                {
                    "partnership": p,
                    "policy": CasePolicy.of(p.pk),
                    "rules": RoutingRule.objects.filter(partnership=p).select_related(
                        "to_agency", "agreement"
                    ),
                    "agreements": SharingAgreement.objects.filter(
                        partnership=p
                    ).prefetch_related("parties"),
                    "questions": AsbRiskQuestion.objects.filter(partnership=p),
                    "answering": [part.name for part in p.parts.all()],
                }
                for p in partnerships
            ],
            "may_administer": can(request.user, Capability.ADMINISTER),
        },
    )


def _configurable(request: HttpRequest, slug: str) -> tuple[Any, bool]:
    """The partnership (404 for one the person does not belong to) and
    whether their role there may change its casework rules."""
    from saferplaces.partnership.models import Partnership
    from saferplaces.partnership.scope import partnerships_where

    partnership = get_object_or_404(
        Partnership.objects.filter(
            pk__in=partnerships_where(request.user, Capability.USE_SERVICE)
        ),
        slug=slug,
    )
    return partnership, can(request.user, Capability.CONFIGURE_CASES, partnership.pk)


@accepts_post
@requires(Capability.CONFIGURE_CASES)
def settings_policy(request: HttpRequest, partnership: str) -> HttpResponse:
    from saferplaces.cases.forms import CasePolicyForm
    from saferplaces.cases.models import CasePolicy

    allowed, may_change = _configurable(request, partnership)
    if not may_change:
        return refused(request, partnership=allowed.slug)
    form = CasePolicyForm(posted(request), instance=CasePolicy.of(allowed.pk))
    if request.method == "POST" and form.is_valid():
        configuration.save_policy(
            form.save(commit=False), form.changed_data, request.user,
            partnership_slug=allowed.slug, ip=_ip(request),
        )  # fmt: skip
        messages.success(request, "The thresholds are saved.")
        return redirect("cases:settings")
    return _form_page(
        request, "cases/settings_form.html", form,
        title=f"Thresholds and retention: {allowed.name}",
    )  # fmt: skip


@accepts_post
@requires(Capability.CONFIGURE_CASES)
def rule_edit(
    request: HttpRequest, partnership: str, pk: int | None = None
) -> HttpResponse:
    from saferplaces.cases.forms import RoutingRuleForm

    allowed, may_change = _configurable(request, partnership)
    if not may_change:
        return refused(request, partnership=allowed.slug)
    rule = (
        get_object_or_404(RoutingRule, pk=pk, partnership=allowed)
        if pk is not None
        else RoutingRule(partnership=allowed)
    )
    form = RoutingRuleForm(posted(request), instance=rule, partnership=allowed)
    if request.method == "POST" and form.is_valid():
        saved = configuration.save_rule(
            form.save(commit=False), form.changed_data, request.user, ip=_ip(request)
        )
        messages.success(request, f"The {saved.pathway} pathway is saved.")
        return redirect("cases:settings")
    title = f"Change the {rule.pathway} pathway" if pk else "Add a referral pathway"
    return _form_page(request, "cases/settings_form.html", form, title=title)


# --- the ASB Case Review register ---------------------------------------


def _review_areas(partnership: Any) -> list[tuple[str, str]]:
    """The partnership's areas and the wards within them, by name where
    the store knows it, for the application's area."""
    from saferplaces.analytics import geography
    from saferplaces.lib.store import web_store

    store = web_store()
    found: list[tuple[str, str]] = []
    for code in partnership.area_codes():
        found.append((code, geography.name_of(store, code)))
        if geography.is_known(store, code):
            found += [(a.code, f"{a.name}, in {found[-1][1]}") for a in
                      geography.children(store, code)]  # fmt: skip
    return found


@requires(Capability.WORK_CASES)
def case_reviews(request: HttpRequest) -> HttpResponse:
    """The register of the partnerships where the person works cases:
    dates and stages, never an applicant (they are on each entry's page)."""
    entries = list(
        CaseReviewApplication.objects.filter(
            partnership_id__in=access.casework_partnerships(request.user)
        ).select_related("partnership", "case")
    )
    read_audit.name_what_was_shown(
        request, case_reviews=[str(e.public_id) for e in entries]
    )
    return render(
        request,
        "cases/case_reviews.html",
        {
            "entries": entries,
            "visible": set(
                access.visible_cases(request.user)
                .filter(reviews__in=entries)
                .values_list("pk", flat=True)
            ),
            "may_count": can(request.user, Capability.COUNT_CASES),
        },
    )


@accepts_post
@requires(Capability.WORK_CASES)
def case_review_new(request: HttpRequest) -> HttpResponse:
    partnerships = access.casework_partnerships(request.user)
    if not partnerships:
        return refused(request, case_review="new")
    from saferplaces.partnership.models import Partnership

    partnership = Partnership.objects.get(pk=partnerships[0])
    form = CaseReviewApplicationForm(
        posted(request),
        visible=access.visible_cases(request.user).filter(partnership=partnership),
        areas=_review_areas(partnership),
        today=timezone.localdate(),
    )
    if request.method == "POST" and form.is_valid():
        entry = case_reviews_service.receive(
            partnership.pk, form.cleaned_data, request.user, ip=_ip(request)
        )
        messages.success(request, "The application is in the register.")
        return redirect("cases:case_review", public_id=entry.public_id)
    return _form_page(request, "cases/case_review_new.html", form)


@accepts_post
@requires(Capability.WORK_CASES)
def case_review(request: HttpRequest, public_id: str) -> HttpResponse:
    """One application, with its applicant (a read of personal data,
    audited under its id), and the form that records what followed."""
    entry = get_object_or_404(
        CaseReviewApplication.objects.select_related("partnership", "case").filter(
            partnership_id__in=access.casework_partnerships(request.user)
        ),
        public_id=public_id,
    )
    saved = {name: getattr(entry, name) for name in case_reviews_service.UPDATE_FIELDS}
    saved["threshold"] = THRESHOLD_OF[entry.threshold_met]
    form = CaseReviewForm(
        posted(request),
        received_on=entry.received_on,
        initial={"version": entry.version, **saved},
    )
    stale: StaleEdit | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        entry.threshold_met = form.threshold_met()
        for name in case_reviews_service.UPDATE_FIELDS[1:]:
            setattr(entry, name, data[name])
        try:
            case_reviews_service.update(
                entry, data["version"], request.user, form.changed_data,
                ip=_ip(request),
            )  # fmt: skip
        except StaleEdit as conflict:
            stale = conflict
        else:
            messages.success(request, "The register is updated.")
            return redirect("cases:case_review", public_id=entry.public_id)
    case_visible = bool(
        entry.case_id
        and access.visible_cases(request.user).filter(pk=entry.case_id).exists()
    )
    return _form_page(
        request, "cases/case_review.html", form, conflict=stale, entry=entry,
        case_visible=case_visible, area_name=_area_name(entry.area_code),
    )  # fmt: skip


def _figures(request: HttpRequest) -> list[tuple[Any, list[Any]]]:
    from saferplaces.partnership.scope import partnerships_where

    return [
        (p, case_reviews_service.yearly_figures(p.pk))
        for p in partnerships_where(request.user, Capability.COUNT_CASES)
    ]


@requires(Capability.COUNT_CASES)
def case_review_figures(request: HttpRequest) -> HttpResponse:
    """The yearly figures each partnership publishes, exact, for those who
    may count its cases: no applicant, no case."""
    return render(
        request, "cases/case_review_figures.html", {"sections": _figures(request)}
    )


@requires(Capability.COUNT_CASES)
def case_review_figures_csv(request: HttpRequest) -> HttpResponse:
    rows = [
        [p.slug, f.year, f.received, f.threshold_not_met, f.reviews,
         f.with_recommendations, f.undecided]
        for p, years in _figures(request)
        for f in years
    ]  # fmt: skip
    return csv_download(
        "asb-case-reviews.csv",
        ["partnership", "year", "applications_received", "threshold_not_met",
         "reviews_carried_out", "reviews_with_recommendations",
         "applications_not_yet_decided"],
        rows,
        comments=[
            ("what", "ASB Case Reviews (community trigger), by financial year "
             "(April to March): applications by the year received, reviews by "
             "the year held"),
            ("produced", f"{timezone.now():%Y-%m-%d %H:%M}"),
        ],
    )  # fmt: skip
