"""A new atlas shows itself: opening a page queues the missing default stills it shows.

The home page fills each network's strip (the first channel of STRIP_LENGTH layers spread
from the first layer to the last), a network page one still per layer (its first
channel), a layer page every channel in index order. The stills are the atlas's own
(default stills, origin "atlas"): no visitor's rate or variant limit applies to them.
They go on the `fill` queue, below what a person is watching (`live`) and above batch
renders, ATLAS_FILL_BATCH stills a job, so a worker takes a waiting live job after at
most one small fill job, and a running fill job gives way at once (`catalog.atlas.jobs`).

The bound: a default still is queued at most once (only new or cancelled stills are
queued, with a conditional update), and a layer whose stills are all queued, running,
done or failed is not looked at again, so a layer has at most one pending fill however
many visitors open it. Pending fill stills ≤ the channels of the atlas; pending fill jobs
≤ Σ over layers of (1 + ⌈(channels − 1) / ATLAS_FILL_BATCH⌉) (one for the still of its
strip or card, the rest for its page). Failed stills stay failed until staff retry them.
When Redis is down the page renders as before and nothing is queued (stills created for
it stay new, as if never asked for).
"""

from __future__ import annotations

import logging

from django.conf import settings

from catalog import queues
from catalog.atlas.jobs import queue_render_for
from catalog.atlas.models import Channel, Layer, Network, Still
from catalog.atlas.showcase import STRIP_LENGTH, network_strip
from catalog.queues import RenderingUnavailable

log = logging.getLogger(__name__)
COVERED = (Still.QUEUED, Still.RUNNING, Still.DONE, Still.FAILED)  # nothing left to queue
COMING = (Still.QUEUED, Still.RUNNING)


def fill_layer(layer: Layer) -> int:
    """Queue the layer's missing default stills in channel order; the stills to come."""
    covered = _covered_channels(Still.objects.filter(channel__layer=layer))
    if len(covered) < layer.channel_count and settings.ATLAS_FILL:
        missing = [s for s in layer.default_stills() if s.channel_id not in covered]
        _queue(missing)
    return Still.objects.public().filter(channel__layer=layer, status__in=COMING).count()


def fill_network(network: Network, cards: list[tuple[Layer, Still | None]]) -> int:
    """Queue the first channel's still of each layer of `cards` (a network page's
    `layer_cards`) that shows none yet; the stills to come."""
    return _fill_first_channels([layer for layer, still in cards if still is None])


def home_cards() -> tuple[list[tuple[Network, list[tuple[Layer, Still | None]]]], int]:
    """Every network with its home-page strip (its missing strip stills queued first, see
    `fill_home`), and how many stills of the strips are to come."""
    cards, to_come = [], 0
    for network in Network.objects.all():
        strip, coming = fill_home(network)
        cards.append((network, strip))
        to_come += coming
    return cards, to_come


def fill_home(network: Network) -> tuple[list[tuple[Layer, Still | None]], int]:
    """Queue the missing stills of the network's strip on the home page (the first
    channel of STRIP_LENGTH layers spread over the network, where a layer shows no still
    yet); the strip (`network_strip`, and None for each strip layer whose still is on
    its way, by layer position) and the stills to come."""
    strip = network_strip(network)
    shown = {layer.id for layer, _ in strip}
    targets = [layer for layer in strip_layers(network) if layer.id not in shown]
    to_come = _fill_first_channels(targets) if len(strip) < STRIP_LENGTH else 0
    coming = set(
        Still.objects.public()
        .filter(channel__in=_first_channels(targets), status__in=COMING)
        .values_list("channel__layer_id", flat=True)
    )
    waiting = [(layer, None) for layer in targets if layer.id in coming]
    return sorted(strip + waiting, key=lambda card: card[0].position), to_come


def strip_layers(network: Network, length: int = STRIP_LENGTH) -> list[Layer]:
    """The layers a full strip shows: `length` of them, evenly from first to last."""
    layers = list(network.layers.all())
    if len(layers) <= length:
        return layers
    step = (len(layers) - 1) / (length - 1)
    return [layers[round(i * step)] for i in range(length)]


def _fill_first_channels(layers: list[Layer]) -> int:
    channels = _first_channels(layers)
    stills = Still.objects.public().filter(channel__in=channels)
    if settings.ATLAS_FILL and len(_covered_channels(stills)) < len(channels):
        _queue([channel.still_for(channel.spec()) for channel in channels])
    return stills.filter(status__in=COMING).count()


def _first_channels(layers: list[Layer]) -> list[Channel]:
    """Each layer's first channel (channels are numbered from 0), in the layers' order."""
    by_layer = {
        channel.layer_id: channel
        for channel in Channel.objects.filter(layer__in=layers, index=0).select_related(
            "layer__network"
        )
    }
    return [by_layer[layer.id] for layer in layers if layer.id in by_layer]


def _covered_channels(stills) -> set[int]:
    """The channels among `stills` that have a default still with nothing left to queue."""
    return set(stills.public().filter(status__in=COVERED).values_list("channel_id", flat=True))


def _queue(stills: list[Still]) -> None:
    """Queue the new (or cancelled) stills, ATLAS_FILL_BATCH a job, in the given order."""
    waiting = [still for still in stills if still.status in (Still.NEW, Still.CANCELLED)]
    size = max(1, settings.ATLAS_FILL_BATCH)
    try:
        for start in range(0, len(waiting), size):
            queue_render_for(waiting[start : start + size], queues.FILL)
    except RenderingUnavailable as exc:
        log.warning("the atlas cannot fill its pages now: %s", exc)
