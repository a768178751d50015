from django.apps import AppConfig


class RelationsConfig(AppConfig):
    name = "catalog.relations"
    label = "relations"
    verbose_name = "Relations: circuits and activation atlases"
