from django.core.management.base import BaseCommand, CommandError

from catalog.atlas.arguments import layer_named, parse_channels
from catalog.cinema import storyboards
from catalog.queues import RenderingUnavailable


class Command(BaseCommand):
    help = (
        "Queue a short looping preview film of channels of a layer (ATLAS_PREVIEW_FILM "
        "settings): their channel pages play it once a worker has rendered it. A preview "
        "queued, running or done already is left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("network")
        parser.add_argument("layer")
        parser.add_argument("--channels", help="e.g. 0-7 or 3,5,9 (default: all)")

    def handle(self, network, layer, channels, **options):
        layer = layer_named(network, layer)
        indices = parse_channels(channels, layer.channel_count)
        rows = layer.channels.filter(index__in=indices).select_related("layer__network")
        try:
            made, refused = storyboards.queue_previews(rows)
        except RenderingUnavailable as exc:
            raise CommandError(str(exc)) from exc
        if refused:
            raise CommandError(refused[0])
        queued = sum(1 for film in made if film.is_pending)
        self.stdout.write(f"{layer}: {len(made)} preview film(s), {queued} queued or rendering.")
