import json
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from catalog.atlas import batches, jobs
from catalog.atlas.models import BatchRender, Network, Still


class Command(BaseCommand):
    help = (
        "Batch render a whole network, or some of its layers: queued for the workers (one job "
        "per ATLAS_JOB_SIZE stills), or --inline. Stills rendered before are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("network")
        parser.add_argument(
            "--layers", nargs="+", help="layer names, space or comma separated (default: all)"
        )
        parser.add_argument("--inline", action="store_true", help="render in this process")
        parser.add_argument("--wait", action="store_true", help="follow the queued renders")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="the final counts as JSON"
        )

    def handle(self, network, layers, inline, wait, as_json, **options):
        name, network = network, Network.objects.filter(name=network).first()
        if network is None:
            raise CommandError(f"unknown network {name!r}: register it with add_network")
        chosen = _layers(network, layers)
        batch = batches.start_batch(network, chosen, prepare=False)
        with tqdm(total=len(chosen), unit="layer", desc="queueing", disable=as_json) as bar:
            try:
                batches.prepare_stills(batch, queue=not inline, on_layer=lambda _: bar.update())
            except jobs.RenderingUnavailable as exc:
                BatchRender.objects.filter(id=batch.id).update(error=str(exc))
                raise CommandError(f"{exc}; render without workers with --inline") from exc
        if inline:
            _render_inline(batch, as_json)
        elif wait:
            _follow(batch, as_json)
        progress = batch.progress_dict()
        if as_json:
            self.stdout.write(json.dumps(progress))
        else:
            self.stdout.write(
                f"{batch}: {progress['total']} stills, {progress['done']} done, "
                f"{progress['queued']} queued, {progress['failed']} failed "
                f"(progress page: {batch.get_absolute_url()})"
            )


def _layers(network: Network, names: list[str] | None):
    if not names:
        return list(network.layers.all())
    wanted = [name for text in names for name in text.split(",") if name]
    found = {layer.name: layer for layer in network.layers.filter(name__in=wanted)}
    unknown = [name for name in wanted if name not in found]
    if unknown:
        known = ", ".join(network.layers.values_list("name", flat=True))
        raise CommandError(f"{network} has no layer {', '.join(unknown)}; layers: {known}")
    return sorted(found.values(), key=lambda layer: layer.position)


def _render_inline(batch: BatchRender, quiet: bool) -> None:
    pending = list(batch.stills.exclude(status=Still.DONE).order_by("channel__layer__position"))
    steps = sum(still.spec["steps"] for still in pending)
    with tqdm(total=steps, unit="step", desc="rendering", disable=quiet) as bar:
        jobs.render_stills(
            [still.id for still in pending],
            on_step=lambda step, total, batch_size: bar.update(batch_size),
        )


def _follow(batch: BatchRender, quiet: bool) -> None:
    with tqdm(total=batch.counts()["total"], unit="still", desc="rendering", disable=quiet) as bar:
        while True:
            progress = batch.progress_dict()
            bar.n = progress["total"] - progress["pending"]
            bar.set_postfix(failed=progress["failed"], left=progress["seconds_left"])
            if not progress["pending"]:
                return
            time.sleep(1.0)
