from django.apps import AppConfig


class TaskingConfig(AppConfig):
    name = "saferplaces.tasking"
    verbose_name = "Tasking"
