import io
import json
import resource
import time
from pathlib import Path

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from PIL import Image
from tqdm import tqdm

import renderer
from catalog.atlas.jobs import network_for
from catalog.atlas.models import Channel
from catalog.files import write_atomically
from catalog.storage import save_bytes
from renderer.prints import render_print

Image.MAX_IMAGE_PIXELS = None  # prints are large on purpose


class Command(BaseCommand):
    help = "Render a channel as a print (8192 px and more) with DPI metadata."

    def add_arguments(self, parser):
        parser.add_argument("network")
        parser.add_argument("layer")
        parser.add_argument("channel", type=int)
        parser.add_argument("--size", type=int, default=8192, help="print side in pixels")
        parser.add_argument("--style", default="fourier")
        parser.add_argument("--objective", default="channel")
        parser.add_argument("--base", type=int, default=256, help="size optimized first")
        parser.add_argument("--steps", type=int, default=512, help="steps at the base size")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--dpi", type=int, default=300)
        parser.add_argument("--format", choices=["png", "tiff"], default="png")
        parser.add_argument("--output", help="file to write (default: media/prints/…)")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, network, layer, channel, **options):
        row = Channel.objects.filter(
            layer__network__name=network, layer__name=layer, index=channel
        ).first()
        if row is None:
            raise CommandError(f"no channel {network} / {layer} / {channel}: see add_network")
        if options["dpi"] < 1:
            raise CommandError("--dpi: must be a positive number")
        try:
            spec = row.spec(
                style=options["style"],
                objective=options["objective"],
                size=options["base"],
                steps=options["steps"],
                seed=options["seed"],
            )
            started = time.perf_counter()
            with tqdm(unit="step", desc=f"print {options['size']}px") as bar:
                image = render_print(
                    network_for(row.layer.network_id),
                    spec,
                    options["size"],
                    progress=lambda done, total: _advance(bar, done, total),
                )
        except renderer.SpecError as exc:
            raise CommandError(f"--{exc.field}: {exc.message}") from exc
        if options["output"]:
            output = Path(options["output"])
            write_atomically(output, lambda out: _encode(image, out, options))
            where = str(output.resolve())
        else:
            where = _save_to_media(image, row, options)
        report = {
            "image": where,
            "size": list(image.size),
            "mode": image.mode,
            "dpi": options["dpi"],
            "seconds": round(time.perf_counter() - started, 1),
            "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }
        self.stdout.write(json.dumps(report) if options["as_json"] else _sentence(report))


def _advance(bar, done, total):
    bar.total = total
    bar.update(done - bar.n)


def _save_to_media(image: Image.Image, row: Channel, options) -> str:
    """Save the print as prints/… in the media storage; where it went (path or URL)."""
    name = f"{row.layer.network.name}-{row.layer.name}-{row.index}-{options['size']}"
    data = io.BytesIO()
    _encode(image, data, options)
    stored = save_bytes(f"prints/{name}.{options['format']}", data.getvalue())
    try:
        return default_storage.path(stored)
    except NotImplementedError:  # not a folder (e.g. S3): its name in the storage
        return stored


def _encode(image: Image.Image, out, options) -> None:
    fmt, dpi = options["format"], options["dpi"]
    extra = {"compression": "tiff_lzw"} if fmt == "tiff" else {}
    image.save(out, format=fmt.upper(), dpi=(dpi, dpi), **extra)


def _sentence(report: dict) -> str:
    width, height = report["size"]
    return (
        f"Wrote {report['image']} ({width}×{height} {report['mode']}, {report['dpi']} dpi) in "
        f"{report['seconds']} s, peak memory {report['peak_memory_mb']} MB."
    )
