"""The `catalog` package: the atlas's Django apps (one folder each) and what they share.

The package itself is an app only to keep the migration history from before the split into
apps (tables keep their `catalog_` names; the models moved by state-only migrations)."""

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Neural Atlas (migration history)"
