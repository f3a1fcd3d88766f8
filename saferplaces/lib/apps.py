from django.apps import AppConfig


class LibConfig(AppConfig):
    """An app only so that Django finds its template tags and templates."""

    name = "saferplaces.lib"
    label = "lib"
    verbose_name = "Toolbox"
