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

from saferplaces.accounts import audit
from saferplaces.accounts.models import Role, User
from saferplaces.accounts.permissions import Capability, can, requires
from saferplaces.cases import access, search
from saferplaces.cases.forms import (
    ActionForm,
    AssessmentForm,
    CaseDetailsForm,
    CloseForm,
    DecisionForm,
    DisposalForm,
    IncidentForm,
    NewCaseForm,
    PersonForm,
    ReferralForm,
    SearchForm,
    ShareForm,
    dash_questions,
)
from saferplaces.cases.models import (
    AsbRiskQuestion,
    AssessmentKind,
    Case,
    CaseAction,
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
    configuration,
    counts,
    routing,
    workflow,
)
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
    visible = access.visible_cases(user).select_related("owner_agency")
    today = timezone.localdate()
    waiting = Referral.objects.filter(
        to_agency_id=user.agency_id,
        status=ReferralStatus.WAITING,
        case__partnership_id__in=access.casework_partnerships(user),
    ).select_related("case", "from_agency")
    return render(
        request,
        "cases/list.html",
        {
            "owned": visible.filter(owner_agency_id=user.agency_id, status="open"),
            "shared": visible.exclude(owner_agency_id=user.agency_id).filter(
                status="open"
            ),
            "waiting": waiting,
            "today": today,
            "sent": Referral.objects.filter(
                from_agency_id=user.agency_id,
                status=ReferralStatus.WAITING,
                case__in=visible,
            ).select_related("case", "to_agency"),
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
    return render(
        request,
        "cases/case.html",
        {
            "case": case,
            "owner": owner,
            "involved": facts.involved,
            "incidents": case.incidents.select_related("reporting_agency", "address"),
            "actions": case.actions.select_related("owner_agency"),
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
    form = AssessmentForm(posted(request), questions=questions)
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


@accepts_post
@requires(Capability.WORK_CASES)
def referral_decide(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    referral = get_object_or_404(
        Referral.objects.select_related("case", "from_agency", "to_agency").filter(
            to_agency_id=user.agency_id,
            case__in=access.visible_cases(user),
        ),
        public_id=public_id,
    )
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
    return render(
        request,
        "cases/who_viewed.html",
        {"case": case, "events": access.who_viewed(case)},
    )


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
            f"{r.to_agency}: {r.get_status_display()}",
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
