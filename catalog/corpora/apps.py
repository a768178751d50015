from django.apps import AppConfig


class CorporaConfig(AppConfig):
    name = "catalog.corpora"
    label = "corpora"
    verbose_name = "Corpora, dataset examples and training"
