"""The Django admin, open to administrators only, with every change audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, URLResolver, reverse
from django.utils.http import urlencode

from saferplaces.accounts import audit
from saferplaces.accounts.permissions import Capability, can
from saferplaces.lib.methods import accepts_post, post_only

# The admin's views that take forms, by the end of their URL names (the list
# takes actions, a password change is a "_change"); the rest read, and answer
# GET and HEAD only (saferplaces/lib/methods.py).
ADMIN_FORMS = ("_changelist", "_add", "_change", "_delete")


class AuditedAdminMixin:
    """Copies each admin change into the audit log.

    Django keeps its own LogEntry too; ours is the one with agency and IP, and
    the one that cannot be edited.
    """

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        audit.record("admin_add", request=request, obj=obj, detail={"repr": str(obj)})
        return super().log_addition(request, obj, message)  # type: ignore[misc]

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        audit.record(
            "admin_change",
            request=request,
            obj=obj,
            detail={"repr": str(obj), "changes": _plain(message)},
        )
        return super().log_change(request, obj, message)  # type: ignore[misc]

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        for obj in queryset:
            audit.record(
                "admin_delete", request=request, obj=obj, detail={"repr": str(obj)}
            )
        return super().log_deletions(request, queryset)  # type: ignore[misc]


def _plain(message: Any) -> Any:
    """Admin change messages are JSON-able lists; keep them as they are."""
    return message if isinstance(message, list | str) else str(message)


class SaferplacesAdminSite(admin.AdminSite):
    site_header = "saferplaces administration"
    site_title = "saferplaces administration"
    index_title = "Agencies, users and roles"

    def has_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Capability.ADMINISTER)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if request.user.is_authenticated:
            # Signed in without the right: sending them to sign in again would
            # bring them straight back here, round and round.
            audit.record(
                "permission_denied", request=request, detail={"path": request.path}
            )
            raise PermissionDenied("Administrators only.")
        # One sign-in page for the whole service, with its throttling and audit.
        next_url = request.GET.get("next", reverse("admin:index"))
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")

    def get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super().get_urls()
        _mark_methods(urls)
        return urls

    def register(
        self, model_or_iterable: Any, admin_class: Any = None, **options: Any
    ) -> None:
        """Register with an audited subclass of ``admin_class``, whoever calls
        it (our apps or a library's), so no admin change escapes the audit log."""
        base = admin_class or admin.ModelAdmin
        if not issubclass(base, AuditedAdminMixin):
            base = type(f"Audited{base.__name__}", (AuditedAdminMixin, base), {})
        super().register(model_or_iterable, base, **options)


def _mark_methods(patterns: list[URLResolver | URLPattern]) -> None:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _mark_methods(pattern.url_patterns)
        elif pattern.name == "logout":
            post_only(pattern.callback)
        elif (pattern.name or "").endswith(ADMIN_FORMS):
            accepts_post(pattern.callback)
