from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest

from saferplaces.accounts.models import Agency, AuditEvent, Membership, User

# Roles replace Django's groups; showing both would invite confusion.
admin.site.unregister(Group)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin[Agency]):
    list_display = ["name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]


class MembershipInline(admin.TabularInline[Membership, User]):
    """The partnerships a person belongs to, and their role in each."""

    model = Membership
    extra = 1


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    list_display = [
        "username",
        "email",
        "agency",
        "is_site_administrator",
        "is_active",
        "last_login",
    ]
    list_filter = ["is_site_administrator", "memberships__partnership", "agency"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "email"]}),
        ("Agency", {"fields": ["agency", "is_active", "is_site_administrator"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "email",
                    "agency",
                    "password1",
                    "password2",
                ],
            },
        )
    ]
    readonly_fields = ["last_login", "date_joined"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: the audit log can be searched, never edited."""

    list_display = ["at", "actor_username", "agency_name", "action", "object_type"]
    list_filter = ["action", "agency_name"]
    search_fields = ["actor_username", "object_type", "object_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
