from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Neural Atlas catalog"

    def ready(self) -> None:
        post_migrate.connect(set_up_people_and_taxonomy, sender=self)


def set_up_people_and_taxonomy(sender, **kwargs) -> None:
    """After `migrate` (and a test database flush): the curators group, and the puppyslug
    taxonomy when the taxonomy is empty (admins edit it from then on)."""
    from catalog.models import Taxon
    from catalog.people import ensure_curators_group
    from catalog.puppyslug import seed_puppyslug_taxonomy

    ensure_curators_group()
    if not Taxon.objects.exists():
        seed_puppyslug_taxonomy()
