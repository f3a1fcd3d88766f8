from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "saferplaces.cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        # Registers the SQLite trigram similarity on each new connection.
        from saferplaces.cases import search  # noqa: F401
