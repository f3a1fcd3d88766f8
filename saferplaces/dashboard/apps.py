from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "saferplaces.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"
