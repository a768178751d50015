import json
import sys

from django.core.management.base import BaseCommand, CommandError

from catalog.curation.annotation_json import load_annotations


class Command(BaseCommand):
    help = (
        "Import taxa and annotations from export_annotations JSON; annotations of the same "
        "channels are replaced, with their history. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a JSON file written by export_annotations ('-': stdin)")
        parser.add_argument(
            "--skip-missing",
            action="store_true",
            help="skip annotations of channels this atlas does not have",
        )

    def handle(self, file, skip_missing, **options):
        try:
            if file == "-":
                data = json.load(sys.stdin)
            else:
                with open(file, encoding="utf-8") as handle:
                    data = json.load(handle)
            counts = load_annotations(data, skip_missing=skip_missing)
        except RecursionError as exc:  # JSON nested deeper than the parser can follow
            raise CommandError(f"could not import {file}: nested too deeply") from exc
        except (OSError, ValueError) as exc:
            raise CommandError(f"could not import {file}: {exc}") from exc
        self.stdout.write(
            f"Imported {counts['taxa']} taxa, {counts['annotations']} annotation(s) with "
            f"{counts['revisions']} revision(s); skipped {counts['skipped']}."
        )
