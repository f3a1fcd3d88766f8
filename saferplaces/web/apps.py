from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "saferplaces.web"
    verbose_name = "Web shell"
