from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "saferplaces.cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        # Registers the SQLite trigram similarity on each new connection.
        from saferplaces.cases import search  # noqa: F401
        from saferplaces.cases.models import CaseType, RiskLevel
        from saferplaces.lib import labels

        # The analytic store's case counts keep these keys (cases publish).
        labels.register("case_type", dict(CaseType.choices))
        labels.register("risk_level", dict(RiskLevel.choices))
