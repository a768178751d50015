import json

from django.core.management.base import BaseCommand

from catalog.curation.annotation_json import dump_annotations


class Command(BaseCommand):
    help = "Write the taxonomy and every annotation, with its history, as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="a file (default: standard output)")

    def handle(self, output, **options):
        data = dump_annotations()
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        if not output:
            self.stdout.write(text, ending="")
            return
        with open(output, "w", encoding="utf-8") as out:
            out.write(text)
        self.stderr.write(
            f"Wrote {len(data['annotations'])} annotation(s) and {len(data['taxa'])} taxa "
            f"to {output}."
        )
