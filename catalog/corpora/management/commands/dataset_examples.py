import json

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from catalog.atlas.jobs import network_for
from catalog.atlas.models import Network
from catalog.corpora.clip_examples import clip_examples_json, compute_clip_examples
from catalog.corpora.dataset_examples import (
    ExamplesError,
    compute_dataset_examples,
    examples_json,
    layers_for,
)
from catalog.corpora.models import Corpus
from catalog.corpora.training import TrainingInputError
from renderer.networks.temporal import TEMPORAL_ARCH


class Command(BaseCommand):
    help = (
        "For every channel of the network's layers, the frames of a corpus that excite it "
        "most (and least). Resumable; a re-run reads only frames not read yet. For a "
        "temporal network: the clips of the corpus's videos, kept as short MP4s."
    )

    def add_arguments(self, parser):
        parser.add_argument("network")
        parser.add_argument("--corpus", required=True, help="the corpus's name")
        parser.add_argument("--layers", help="e.g. block12,logits (default: every layer)")
        parser.add_argument("--top", type=int, default=9, help="frames per channel and side")
        parser.add_argument("--batch-size", type=int, default=16)
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="one JSON object per channel"
        )

    def handle(self, network, corpus, layers, top, batch_size, as_json, **options):
        network_row = Network.objects.filter(name=network).first()
        if network_row is None:
            raise CommandError(f"unknown network {network!r}: register it with add_network")
        corpus_row = Corpus.objects.filter(name=corpus).first()
        if corpus_row is None:
            raise CommandError(f"--corpus: no corpus {corpus!r}; add it with add_corpus")
        if batch_size < 1:
            raise CommandError(f"--batch-size: {batch_size} must be at least 1")
        names = [name.strip() for name in layers.split(",") if name.strip()] if layers else None
        if network_row.arch == TEMPORAL_ARCH:
            return self._clips(network_row, corpus_row, names, top, batch_size, as_json)
        bar = tqdm(unit="frame", desc=f"{network} over {corpus}", disable=None)
        try:
            report = compute_dataset_examples(
                network_row,
                corpus_row,
                names,
                top=top,
                batch_size=batch_size,
                progress=bar.update,
                total=lambda frames: setattr(bar, "total", frames),
            )
            chosen = layers_for(network_row, names)
        except ExamplesError as exc:
            raise CommandError(f"--{exc}") from exc
        finally:
            bar.close()
        if as_json:
            for item in examples_json(network_row, corpus_row, chosen, top):
                self.stdout.write(json.dumps(item))
        else:
            self.stdout.write(
                f"{network} over {corpus}: read {report.frames} new frames for "
                f"{report.channels} channels in {report.seconds:.1f} s"
            )

    def _clips(self, network, corpus, names, top, batch_size, as_json):
        """A temporal network's examples are clips of the corpus's videos."""
        if top < 1:
            raise CommandError(f"--top: {top} must be at least 1")
        bar = tqdm(unit="clip", desc=f"{network.name} over {corpus.name}", disable=None)
        try:
            layers = layers_for(network, names)
            clips = compute_clip_examples(
                network,
                corpus,
                layers,
                network_for(network.id),
                top=top,
                batch_size=batch_size,
                progress=bar.update,
                total=lambda count: setattr(bar, "total", count),
            )
        except ExamplesError as exc:
            raise CommandError(f"--{exc}") from exc
        except TrainingInputError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        if as_json:
            for item in clip_examples_json(network, corpus, layers):
                self.stdout.write(json.dumps(item))
        else:
            self.stdout.write(
                f"{network.name} over {corpus.name}: read {clips} clips for "
                f"{sum(layer.channel_count for layer in layers)} channels"
            )
