from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CinemaConfig(AppConfig):
    name = "catalog.cinema"
    label = "cinema"
    verbose_name = "Cinema: films, tours and previews"

    def ready(self) -> None:
        # Curators edit tours: their permissions exist once this app's post_migrate ran.
        post_migrate.connect(give_curators_the_tour_permissions, sender=self)


def give_curators_the_tour_permissions(sender, **kwargs) -> None:
    from catalog.people import ensure_curators_group

    ensure_curators_group()
