import json
import time

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from catalog.atlas import jobs
from catalog.atlas.arguments import layer_named, parse_channels
from catalog.atlas.models import Still
from renderer import SpecError


class Command(BaseCommand):
    help = "Render a layer, or some of its channels: queued for the workers, or --inline."

    def add_arguments(self, parser):
        parser.add_argument("network")
        parser.add_argument("layer")
        parser.add_argument("--channels", help="e.g. 0-7 or 3,5,9 (default: all)")
        parser.add_argument("--steps", type=int)
        parser.add_argument("--size", type=int)
        parser.add_argument("--seed", type=int)
        parser.add_argument("--style", help="fourier (default), pixel, cppn or transparent")
        parser.add_argument("--inline", action="store_true", help="render in this process")
        parser.add_argument("--wait", action="store_true", help="follow queued renders")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="one JSON object per still"
        )

    def handle(self, network, layer, channels, inline, wait, as_json, **options):
        layer = layer_named(network, layer)
        indices = parse_channels(channels, layer.channel_count)
        names = ("steps", "size", "seed", "style")
        overrides = {k: options[k] for k in names if options[k] is not None}
        try:
            specs = {c.index: c.spec(**overrides) for c in layer.channels.filter(index__in=indices)}
        except SpecError as exc:
            raise CommandError(f"--{exc.field}: {exc.message}") from exc
        stills = [c.still_for(specs[c.index]) for c in layer.channels.filter(index__in=indices)]
        for still in stills:
            still.reset_for_retry()
        if inline:
            self._render_inline(stills)
        else:
            self._queue(stills, wait)
        for still in stills:
            still.refresh_from_db()
            if as_json:
                self.stdout.write(json.dumps(still_json(still)))
        if not as_json:
            counts = {
                s: sum(1 for x in stills if x.status == s) for s in {x.status for x in stills}
            }
            self.stdout.write(f"{layer}: {len(stills)} stills, {counts}")

    def _render_inline(self, stills):
        pending = [s for s in stills if not s.is_cached]
        steps = pending[0].spec["steps"] if pending else 0
        with tqdm(total=len(pending) * steps, unit="step", desc="rendering") as bar:
            jobs.render_stills(
                [s.id for s in pending],
                on_step=lambda step, total, batch_size: bar.update(batch_size),
            )

    def _queue(self, stills, wait):
        try:
            jobs.queue_render_for(stills)
        except jobs.RenderingUnavailable as exc:
            raise CommandError(str(exc)) from exc
        if not wait:
            return
        ids = [s.id for s in stills]
        finished_statuses = (Still.DONE, Still.FAILED)
        with tqdm(total=len(ids), unit="still", desc="rendering") as bar:
            while True:
                rows = list(Still.objects.filter(id__in=ids).values_list("status", "progress"))
                finished = sum(status in finished_statuses for status, _ in rows)
                running = sum(p for status, p in rows if status not in finished_statuses)
                bar.n = round(finished + running, 2)
                bar.refresh()
                if finished == len(ids):
                    return
                time.sleep(0.5)


def _where(name: str) -> str:
    """A stored image's file (media in a folder) or its name in the storage (e.g. S3)."""
    try:
        return default_storage.path(name)
    except NotImplementedError:
        return name


def still_json(still: Still) -> dict:
    return {
        "network": still.spec["network"],
        "layer": still.spec["layer"],
        "channel": still.spec["channel"],
        "status": still.status,
        "rank": still.figures.get("rank"),
        "objective": still.figures.get("objective"),
        "seconds": still.seconds,
        "image": _where(still.image.name) if still.image else None,
        **({"video": _where(still.video.name)} if still.video else {}),
        "error": still.error or None,
    }
