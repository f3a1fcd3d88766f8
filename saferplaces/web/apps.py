from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "saferplaces.web"
    verbose_name = "Web shell"

    def ready(self) -> None:
        # The deployment checks register themselves on import.
        from saferplaces.web import checks  # noqa: F401
