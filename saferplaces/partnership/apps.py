from django.apps import AppConfig


class PartnershipConfig(AppConfig):
    name = "saferplaces.partnership"
    label = "partnership"
    verbose_name = "Partnership plan"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from saferplaces.partnership import signals

        signals.connect()
