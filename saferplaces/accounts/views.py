from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.core.validators import MaxLengthValidator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django_ratelimit.decorators import ratelimit

from saferplaces.accounts import audit, audit_export
from saferplaces.accounts.models import AuditEvent
from saferplaces.accounts.permissions import Capability, requires
from saferplaces.lib.downloads import csv_stream
from saferplaces.lib.methods import accepts_post

AUDIT_PAGE_SIZE = 50


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refusing a username longer than any account's
    before it is tried: Django sets the field's max_length after the field
    is made, so nothing checked it, and a failed try with a 300-character
    name broke the failed-login record (255 at most) on PostgreSQL."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        assert isinstance(field, forms.CharField)
        assert field.max_length is not None
        field.validators.append(MaxLengthValidator(field.max_length))


@accepts_post
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = SignInForm


def _asked_about(group: str, request: HttpRequest) -> str:
    """The account a reset was asked for, as typed but case-folded."""
    return str(request.POST.get("email", "")).strip().casefold()[:254]


@accepts_post
@method_decorator(
    ratelimit(
        key="ip",
        rate=lambda group, request: settings.PASSWORD_RESET_RATE_PER_ADDRESS,
        method="POST",
        group="password-reset-address",
    ),
    name="post",
)
@method_decorator(
    ratelimit(
        key=_asked_about,
        rate=lambda group, request: settings.PASSWORD_RESET_RATE_PER_ACCOUNT,
        method="POST",
        group="password-reset-account",
    ),
    name="post",
)
class PasswordResetView(auth_views.PasswordResetView):
    """Limited per address asking and per account asked about (whether or
    not it exists, so the limit gives nothing away); 429 past either."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        # The address is kept so a flood of resets can be traced; whether it
        # matched an account is not shown to the person asking.
        audit.record(
            "password_reset_requested",
            request=self.request,
            detail={"email": form.cleaned_data["email"][:254]},
        )
        return super().form_valid(form)


@accepts_post
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        audit.record("password_reset_completed", request=self.request, actor=form.user)
        return super().form_valid(form)


@accepts_post
class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form: Any) -> HttpResponse:
        audit.record("password_changed", request=self.request)
        return super().form_valid(form)


@requires(Capability.USE_SERVICE)
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account.html")


class AuditFilter(forms.Form):
    """Who looked at this, what did this person look at, between two dates."""

    action = forms.CharField(required=False, max_length=64)
    username = forms.CharField(required=False, max_length=150, label="Username")
    subject = forms.CharField(
        required=False,
        max_length=200,
        label="What was read or changed",
        help_text="A measure, action reference, area code, page or object id",
    )
    since = forms.DateField(required=False, label="From (YYYY-MM-DD)")
    until = forms.DateField(required=False, label="To (YYYY-MM-DD)")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The end date must not be before the start date.")
        return data

    def events(self) -> QuerySet[AuditEvent]:
        events = AuditEvent.objects.all()
        if not self.is_valid():
            return events.none()
        data = self.cleaned_data
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["username"]:
            events = events.filter(actor_username__iexact=data["username"])
        if data["subject"]:
            subject = data["subject"]
            events = events.filter(
                Q(object_id__iexact=subject)
                | Q(object_type__iexact=subject)
                | Q(detail__measure=subject)
                | Q(detail__area=subject)
                | Q(detail__path__startswith=subject)
            )
        if data["since"]:
            events = events.filter(at__date__gte=data["since"])
        if data["until"]:
            events = events.filter(at__date__lte=data["until"])
        return events


@requires(Capability.VIEW_AUDIT_LOG)
def audit_log(request: HttpRequest) -> HttpResponse:
    query = AuditFilter(request.GET or None)
    events = query.events() if request.GET else AuditEvent.objects.all()
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    actions = (
        AuditEvent.objects.order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )
    kept = request.GET.copy()
    kept.pop("page", None)
    return render(
        request,
        "accounts/audit_log.html",
        {
            "page": page,
            "form": query if request.GET else AuditFilter(),
            "actions": list(actions),
            "kept_query": kept.urlencode(),
            "retention_days": settings.AUDIT_RETENTION_DAYS,
        },
        status=400 if request.GET and not query.is_valid() else 200,
    )


@requires(Capability.VIEW_AUDIT_LOG)
def audit_log_export(request: HttpRequest) -> HttpResponseBase:
    """The entries the same filters select, as CSV streamed as it is read
    (reading it is audited, as every page is)."""
    query = AuditFilter(request.GET or None)
    if request.GET and not query.is_valid():
        return audit_log(request)
    events = query.events() if request.GET else AuditEvent.objects.all()
    return csv_stream("audit-log.csv", audit_export.COLUMNS, audit_export.rows(events))
