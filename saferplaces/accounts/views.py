from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy

from saferplaces.accounts import audit
from saferplaces.accounts.models import AuditEvent
from saferplaces.accounts.permissions import Capability, requires

AUDIT_PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
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


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        audit.record("password_reset_completed", request=self.request, actor=form.user)
        return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form: Any) -> HttpResponse:
        audit.record("password_changed", request=self.request)
        return super().form_valid(form)


@requires(Capability.USE_SERVICE)
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account.html")


@requires(Capability.VIEW_AUDIT_LOG)
def audit_log(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.all()
    action = request.GET.get("action", "").strip()
    username = request.GET.get("username", "").strip()
    if action:
        events = events.filter(action=action)
    if username:
        events = events.filter(actor_username__iexact=username)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    actions = (
        AuditEvent.objects.order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )
    return render(
        request,
        "accounts/audit_log.html",
        {
            "page": page,
            "actions": list(actions),
            "action": action,
            "username": username,
        },
    )
