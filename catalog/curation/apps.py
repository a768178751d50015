from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CurationConfig(AppConfig):
    name = "catalog.curation"
    label = "curation"
    verbose_name = "Curation: notes, taxonomy and annotations"

    def ready(self) -> None:
        post_migrate.connect(set_up_curators_and_taxonomy, sender=self)


def set_up_curators_and_taxonomy(sender, **kwargs) -> None:
    """After `migrate` (and a test database flush): the curators group, and the puppyslug
    taxonomy when the taxonomy is empty (admins edit it from then on)."""
    from catalog.curation.models import Taxon
    from catalog.curation.puppyslug import seed_puppyslug_taxonomy
    from catalog.people import ensure_curators_group

    ensure_curators_group()
    if not Taxon.objects.exists():
        seed_puppyslug_taxonomy()
