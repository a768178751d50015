from django.core.management.base import BaseCommand
from PIL import Image
from tqdm import tqdm

from catalog.atlas import jobs
from catalog.atlas.models import Still
from renderer.classify import classify


class Command(BaseCommand):
    help = (
        "Classify rendered stills by their own network (top classes, puppyslug index): those "
        "rendered before the atlas did so, or all of them with --all."
    )

    def add_arguments(self, parser):
        parser.add_argument("--network", help="only the stills of this network")
        parser.add_argument("--all", action="store_true", help="classify every still again")

    def handle(self, network, all, **options):
        stills = Still.objects.filter(status=Still.DONE).exclude(image="")
        stills = stills.select_related("channel__layer").order_by("channel__layer__network")
        if network:
            stills = stills.filter(channel__layer__network__name=network)
        if not all:
            stills = stills.filter(top_classes=[])
        stills = list(stills)
        quiet = options["verbosity"] == 0
        for still in tqdm(stills, unit="still", desc="classifying", disable=quiet):
            loaded = jobs.network_for(still.channel.layer.network_id)
            with still.image.open("rb") as stored, Image.open(stored) as image:
                (found,) = classify(loaded, image)
            Still.objects.filter(id=still.id).update(
                top_classes=[{"label": label, "probability": p} for label, p in found.top],
                puppyslug_index=found.puppyslug_index,
            )
        self.stdout.write(f"Classified {len(stills)} still(s).")
