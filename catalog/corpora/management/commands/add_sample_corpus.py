from django.core.management.base import BaseCommand

from catalog.corpora.samples import PHOTOGRAPHS, SAMPLE_CORPUS, add_sample_corpus


class Command(BaseCommand):
    help = (
        f"Register the sample corpus {SAMPLE_CORPUS!r}: {len(PHOTOGRAPHS)} photographs from "
        "scikit-image and four crops of each. A second run adds nothing."
    )

    def handle(self, **options):
        corpus = add_sample_corpus()
        self.stdout.write(f"corpus {corpus.name}: {corpus.frames.count()} frames")
