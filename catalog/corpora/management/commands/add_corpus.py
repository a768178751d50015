import json

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from catalog.corpora.ingest import CorpusError, add_corpus


class Command(BaseCommand):
    help = (
        "Ingest a folder of images and videos into the corpus NAME: frames every N seconds "
        "and at scene cuts, subtitles from .srt files, near-duplicates dropped. A re-run "
        "reads only new or changed files."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="the corpus's name (a slug)")
        parser.add_argument("folder", help="the folder to read")
        parser.add_argument(
            "--every", type=float, default=2.0, help="seconds between video frames (default 2)"
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print the summary as JSON"
        )

    def handle(self, name, folder, every, as_json, **options):
        def files_progress(files):
            return tqdm(files, unit="file", desc=f"corpus {name}", disable=None)

        try:
            report = add_corpus(
                name, folder, every, files_progress=files_progress, warn=self.stderr.write
            )
        except CorpusError as exc:
            raise CommandError(str(exc)) from exc
        if as_json:
            self.stdout.write(json.dumps(report.as_json()))
        else:
            self.stdout.write(
                f"corpus {report.corpus}: {report.frames} new frames from {report.files} "
                f"files, {len(report.skipped)} skipped, in {report.seconds:.1f} s"
            )
