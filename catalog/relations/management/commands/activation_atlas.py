import json

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from catalog.atlas.models import Network
from catalog.corpora.models import Corpus
from catalog.relations.atlases import (
    DEFAULT_CORPUS,
    DEFAULTS,
    AtlasRequestError,
    atlas_json,
    compute_activation_atlas,
)
from renderer.errors import RendererError


class Command(BaseCommand):
    help = (
        "The activation atlas of a layer over a corpus's frames: activations at sampled "
        "positions, UMAP to 2-D, an N×N grid, one feature visualization per cell of its "
        "mean activation, all cells in one batch. A done atlas is printed, not rendered again."
    )

    def add_arguments(self, parser):
        parser.add_argument("network")
        parser.add_argument("layer")
        parser.add_argument(
            "--corpus", default=DEFAULT_CORPUS, help=f"the corpus's name (default {DEFAULT_CORPUS})"
        )
        parser.add_argument("--grid", type=int, default=DEFAULTS["grid"], help="cells a side")
        parser.add_argument("--steps", type=int, default=DEFAULTS["steps"], help="optimizer steps")
        parser.add_argument(
            "--size", type=int, help=f"pixels of a cell (default {DEFAULTS['size']})"
        )
        parser.add_argument(
            "--print",
            type=int,
            dest="print_width",
            metavar="PX",
            help="a print: cells of PX // grid pixels, so the map is (about) PX wide",
        )
        parser.add_argument("--again", action="store_true", help="render a done atlas again")
        parser.add_argument("--json", action="store_true", dest="as_json", help="one JSON object")

    def handle(
        self, network, layer, corpus, grid, steps, size, print_width, again, as_json, **options
    ):
        network_row = Network.objects.filter(name=network).first()
        if network_row is None:
            raise CommandError(f"unknown network {network!r}: register it with add_network")
        layer_row = network_row.layers.filter(name=layer).first()
        if layer_row is None:
            known = ", ".join(network_row.layers.values_list("name", flat=True))
            raise CommandError(f"network {network} has no layer {layer!r}; layers: {known}")
        corpus_row = Corpus.objects.filter(name=corpus).first()
        if corpus_row is None:
            hint = "add_sample_corpus" if corpus == DEFAULT_CORPUS else "add_corpus"
            raise CommandError(f"--corpus: no corpus {corpus!r}; add it with {hint}")
        size = _cell_size(size, print_width, grid)
        bar = tqdm(total=100, unit="%", desc=f"atlas of {network} {layer}", disable=None)

        def progress(stage: str, fraction: float) -> None:
            bar.set_postfix_str(stage, refresh=False)
            bar.update(round(fraction * 100) - bar.n)

        try:
            atlas = compute_activation_atlas(
                network_row, layer_row, corpus_row, grid, steps, size, progress, again=again
            )
        except AtlasRequestError as exc:
            raise CommandError(f"--{exc.field}: {exc.message}") from exc
        except RendererError as exc:
            raise CommandError(f"atlas of {network} {layer}: {exc}") from exc
        finally:
            bar.close()
        report = atlas_json(atlas)
        if as_json:
            self.stdout.write(json.dumps(report))
        else:
            side = atlas.grid * atlas.size
            self.stdout.write(
                f"Atlas of {network} {layer} over {corpus}: {len(report['cells'])} of "
                f"{atlas.grid}×{atlas.grid} cells from {atlas.points} points, map "
                f"{side}×{side} px: {report['image']}"
            )


def _cell_size(size: int | None, print_width: int | None, grid: int) -> int:
    if print_width is None:
        return DEFAULTS["size"] if size is None else size
    if size is not None:
        raise CommandError("--print sets the cells' size: give --print or --size, not both")
    if grid < 1 or print_width < grid:
        raise CommandError(f"--print: {print_width} px is less than a pixel per cell")
    return print_width // grid
