"""Installs our admin site in place of Django's (kept apart from models so it
can be imported before the app registry is ready)."""

from django.contrib.admin.apps import AdminConfig


class SaferplacesAdminConfig(AdminConfig):
    default_site = "saferplaces.accounts.admin_site.SaferplacesAdminSite"
