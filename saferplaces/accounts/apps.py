from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "saferplaces.accounts"
    verbose_name = "Accounts and audit"

    def ready(self) -> None:
        from saferplaces.accounts import signals  # noqa: F401  (connects receivers)
