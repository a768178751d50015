from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "catalog.catalogue"
    label = "catalogue"
    verbose_name = "The static catalogue"
