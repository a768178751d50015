import json

from django.core.management.base import BaseCommand

from catalog.atlas.cleanup import run_cleanups


class Command(BaseCommand):
    help = (
        "Delete expired visitor variants and photographs (older than ATLAS_VARIANT_TTL), "
        "leftover .part files and expired sessions. The workers run this periodically."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print what was removed")

    def handle(self, *args, **options):
        removed = run_cleanups()
        if options["json"]:
            self.stdout.write(json.dumps(removed))
        else:
            self.stdout.write(", ".join(f"{n} {what}" for what, n in removed.items()) + " removed")
