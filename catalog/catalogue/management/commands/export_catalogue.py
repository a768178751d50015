import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from catalog.atlas.models import Channel, Layer, Network
from catalog.catalogue.export import CatalogueError, export_catalogue
from catalog.cinema.models import Film, Tour
from catalog.curation.models import Taxon


class Command(BaseCommand):
    help = (
        "Write the static catalogue of the atlas to OUT_DIR: every network, layer, channel "
        "and taxon page, the stills, the notes, a contact sheet per layer, the channels' "
        "preview films and the other finished films, the tours. Built beside "
        "OUT_DIR and moved into place when complete; re-running replaces it."
    )

    def add_arguments(self, parser):
        parser.add_argument("out_dir")

    def handle(self, out_dir, **options):
        layers = Layer.objects.count()
        pages = 3 + Taxon.objects.count() + Network.objects.count()  # home, about, taxa
        pages += 2 * layers + Channel.objects.count()
        pages += 1 + sum(max(1, tour.stops.count()) for tour in Tour.objects.all())  # tours
        films = Film.objects.filter(status=Film.DONE, preview_of__isnull=True).exclude(output="")
        pages += 1 if films.exists() else 0  # /films/
        started = time.monotonic()
        quiet = options["verbosity"] == 0
        with tqdm(total=pages, unit="page", desc="exporting", disable=quiet) as bar:
            try:
                manifest = export_catalogue(out_dir, on_page=lambda path: bar.update())
            except CatalogueError as exc:
                raise CommandError(str(exc)) from exc
        megabytes = manifest["bytes"] / 1e6
        self.stdout.write(
            f"Exported {manifest['pages']} pages, {manifest['stills']} stills, "
            f"{manifest['previews']} preview films and {manifest['films']} other films "
            f"({megabytes:.1f} MB) to {out_dir} in {time.monotonic() - started:.1f} s."
        )
