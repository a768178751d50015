from django.core.management.base import BaseCommand

from catalog.corpora.samples import (
    PHOTOGRAPHS,
    SAMPLE_CORPUS,
    SAMPLE_FILMS,
    add_sample_corpus,
    add_sample_films,
)


class Command(BaseCommand):
    help = (
        f"Register the sample corpus {SAMPLE_CORPUS!r}: {len(PHOTOGRAPHS)} photographs from "
        f"scikit-image and four crops of each; with --films also {SAMPLE_FILMS!r}, videos of "
        "a camera panning and zooming over them. A second run adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--films",
            action="store_true",
            help=f"also the sample films {SAMPLE_FILMS!r} (clips for train_network --temporal)",
        )

    def handle(self, films, **options):
        corpus = add_sample_corpus()
        self.stdout.write(f"corpus {corpus.name}: {corpus.frames.count()} frames")
        if films:
            films_corpus = add_sample_films()
            videos = films_corpus.source_files.filter(error="").count()
            self.stdout.write(f"corpus {films_corpus.name}: {videos} videos")
