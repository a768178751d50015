import json

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from catalog.atlas.models import Network
from catalog.corpora.models import Corpus
from catalog.corpora.samples import SAMPLE_CORPUS
from catalog.relations.circuits import (
    BATCH_SIZE,
    DEFAULT_TOP,
    CircuitsError,
    circuits_json,
    compute_circuits,
)


class Command(BaseCommand):
    help = (
        "For every channel of the network's layers, its strongest inputs in the layer "
        "before and outputs in the layer after (gradient × activation over a corpus's "
        "frames, signed). Resumable; a re-run reads only frames not read yet."
    )

    def add_arguments(self, parser):
        parser.add_argument("network")
        parser.add_argument(
            "--layers", nargs="+", help="e.g. block12 logits or block12,logits (default: all)"
        )
        parser.add_argument(
            "--corpus", default=SAMPLE_CORPUS, help=f"the corpus's name (default {SAMPLE_CORPUS})"
        )
        parser.add_argument(
            "--top", type=int, default=DEFAULT_TOP, help="links kept per channel and side"
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="one JSON object per channel"
        )

    def handle(self, network, layers, corpus, top, batch_size, as_json, **options):
        network_row = Network.objects.filter(name=network).first()
        if network_row is None:
            raise CommandError(f"unknown network {network!r}: register it with add_network")
        corpus_row = Corpus.objects.filter(name=corpus).first()
        if corpus_row is None:
            hint = "add_sample_corpus" if corpus == SAMPLE_CORPUS else "add_corpus"
            raise CommandError(f"--corpus: no corpus {corpus!r}; add it with {hint}")
        if batch_size < 1:
            raise CommandError(f"--batch-size: {batch_size} must be at least 1")
        names = [n.strip() for arg in layers or [] for n in arg.split(",") if n.strip()] or None
        bar = tqdm(unit="frame", desc=f"circuits of {network} over {corpus}", disable=None)
        try:
            report = compute_circuits(
                network_row,
                corpus_row,
                names,
                top=top,
                batch_size=batch_size,
                progress=bar.update,
                total=lambda frames: setattr(bar, "total", frames),
            )
        except CircuitsError as exc:
            raise CommandError(f"--{exc}") from exc
        finally:
            bar.close()
        if as_json:
            for item in circuits_json(network_row, corpus_row, names):
                self.stdout.write(json.dumps(item))
        else:
            self.stdout.write(
                f"circuits of {network} over {corpus}: {report.pairs} layer pairs, "
                f"{report.frames} frame readings, {report.links} links in {report.seconds:.1f} s"
            )
