from django.apps import AppConfig


class AtlasConfig(AppConfig):
    name = "catalog.atlas"
    label = "atlas"
    verbose_name = "Atlas: networks, layers, channels and stills"
